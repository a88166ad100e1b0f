"""Embed a stream of chunks in fixed-size batches through the persistent embedding cache.

Each batch is looked up in the cache; only the missing texts are embedded, and they are committed to
the cache before the next batch starts, so a build interrupted anywhere resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from common.embedder import Embedder
from common.errors import EmbedderError
from common.textnorm import to_simplified
from index.embed_cache import EmbedCache
from ingest import Chunk


def embed_text(chunk: Chunk) -> str:
    """The text a chunk is embedded as: Simplified script so both scripts share one vector space."""
    return to_simplified(chunk.context_text())


@dataclass
class EmbeddedChunks:
    """The chunk table of a build with one vector per chunk, and what it cost."""

    chunks: list[Chunk] = field(default_factory=list)
    keys: list[bytes] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)
    embedded: int = 0

    @property
    def reused(self) -> int:
        """Chunks whose vector came from the cache (or an identical chunk of this build)."""
        return len(self.chunks) - self.embedded

    def vectors(self) -> np.ndarray:
        """All vectors as one ``(n, dim)`` float32 array, in chunk order."""
        if not self.rows:
            return np.zeros((0, 0), np.float32)
        return np.vstack(self.rows).astype(np.float32, copy=False)


class _LazyEmbedder:
    """Builds the embedder on first use: an unchanged corpus must not even load the model."""

    def __init__(self, factory: Callable[[], Embedder]) -> None:
        self._factory = factory
        self._embedder: Embedder | None = None

    def __call__(self, texts: list[str]) -> np.ndarray:
        if self._embedder is None:
            self._embedder = self._factory()
        vectors = np.asarray(self._embedder.embed_passages(texts), dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise EmbedderError(f"the embedder returned {vectors.shape} vectors for {len(texts)} passages")
        return vectors


def embed_chunks(
    chunks: Iterable[Chunk],
    cache: EmbedCache,
    embedder_factory: Callable[[], Embedder],
    *,
    batch_size: int,
    on_batch: Callable[[EmbeddedChunks], None] | None = None,
) -> EmbeddedChunks:
    """Consume ``chunks`` batch by batch, taking vectors from ``cache`` and embedding (and caching) the rest.

    ``on_batch`` is called after every batch (for progress reporting).
    """
    embed = _LazyEmbedder(embedder_factory)
    out = EmbeddedChunks()
    batch: list[Chunk] = []
    for chunk in chunks:
        batch.append(chunk)
        if len(batch) >= batch_size:
            _embed_batch(batch, cache, embed, out)
            batch = []
            if on_batch:
                on_batch(out)
    if batch:
        _embed_batch(batch, cache, embed, out)
    if on_batch:
        on_batch(out)
    return out


def _embed_batch(batch: list[Chunk], cache: EmbedCache, embed: _LazyEmbedder, out: EmbeddedChunks) -> None:
    keys, rows, embedded = cache.vectors([embed_text(c) for c in batch], embed)
    out.embedded += embedded
    out.chunks.extend(batch)
    out.keys.extend(keys)
    out.rows.extend(rows)

