"""Chunks -> dense vectors (FAISS or Milvus) + BM25 on disk, with a manifest that is checked on load."""

from index.store import BuildReport, IndexData, build_index, corpus_hash, ensure_index, load_index

__all__ = ["BuildReport", "IndexData", "build_index", "corpus_hash", "ensure_index", "load_index"]
