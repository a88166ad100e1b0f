"""Hybrid retrieval: dense (a vector store) + BM25, fused by normalised scores, then reranked.

Cross-lingual expansion carries questions across languages; the best candidates are reranked by how much
of the question each one mentions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from common.textnorm import to_simplified
from embed.protocol import Embedder
from index.store import IndexData
from index.tokenize import tokenize
from retrieve.coverage import TermRarity, coverage, weigh
from retrieve.expand import Expansion, QueryExpander
from retrieve.lang import detect_language
from retrieve.passage import Passage
from retrieve.rerank import CrossEncoderReranker

# Ablations: each mode adds one stage to the one before it; "full" is what users get.
MODES = ("dense", "bm25", "hybrid", "expanded", "full")
FUSIONS = ("minmax", "rrf")
FULL_SCORE_LIMIT = 5000


@dataclass(frozen=True)
class FusionConfig:
    """How rankings are combined; tuned on the dev split of the evaluation set."""

    # Tuned on the dev split: 0.5-0.7 are within one question of each other; 0.6 was best overall.
    dense_weight: float = 0.6
    # BM25 weight of expansion terms: translations carry English questions, but for Chinese questions
    # extra aliases only re-weight the entity the question already names (0.3 cost R@1 on dev).
    expansion_weight: dict[str, float] = field(default_factory=lambda: {"en": 1.0, "zh": 0.0, "zh-Hant": 0.0})
    fusion: str = "minmax"
    rrf_k: int = 60
    candidates: int = 100
    # Reranking adds ``coverage_weight * coverage`` (0..1) to the fused score (0..1) of the best
    # ``rerank_depth`` candidates. Dev split, R@1 / R@5 without -> with: zh .769 / .938 -> .862 / .969,
    # en .581 / .930 -> .791 / .977. Weights 0.8-1.2 score within a question of each other in both
    # languages; depth 10-40 changes nothing.
    coverage_weight: float = 1.0
    rerank_depth: int = 20


@dataclass
class Retrieval:
    """Ranked passages plus the signals a developer (and abstention) needs to see."""

    passages: list[Passage]
    language: str
    expansion: Expansion
    top_dense: float
    top_bm25: float
    trace: dict[str, object] = field(default_factory=dict)


def _minmax(scores: np.ndarray) -> np.ndarray:
    span = float(scores.max() - scores.min()) if scores.size else 0.0
    return (scores - scores.min()) / span if span > 1e-9 else np.zeros_like(scores)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores, best first; equal scores keep index order within the result."""
    if len(scores) <= FULL_SCORE_LIMIT or k >= len(scores):
        return np.argsort(-scores, kind="stable")[:k]
    # Sorting every chunk costs ~100 ms at a million; partitioning first keeps it to a few.
    best = np.argpartition(-scores, k - 1)[:k]
    best.sort()
    return best[np.argsort(-scores[best], kind="stable")]


def _rrf(scores: np.ndarray, k: int) -> np.ndarray:
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return 1.0 / (k + ranks)


class HybridRetriever:
    """Searches one loaded index with one query embedder."""

    def __init__(self, index: IndexData, embedder: Embedder, expander: QueryExpander,
                 config: FusionConfig | None = None, reranker: CrossEncoderReranker | None = None,
                 rerank_candidates: int = 20, rarity: TermRarity | None = None) -> None:
        """Bind the index, the query embedder, the expander and an optional reranker."""
        self.index = index
        self.embedder = embedder
        self.expander = expander
        self.config = config or FusionConfig()
        self.reranker = reranker
        self.rerank_candidates = rerank_candidates
        self.rarity = rarity or TermRarity(index)

    def search(self, query: str, k: int = 5, *, mode: str = "full", language: str | None = None,
               translation: str | None = None) -> Retrieval:
        """Return the ``k`` best passages for ``query`` (``mode`` selects the ablation).

        ``translation`` (e.g. from an LLM) replaces the dictionary rendering used as a second dense query.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        language = language or detect_language(query)
        expansion = self.expander.expand(query, language) if mode in ("expanded", "full") else Expansion()
        timings["expand_ms"] = (time.perf_counter() - t0) * 1000
        n = self.index.dense.ntotal

        dense = np.zeros(n, dtype=np.float32)
        variants = [to_simplified(query)]
        if mode in ("expanded", "full") and (translation or expansion.translation):
            variants.append(to_simplified(translation or expansion.translation))
        if mode != "bm25":
            t = time.perf_counter()
            vectors = self.embedder.embed_queries(variants)
            timings["embed_ms"] = (time.perf_counter() - t) * 1000
            dense = self._dense_scores(vectors)

        bm25 = np.zeros(n, dtype=np.float32)
        query_tokens = tokenize(query)
        extra_tokens = [t for term in expansion.terms for t in tokenize(term) if t not in query_tokens]
        if mode != "dense":
            t = time.perf_counter()
            bm25 = self.index.bm25.get_scores(query_tokens) if query_tokens else bm25
            if extra_tokens:
                weight = self.config.expansion_weight.get(language, 1.0)
                bm25 = bm25 + weight * self.index.bm25.get_scores(list(dict.fromkeys(extra_tokens)))
            timings["bm25_ms"] = (time.perf_counter() - t) * 1000

        fused = self._fuse(dense, np.asarray(bm25, dtype=np.float32), mode)
        covered: dict[int, float] = {}
        if mode == "full":
            t = time.perf_counter()
            fused, covered = self._rerank_by_coverage(fused, expansion)
            timings["coverage_ms"] = (time.perf_counter() - t) * 1000
        depth = max(k, self.rerank_candidates) if self.reranker else k
        order = top_k(fused, depth)
        passages = [self._passage(int(i), float(fused[i])) for i in order]
        if self.reranker:
            t = time.perf_counter()
            passages = self.reranker.rerank(query, passages, k)
            timings["rerank_ms"] = (time.perf_counter() - t) * 1000
            position = {c.chunk_id: i for i, c in enumerate(self.index.chunks)}
            order = np.array([position[p.chunk_id] for p in passages], dtype=np.int64)
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        trace = {
            "mode": mode,
            "reranker": self.reranker.name if self.reranker else None,
            "language": language,
            "query_variants": variants,
            "bm25_tokens": query_tokens,
            "expansion_tokens": extra_tokens,
            "entities": [e.en[0] if e.en else e.zh[0] for e in expansion.entities],
            "ranks": [
                {"chunk_id": self.index.chunks[int(i)].chunk_id, "fused": round(float(fused[i]), 4),
                 "dense": round(float(dense[i]), 4), "bm25": round(float(bm25[i]), 3),
                 "coverage": round(covered.get(int(i), 0.0), 3)}
                for i in order
            ],
            "timings_ms": {key: round(v, 2) for key, v in timings.items()},
        }
        return Retrieval(passages, language, expansion, float(dense.max(initial=0.0)),
                         float(np.max(bm25, initial=0.0)), trace)

    def _rerank_by_coverage(self, fused: np.ndarray, expansion: Expansion) -> tuple[np.ndarray, dict[int, float]]:
        """Boost the best candidates by their coverage of the question (title and heading count too)."""
        weight = self.config.coverage_weight
        if not weight or not expansion.concepts:
            return fused, {}
        # A word no passage uses ("put", "out") cannot tell candidates apart; as the rarest of words it
        # would still outweigh the rest and flatten every candidate's coverage.
        concepts = [c for c in expansion.concepts if any(self.rarity.seen(form) for form in c)]
        weighted = weigh(concepts, self.rarity)
        candidates = top_k(fused, self.config.rerank_depth)
        covered = {}
        for i in candidates:
            c = self.index.chunks[int(i)]
            covered[int(i)] = coverage(weighted, f"{c.title} {c.section} {c.text}")
        boosted = fused.copy()
        # Candidates outside the depth keep their fused score, below every boosted one they compete with.
        for i, value in covered.items():
            boosted[i] += weight * value
        return boosted, covered

    def _dense_scores(self, vectors: np.ndarray) -> np.ndarray:
        """Best cosine per chunk over the query variants; beyond the nearest candidates, the lowest seen."""
        n = self.index.dense.ntotal
        # Small indexes are scored exhaustively; large ones only around the nearest neighbours.
        depth = n if n <= FULL_SCORE_LIMIT else self.config.candidates
        scores, ids = self.index.dense.search(vectors, depth)
        dense = np.full(self.index.dense.ntotal, float(scores.min()), dtype=np.float32)
        for row_scores, row_ids in zip(scores, ids, strict=True):
            valid = row_ids >= 0
            dense[row_ids[valid]] = np.maximum(dense[row_ids[valid]], row_scores[valid])
        return dense

    def _fuse(self, dense: np.ndarray, bm25: np.ndarray, mode: str) -> np.ndarray:
        if mode == "dense":
            return dense
        if mode == "bm25":
            return bm25
        w = self.config.dense_weight
        if self.config.fusion == "rrf":
            return w * _rrf(dense, self.config.rrf_k) + (1 - w) * _rrf(bm25, self.config.rrf_k)
        return w * _minmax(dense) + (1 - w) * _minmax(bm25)

    def _passage(self, i: int, score: float) -> Passage:
        c = self.index.chunks[i]
        return Passage(c.doc_id, c.chunk_id, c.title, c.source, c.date, c.section, c.text, c.start, c.end,
                       round(score, 4))
