"""A fast, deterministic stand-in for the embedding model, to measure (and test) ingestion without it.

Each text maps to a fixed pseudo-random unit vector seeded by a hash of the text, so the same text always
gets the same vector, as with a real model, at a few microseconds per text.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

import numpy as np

HASH_MODEL = "hash-embedder"


class HashEmbedder:
    """Implements the ``Embedder`` protocol; counts calls and texts, and can pause per call."""

    def __init__(self, dim: int = 32, delay_s: float = 0.0) -> None:
        """Vectors of ``dim`` dimensions; every ``embed_passages`` call first sleeps ``delay_s``."""
        self._dim = dim
        self.delay_s = delay_s
        self.calls = 0
        self.texts = 0

    @property
    def name(self) -> str:
        """The vector space's name."""
        return HASH_MODEL

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return self._dim

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """One unit vector per text, seeded by the text's hash."""
        if self.delay_s:
            time.sleep(self.delay_s)
        vectors = self.embed_queries(texts)
        self.calls += 1
        self.texts += len(texts)
        return vectors

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """The same vectors as passages: the space has no query/passage asymmetry."""
        out = np.empty((len(texts), self._dim), np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:8], "little")
            vector = np.random.default_rng(seed).standard_normal(self._dim)
            out[row] = vector / np.linalg.norm(vector)
        return out
