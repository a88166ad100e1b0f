"""Cited answers over the article collection: ``ask()`` and ``retrieve()``."""

from qa.api import ask, ask_stream, get_pipeline, retrieve
from qa.types import Answer, Citation
from retrieve.passage import Passage

__all__ = ["Answer", "Citation", "Passage", "ask", "ask_stream", "get_pipeline", "retrieve"]
