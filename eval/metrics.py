"""Pure ranking and answer metrics (binary relevance), small enough to test by hand."""

from __future__ import annotations

import math
from collections.abc import Sequence

from common.textnorm import compact


def contains_quote(text: str, quotes: Sequence[str]) -> bool:
    """True when ``text`` holds any gold quote after NFKC, Traditional->Simplified and whitespace removal."""
    haystack = compact(text)
    return any(compact(q) in haystack for q in quotes if q.strip())


def recall_at(relevant: Sequence[bool], k: int) -> float:
    """1.0 when a relevant item is among the first ``k`` (one question's success at k)."""
    return 1.0 if any(relevant[:k]) else 0.0


def reciprocal_rank(relevant: Sequence[bool], k: int = 10) -> float:
    """1/rank of the first relevant item within ``k``, else 0."""
    for i, rel in enumerate(relevant[:k]):
        if rel:
            return 1.0 / (i + 1)
    return 0.0


def ndcg_at(relevant: Sequence[bool], n_relevant: int, k: int = 10) -> float:
    """Binary nDCG@k; ``n_relevant`` is how many relevant items exist in the whole collection."""
    dcg = sum(1.0 / math.log2(i + 2) for i, rel in enumerate(relevant[:k]) if rel)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(max(n_relevant, 0), k)))
    return dcg / ideal if ideal else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean; 0 for no values."""
    return sum(values) / len(values) if values else 0.0
