"""Picking the best fused scores: a partial sort at scale gives the same ranking as a full sort."""

from __future__ import annotations

import numpy as np
import pytest

from retrieve.hybrid import FULL_SCORE_LIMIT, top_k


@pytest.mark.parametrize("n", [50, FULL_SCORE_LIMIT + 1, 200_000])
def test_top_k_matches_a_full_stable_sort(n):
    rng = np.random.default_rng(n)
    scores = rng.random(n).astype(np.float32)
    scores[rng.integers(0, n, n // 10)] = 0.5  # ties must keep index order, as the full sort does
    for k in (1, 5, 20):
        assert top_k(scores, k).tolist() == np.argsort(-scores, kind="stable")[:k].tolist()


def test_top_k_with_k_beyond_the_corpus_returns_everything():
    scores = np.array([0.1, 0.9, 0.5], dtype=np.float32)
    assert top_k(scores, 10).tolist() == [1, 2, 0]
