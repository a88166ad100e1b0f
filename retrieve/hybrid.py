"""Hybrid retrieval: dense (a vector store) + BM25, fused by normalised scores, then reranked.

Cross-lingual expansion carries questions across languages; the best candidates are reranked by how much
of the question each one mentions.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np

from common.embedder import Embedder
from common.lang import detect_language
from common.textnorm import to_simplified
from common.tokenize import corpus_words, tokenize
from index.store import IndexData
from retrieve.coverage import TermRarity, WeightedConcepts, coverage, weigh
from retrieve.expand import Expansion, QueryExpander
from retrieve.passage import Passage
from retrieve.rerank import CrossEncoderReranker
from retrieve.sentences import SentenceVectors

# The stages of a search, all on for users; the evaluation turns them off to measure each one.
STAGES = ("dense", "lexical", "expand", "rerank")
FULL_SCORE_LIMIT = 5000
SPREAD_DEPTH = 100  # the same depth on every corpus larger than it, so spreads compare across corpora
T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FusionConfig:
    """How rankings are combined: one configuration for every corpus, tuned on all three dev sets at once.

    Dev R@1 / R@5 (``make eval`` prints them), English questions, our articles | XQuAD: dense only
    .372 / .465 | .717 / .951; expanded hybrid (no rerank) .512 / .767 | .781 / .977; this configuration
    .767 / .953 | .828 / .983. Chinese questions (our articles zh | XQuAD | CMRC): .855 / .982 | .940 / .991 |
    .960 / .991, none of them below the best single retriever.
    """

    # Weight of the dense ranking against BM25 (min-max normalised), per question language. English
    # questions meet Chinese text mostly through the embedding; 0.6-0.8 for English and 0.4-0.6 for Chinese
    # are within a few questions of each other.
    dense_weight: dict[str, float] = field(default_factory=lambda: {"en": 0.7, "zh": 0.6, "zh-Hant": 0.6})
    # BM25 weight of Chinese renderings (times each rendering's confidence): they carry English questions,
    # but for Chinese questions extra aliases only re-weight the entity the question already names.
    expansion_weight: dict[str, float] = field(default_factory=lambda: {"en": 1.0, "zh": 0.0, "zh-Hant": 0.0})
    # A translation of the question given by the caller (an LLM) is mixed into the dense score with this
    # share and searched by BM25 as a confident rendering. The dictionary's word-by-word rendering is not:
    # as a second dense query it outscored the question's own embedding on unrelated passages.
    translation_weight: float = 0.7
    candidates: int = 100
    # Reranking adds ``coverage_weight * coverage`` (0..1) to the fused score (0..1) of the best
    # ``rerank_depth`` candidates; concepts rendered less surely than ``coverage_min_confidence`` (plain
    # lower-case English words) are left out.
    coverage_weight: dict[str, float] = field(default_factory=lambda: {"en": 1.0, "zh": 1.0, "zh-Hant": 1.0})
    rerank_depth: int = 20
    coverage_min_confidence: float = 0.01
    # Scale the rerank by the share of the question it can see word for word: an English question over
    # Chinese text may have one matchable name among words no passage writes, and that name alone should
    # not outweigh the fused score. Chinese questions see their own words.
    coverage_visibility: dict[str, bool] = field(default_factory=lambda: {"en": True, "zh": False,
                                                                         "zh-Hant": False})
    # Where the rerank is scaled by visibility, it is also scaled by how much of what it sees comes from sure
    # renderings (names, glossary or listed terms, dates) rather than dictionary senses: ``floor`` with none,
    # 1 with all. Dictionary senses of common words ("receive", "company") match many neighbours of the
    # right paragraph. Dev R@1 / R@5, English, XQuAD | our articles | our articles without corpus
    # vocabulary: unscaled .760 / .970 | .750 / .955 | .568 / .727; floor 0.4 .783 / .983 | .750 / .955 |
    # .545 / .727; floor 0.3 .789 / .981 | .750 / .955 | .523 / .727.
    coverage_named_floor: float = 0.4
    # A chunk's cosine is mixed with its best sentence's (retrieve.sentences) by this share.
    sentence_weight: float = 0.5
    # Stages (see STAGES): the dense ranking, BM25, the Chinese renderings of English questions, and the
    # coverage rerank. Switched off only by the evaluation's ablations (eval/ablations.py).
    dense: bool = True
    lexical: bool = True
    expand: bool = True
    rerank: bool = True

    def for_language(self, table: dict[str, T], language: str) -> T:
        """The ``table`` entry for ``language``, Simplified Chinese's where it has none."""
        return table.get(language, table["zh"])


@dataclass
class Retrieval:
    """Ranked passages plus the signals a developer (and abstention) needs to see."""

    passages: list[Passage]
    language: str
    expansion: Expansion
    top_dense: float
    trace: dict[str, object] = field(default_factory=dict)
    # How far the best cosine stands above the ``SPREAD_DEPTH`` nearest (in their standard deviations): a
    # question the corpus is about has a passage that stands out; an off-topic one meets a flat field.
    dense_spread: float = 0.0
    # Each retrieved passage's sentences (by chunk id) with their cosine to the question, from the sentence
    # vectors kept at index time; empty when there are none.
    sentence_scores: dict[str, dict[str, float]] = field(default_factory=dict)
    # How far the best-ranked passage's final score stands above the runner-up's, and its own cosine to
    # the question (mixed with its best sentence's and the rendering's, as ranked): a question the corpus
    # answers tends to have one passage that wins clearly and is close in meaning, not a close race among
    # loosely related ones.
    margin: float = 0.0
    first_dense: float = 0.0
    # How much more of the question the best-ranked passage covers than any other reranked candidate does:
    # what the question asks is stated in one place, not spread thinly over many passages.
    coverage_margin: float = 0.0


def _minmax(scores: np.ndarray) -> np.ndarray:
    span = float(scores.max() - scores.min()) if scores.size else 0.0
    return (scores - scores.min()) / span if span > 1e-9 else np.zeros_like(scores)


def named_share(expansion: Expansion, concepts: list[list[str]], weighted: WeightedConcepts) -> float:
    """IDF-weighted share of ``concepts`` rendered surely: a name, a glossary or listed term, or a date."""
    sure = {r.text for r in expansion.renderings if r.source != "dictionary"}
    total = sum(w for w, _ in weighted)
    named = sum(w for c, (w, _) in zip(concepts, weighted, strict=True) if c and c[0] in sure)
    return named / total if total > 1e-9 else 0.0


def _mix(rows: list[np.ndarray], share: float) -> np.ndarray:
    """The question's row alone, or mixed with its translation's by ``share``."""
    return rows[0] if len(rows) == 1 else (1 - share) * rows[0] + share * rows[1]


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores, best first; equal scores keep index order within the result."""
    if len(scores) <= FULL_SCORE_LIMIT or k >= len(scores):
        return np.argsort(-scores, kind="stable")[:k]
    # Sorting every chunk costs ~100 ms at a million; partitioning first keeps it to a few.
    best = np.argpartition(-scores, k - 1)[:k]
    best.sort()
    return best[np.argsort(-scores[best], kind="stable")]


class HybridRetriever:
    """Searches one loaded index with one query embedder."""

    def __init__(self, index: IndexData, embedder: Embedder, expander: QueryExpander,
                 config: FusionConfig | None = None, reranker: CrossEncoderReranker | None = None,
                 rerank_candidates: int = 20, rarity: TermRarity | None = None,
                 sentence_cache: Path | None = None) -> None:
        """Bind the index, the query embedder, the expander and an optional reranker.

        ``sentence_cache`` keeps sentence vectors across rebuilds of the index (see :mod:`retrieve.sentences`).
        """
        self._sentences: SentenceVectors | bool | None = False  # False: not read yet
        self._sentences_lock = threading.Lock()
        self.index = index
        self.embedder = embedder
        self.expander = expander
        self.config = config or FusionConfig()
        self.reranker = reranker
        self.rerank_candidates = rerank_candidates
        self.rarity = rarity or TermRarity(index)
        self.sentence_cache = sentence_cache

    def search(self, query: str, k: int = 5, *, language: str | None = None,
               translation: str | None = None) -> Retrieval:
        """Return the ``k`` best passages for ``query``.

        ``translation`` (e.g. from an LLM) is mixed into the dense score and searched by BM25 as a sure
        rendering.
        """
        cfg = self.config
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        language = language or detect_language(query)
        expansion = self.expander.expand(query, language) if cfg.expand else Expansion()
        translation = translation if cfg.expand else None
        timings["expand_ms"] = (time.perf_counter() - t0) * 1000
        variants = [to_simplified(query)] + ([to_simplified(translation)] if translation else [])
        dense, chunk_dense, vectors = self._dense(variants, timings)
        query_tokens = tokenize(query)
        if language != "en":
            query_tokens += corpus_words(query, self.rarity.doc_freq)
        extra = self._rendered_tokens(expansion, translation, query_tokens) if cfg.expand else {}
        bm25 = self._lexical(query_tokens, extra, language, translation, timings)
        fused = self._fuse(dense, bm25, language)
        covered: dict[int, float] = {}
        if cfg.rerank:
            t = time.perf_counter()
            fused, covered = self._rerank_by_coverage(fused, expansion, language)
            timings["coverage_ms"] = (time.perf_counter() - t) * 1000
        order, passages = self._best(query, fused, k, timings)
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        trace = {
            "stages": [name for name in STAGES if getattr(cfg, name)],
            "reranker": self.reranker.name if self.reranker else None,
            "language": language,
            "query_variants": variants,
            "bm25_tokens": query_tokens,
            "expansion_tokens": list(extra),
            "entities": [e.en[0] if e.en else e.zh[0] for e in expansion.entities],
            "renderings": [{"text": r.text, "chinese": list(r.chinese), "source": r.source,
                            "confidence": round(r.confidence, 3)} for r in expansion.renderings],
            "ranks": [
                {"chunk_id": self.index.chunks[int(i)].chunk_id, "fused": round(float(fused[i]), 4),
                 "dense": round(float(dense[i]), 4), "bm25": round(float(bm25[i]), 3),
                 "coverage": round(covered.get(int(i), 0.0), 3)}
                for i in order
            ],
            "timings_ms": {key: round(v, 2) for key, v in timings.items()},
        }
        margin, first_dense, coverage_margin = self._lead(fused, dense, covered)
        return Retrieval(passages, language, expansion, float(chunk_dense.max(initial=0.0)), trace,
                         self._spread(chunk_dense) if cfg.dense else 0.0,
                         self._sentence_cosines(order, passages, vectors) if vectors is not None else {},
                         margin=margin, first_dense=first_dense, coverage_margin=coverage_margin)

    def _dense(self, variants: list[str],
               timings: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Cosines per chunk (mixed with the best sentence's), the chunk-only cosines and the query vectors.

        Zeros and no vectors when the dense stage is off.
        """
        if not self.config.dense:
            zeros = np.zeros(self.index.dense.ntotal, dtype=np.float32)
            return zeros, zeros, None
        t = time.perf_counter()
        vectors = self.embedder.embed_queries(variants)
        timings["embed_ms"] = (time.perf_counter() - t) * 1000
        return *self._dense_scores(vectors), vectors

    def _sentence_cosines(self, rows: np.ndarray, passages: list[Passage],
                          vectors: np.ndarray) -> dict[str, dict[str, float]]:
        """Each passage's sentences (by chunk id) with their cosine to the query ``vectors``.

        ``rows`` are the passages' index rows, in the same order (as :meth:`_best` returns them).

        Like the dense score, the question's own cosine is mixed with its translation's when there is one.
        Sentences too short for a vector of their own (see :mod:`retrieve.sentences`) are left out.
        """
        store = self.sentences
        if store is None or not len(vectors):
            return {}
        return {p.chunk_id: {s: float(_mix(list(row), self.config.translation_weight))
                             for s, row in store.cosines(int(at), p.text, vectors).items()}
                for at, p in zip(rows, passages, strict=True)}

    @staticmethod
    def _rendered_tokens(expansion: Expansion, translation: str | None, query_tokens: list[str]) -> dict[str, float]:
        """BM25 tokens of the Chinese renderings (and the translation) the question lacks, with confidence."""
        extra: dict[str, float] = {}
        weights = expansion.term_weights() | (dict.fromkeys(tokenize(translation), 1.0) if translation else {})
        for term, confidence in weights.items():
            for token in tokenize(term):
                if token not in query_tokens:
                    extra[token] = max(extra.get(token, 0.0), confidence)
        return extra

    def _lexical(self, query_tokens: list[str], extra: dict[str, float], language: str,
                 translation: str | None, timings: dict[str, float]) -> np.ndarray:
        """BM25 of the question's tokens plus its renderings' (weighted by confidence); zeros when off."""
        cfg = self.config
        bm25 = np.zeros(self.index.dense.ntotal, dtype=np.float32)
        if not cfg.lexical:
            return bm25
        t = time.perf_counter()
        bm25 = self.index.bm25.get_scores(query_tokens) if query_tokens else bm25
        weight = cfg.for_language(cfg.expansion_weight, language) if not translation else 1.0
        for confidence in sorted(set(extra.values())) if weight else ():
            # One BM25 call per confidence level keeps each term's IDF and saturation as BM25 has them.
            tokens = [t for t, c in extra.items() if c == confidence]
            bm25 = bm25 + weight * confidence * self.index.bm25.get_scores(tokens)
        timings["bm25_ms"] = (time.perf_counter() - t) * 1000
        return np.asarray(bm25, dtype=np.float32)

    def _best(self, query: str, fused: np.ndarray, k: int,
              timings: dict[str, float]) -> tuple[np.ndarray, list[Passage]]:
        """The ``k`` best chunks (reordered by the cross-encoder when one is configured) as passages."""
        depth = max(k, self.rerank_candidates) if self.reranker else k
        order = top_k(fused, depth)
        passages = [self._passage(int(i), float(fused[i])) for i in order]
        if self.reranker:
            t = time.perf_counter()
            passages = self.reranker.rerank(query, passages, k)
            timings["rerank_ms"] = (time.perf_counter() - t) * 1000
            position = {c.chunk_id: i for i, c in enumerate(self.index.chunks)}
            order = np.array([position[p.chunk_id] for p in passages], dtype=np.int64)
        return order, passages

    @property
    def sentences(self) -> SentenceVectors | None:
        """The index's sentence vectors, read or built on first use (None for large indexes).

        ``qa.api.Pipeline.load`` asks for them, so a question never waits for the build.
        """
        with self._sentences_lock:  # concurrent first questions build them once
            if self._sentences is False:
                t = time.perf_counter()
                self._sentences = SentenceVectors.for_index(self.index, self.embedder, self.sentence_cache)
                log.info("sentence vectors ready in %.1f s", time.perf_counter() - t)
        return self._sentences or None

    def _rerank_by_coverage(self, fused: np.ndarray, expansion: Expansion,
                            language: str) -> tuple[np.ndarray, dict[int, float]]:
        """Boost the best candidates by their coverage of the question (title and heading count too)."""
        cfg = self.config
        weight = cfg.for_language(cfg.coverage_weight, language)
        if not weight or not expansion.concepts:
            return fused, {}
        # A word no passage uses ("put", "out") cannot tell candidates apart; as the rarest of words it
        # would still outweigh the rest and flatten every candidate's coverage.
        sure = expansion.concept_confidence or [1.0] * len(expansion.concepts)
        kept = [(c, conf) for c, conf in zip(expansion.concepts, sure, strict=True)
                if conf >= cfg.coverage_min_confidence and any(self.rarity.seen(form) for form in c)]
        if not kept:
            return fused, {}
        weighted = weigh([c for c, _ in kept], self.rarity)
        if cfg.for_language(cfg.coverage_visibility, language):
            # When little of the question can be matched word for word (an English question over Chinese
            # text), word coverage says little: scale it by the share of the question's words it can see.
            every = weigh(expansion.concepts, self.rarity)
            visible = sum(w for w, _ in weighted)
            weight *= visible / max(sum(w for w, _ in every), 1e-9)
            floor = cfg.coverage_named_floor
            weight *= floor + (1 - floor) * named_share(expansion, [c for c, _ in kept], weighted)
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

    @staticmethod
    def _lead(fused: np.ndarray, dense: np.ndarray, covered: dict[int, float]) -> tuple[float, float, float]:
        """How the best chunk by final score leads: over the runner-up's score, in cosine, and in coverage.

        Coverage is compared with the best other reranked candidate's; all three are 0 with no chunks.
        """
        best = top_k(fused, 2)
        if not len(best):
            return 0.0, 0.0, 0.0
        first = int(best[0])
        margin = float(fused[first] - fused[best[1]]) if len(best) > 1 else 0.0
        others = [v for i, v in covered.items() if i != first]
        coverage_margin = covered.get(first, 0.0) - max(others) if others else 0.0
        return margin, float(dense[first]), coverage_margin

    @staticmethod
    def _spread(dense: np.ndarray) -> float:
        nearest = dense[top_k(dense, SPREAD_DEPTH)]
        if nearest.size < 2:
            return 0.0
        return float((nearest[0] - nearest.mean()) / max(float(nearest.std()), 1e-6))

    def _dense_scores(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cosine per chunk: the question's own, mixed with its Chinese rendering's when there is one.

        With a ``sentence_weight``, each chunk's cosine is mixed with its best sentence's; the chunk-only scores
        are returned too, for the answer decision's signals. Beyond the nearest candidates of a large index, a
        chunk gets the lowest score seen.
        """
        n = self.index.dense.ntotal
        # Small indexes are scored exhaustively; large ones only around the nearest neighbours.
        depth = n if n <= FULL_SCORE_LIMIT else self.config.candidates
        scores, ids = self.index.dense.search(vectors, depth)
        store = self.sentences if self.config.sentence_weight else None
        rows, chunk_rows = [], []
        for vector, row_scores, row_ids in zip(vectors, scores, ids, strict=True):
            row = np.full(n, float(row_scores.min()), dtype=np.float32)
            valid = row_ids >= 0
            row[row_ids[valid]] = row_scores[valid]
            chunk_rows.append(row)
            if store is not None:
                share = self.config.sentence_weight
                best = store.best(vector, row)
                mixed = row.copy()
                mixed[row_ids[valid]] = (1 - share) * row[row_ids[valid]] + share * best[row_ids[valid]]
                row = mixed
            rows.append(row)
        share = self.config.translation_weight
        return _mix(rows, share), _mix(chunk_rows, share)

    def _fuse(self, dense: np.ndarray, bm25: np.ndarray, language: str) -> np.ndarray:
        if not self.config.lexical:
            return dense
        if not self.config.dense:
            return bm25
        w = self.config.for_language(self.config.dense_weight, language)
        return w * _minmax(dense) + (1 - w) * _minmax(bm25)

    def _passage(self, i: int, score: float) -> Passage:
        c = self.index.chunks[i]
        return Passage(c.doc_id, c.chunk_id, c.title, c.source, c.date, c.section, c.text, c.start, c.end,
                       round(score, 4))
