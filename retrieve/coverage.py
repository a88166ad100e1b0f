"""How much of a question a text mentions: IDF-weighted coverage of the question's concepts.

Used to rerank the fused candidates (a passage naming the company *and* the figure asked for beats a
neighbour that only names the company), to pick quoted sentences and to decide when to abstain.
"""

from __future__ import annotations

import math
from functools import lru_cache

from common.textnorm import compact
from common.tokenize import tokenize
from index.bm25_stats import document_frequencies
from index.store import IndexData


class TermRarity:
    """Inverse document frequency of index tokens; words the index never saw count as rarest."""

    def __init__(self, index: IndexData) -> None:
        """Read document frequencies from the BM25 index."""
        self._df = document_frequencies(index.bm25)
        self._n = max(index.dense.ntotal, 1)
        # Concept words repeat within a question (rerank, abstention, quotes) and across questions.
        self._idf = lru_cache(maxsize=8192)(self._rarest)

    @property
    def doc_freq(self) -> dict[str, int]:
        """How many passages hold each index token."""
        return self._df

    @property
    def passages(self) -> int:
        """How many passages the index holds."""
        return self._n

    def seen(self, text: str) -> bool:
        """Whether every token of ``text`` occurs somewhere in the index."""
        tokens = tokenize(text)
        return bool(tokens) and all(t in self._df for t in tokens)

    def idf(self, text: str) -> float:
        """IDF of the rarest token of ``text``."""
        return self._idf(text)

    def rarest_doc_freq(self, text: str) -> int:
        """Passages holding the rarest token of ``text`` (0 when the corpus never writes it)."""
        return min((self._df.get(t, 0) for t in tokenize(text)), default=0)

    def _rarest(self, text: str) -> float:
        # The Lucene IDF, as bm25s's default scorer has it, of the rarest token: the fewer passages, the higher.
        d = self.rarest_doc_freq(text)
        return math.log(1 + (self._n - d + 0.5) / (d + 0.5))


WeightedConcepts = list[tuple[float, list[str]]]


def weigh(concepts: list[list[str]], rarity: TermRarity) -> WeightedConcepts:
    """Each concept's weight (IDF of its most common form) with its forms in compact searchable shape.

    Computed once per question, since every passage and sentence is then scored against it.
    """
    return [(min(rarity.idf(a) for a in alternatives), [c for c in map(compact, alternatives) if c])
            for alternatives in concepts]


def coverage(weighted: WeightedConcepts, passage_text: str) -> float:
    """IDF-weighted share of the question's concepts that the passage mentions in any accepted form."""
    haystack = compact(passage_text)
    total = sum(weight for weight, _ in weighted)
    covered = sum(weight for weight, forms in weighted if any(f in haystack for f in forms))
    return covered / total if total else 0.0
