"""Cited answers over the article collection: ``ask()`` and ``retrieve()``.

Names are imported on first use, so ``from qa.types import Answer`` does not load the retrieval stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.api import ask, ask_stream, get_pipeline, retrieve
    from qa.types import Answer, Citation
    from retrieve.passage import Passage

_HOMES = {
    "Answer": "qa.types",
    "Citation": "qa.types",
    "Passage": "retrieve.passage",
    "ask": "qa.api",
    "ask_stream": "qa.api",
    "get_pipeline": "qa.api",
    "retrieve": "qa.api",
}
__all__ = ["Answer", "Citation", "Passage", "ask", "ask_stream", "get_pipeline", "retrieve"]


def __getattr__(name: str) -> object:
    """Import an exported name from the module it lives in."""
    if name not in _HOMES:
        raise AttributeError(f"module 'qa' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
