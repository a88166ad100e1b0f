"""Hybrid bilingual retrieval: dense + BM25 with cross-lingual query expansion."""

from retrieve.hybrid import FusionConfig, HybridRetriever, Retrieval
from retrieve.passage import Passage

__all__ = ["FusionConfig", "HybridRetriever", "Passage", "Retrieval"]
