"""Hybrid bilingual retrieval: dense + BM25 with cross-lingual query expansion.

Names are imported on first use, so ``from retrieve.passage import Passage`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieve.hybrid import FusionConfig, HybridRetriever, Retrieval
    from retrieve.passage import Passage

_HOMES = {
    "FusionConfig": "retrieve.hybrid",
    "HybridRetriever": "retrieve.hybrid",
    "Passage": "retrieve.passage",
    "Retrieval": "retrieve.hybrid",
}
__all__ = ["FusionConfig", "HybridRetriever", "Passage", "Retrieval"]


def __getattr__(name: str) -> object:
    """Import an exported name from the module it lives in."""
    if name not in _HOMES:
        raise AttributeError(f"module 'retrieve' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
