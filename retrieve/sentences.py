"""Sentence vectors: a chunk also scores as its best single sentence.

A chunk's vector averages everything it says, so a question about one of its sentences (a paraphrase, or an
English question over Chinese text) can sit closer to a neighbour's average. Each chunk's sentences are
embedded once per index (about five times the chunk embedding's work) and kept beside it.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import numpy as np

from common.embedder import Embedder
from common.sentences import split_sentences
from index.embed_cache import EmbedCache
from index.store import IndexData

log = logging.getLogger(__name__)

# Bump when the splitting changes, so kept vectors are recomputed.
SPLIT_VERSION = "3"
FILE_NAME = "sentence_vectors.npz"
# Larger indexes rank by chunk vectors alone: their sentence vectors would cost minutes to build and
# gigabytes to hold.
MAX_CHUNKS = 20000
# Shorter pieces and table rows are left to the chunk's vector: as sentences of their own they matched
# unrelated questions. Dev R@1 / R@5, full mode, with pieces of 6+ characters and rows kept | 15+ without
# rows: our articles en .636 / .932, zh .859 / .953 | .773 / .955, .859 / .969; XQuAD en .823 / .981, zh
# .940 / .991 | .828 / .983, .940 / .991; CMRC .960 / .991 | .960 / .991 (20+ within one question of 15+).
MIN_CHARS = 15


def split(text: str) -> list[str]:
    """The sentences of a chunk worth a vector of their own (table rows are not)."""
    return [s for s in split_sentences(text) if len(s) >= MIN_CHARS and not s.startswith("|")]


class SentenceVectors:
    """Unit vectors of every chunk's sentences, grouped by chunk (chunk ``i`` owns rows ``offsets[i]:offsets[i+1]``)."""

    def __init__(self, vectors: np.ndarray, offsets: np.ndarray) -> None:
        """Wrap vectors already grouped by chunk."""
        self.vectors = vectors
        self.offsets = offsets

    @classmethod
    def for_index(cls, index: IndexData, embedder: Embedder, cache: Path | None = None) -> SentenceVectors | None:
        """The index's sentence vectors: read from beside it, or embedded now and kept there.

        ``cache`` (an embedding cache file) keeps each sentence's vector across rebuilds of the index, so a
        new build embeds only sentences it has not seen. None for an index larger than :data:`MAX_CHUNKS`.
        """
        if len(index.chunks) > MAX_CHUNKS:
            return None
        texts = [split(c.text) for c in index.chunks]
        key = _key(index, texts)
        path = Path(index.path) / FILE_NAME
        try:
            with np.load(path) as kept:
                if str(kept["key"]) == key:
                    return cls(kept["vectors"], kept["offsets"])
        except (OSError, KeyError, ValueError):
            pass
        flat = [s for group in texts for s in group]
        vectors = _embed(flat, embedder, cache, index.manifest.model, index.dense.dim)
        offsets = np.concatenate([[0], np.cumsum([len(g) for g in texts])]).astype(np.int64)
        try:
            partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
            with partial.open("wb") as fh:
                np.savez(fh, key=np.array(key), vectors=vectors.astype(np.float32), offsets=offsets)
            os.replace(partial, path)  # readers never see a half-written file
        except OSError as exc:
            log.warning("sentence vectors not kept beside the index: %s", exc)
        return cls(vectors.astype(np.float32), offsets)

    def cosines(self, chunk: int, text: str, queries: np.ndarray) -> dict[str, np.ndarray]:
        """Each sentence of chunk ``chunk`` (whose text is ``text``) with its cosine to every row of ``queries``."""
        rows = self.vectors[self.offsets[chunk]:self.offsets[chunk + 1]]
        sentences = split(text)
        if len(sentences) != len(rows):
            return {}  # vectors of another split of the text: none are trusted
        scores = rows @ queries.astype(np.float32).T
        return {s: scores[i] for i, s in enumerate(sentences)}

    def best(self, query: np.ndarray, fallback: np.ndarray) -> np.ndarray:
        """Per chunk, the best cosine of its sentences with ``query``; ``fallback``'s where it has none."""
        out = fallback.astype(np.float32).copy()
        if not len(self.vectors):
            return out
        scores = self.vectors @ query.astype(np.float32)
        sizes = np.diff(self.offsets)
        has = np.flatnonzero(sizes > 0)
        out[has] = np.maximum.reduceat(scores, self.offsets[has])
        return out


def _embed(texts: list[str], embedder: Embedder, cache: Path | None, model: str, dim: int) -> np.ndarray:
    """Vectors of ``texts``: from the cache where it has them, embedded (and cached) where it has not."""
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    if cache is None:
        return embedder.embed_passages(texts)
    with EmbedCache(cache, model) as store:
        keys, rows, _ = store.vectors(texts, embedder.embed_passages)
        store.prune(keys)  # only this index's sentences stay
        return np.stack(rows).astype(np.float32)


def _key(index: IndexData, texts: list[list[str]]) -> str:
    digest = hashlib.sha256(f"{SPLIT_VERSION}\n{index.manifest.model}\n".encode())
    for chunk, group in zip(index.chunks, texts, strict=True):
        digest.update(chunk.chunk_id.encode())
        digest.update(str(len(group)).encode())
    return digest.hexdigest()
