import faiss
import numpy as np
import pytest

from index.choose import (
    FLAT_MAX,
    HNSW_MAX,
    KINDS,
    TINY,
    choose_index_kind,
    hnsw_ef_search,
    ivf_nprobe,
    make_dense_index,
    refine_k_factor,
)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """5k clustered unit vectors, 50 queries near stored vectors, and the exact top-10 of each query."""
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((100, 64)).astype(np.float32)
    x = centres[rng.integers(0, 100, 5000)] + 0.3 * rng.standard_normal((5000, 64)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q = x[rng.choice(5000, 50, replace=False)] + 0.05 * rng.standard_normal((50, 64)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    truth = np.argsort(-(q @ x.T), axis=1)[:, :10]
    return x, q, truth


def test_thresholds_pick_the_measured_kind() -> None:
    assert TINY <= FLAT_MAX < HNSW_MAX
    assert choose_index_kind(0) == "flat"
    assert choose_index_kind(200) == "flat"
    assert choose_index_kind(FLAT_MAX - 1) == "flat"
    assert choose_index_kind(FLAT_MAX) == "hnsw"
    assert choose_index_kind(HNSW_MAX - 1) == "hnsw"
    assert choose_index_kind(HNSW_MAX) == "ivfpq"
    assert choose_index_kind(10**8) == "ivfpq"


def test_override_wins_above_tiny_corpora() -> None:
    assert choose_index_kind(FLAT_MAX * 2, "flat") == "flat"
    assert choose_index_kind(TINY, "ivfpq") == "ivfpq"
    assert choose_index_kind(TINY, " HNSW ") == "hnsw"
    assert choose_index_kind(FLAT_MAX, "auto") == choose_index_kind(FLAT_MAX, None) == choose_index_kind(FLAT_MAX, "")
    assert choose_index_kind(TINY - 1, "hnsw") == "flat"


@pytest.mark.parametrize("bad", ["annoy", "IVF4096,PQ48", "flat!"])
def test_unknown_kinds_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown index kind"):
        choose_index_kind(10_000, bad)
    with pytest.raises(ValueError, match="unknown index kind"):
        make_dense_index(np.zeros((10, 4), np.float32), bad)


def test_search_settings_grow_with_size() -> None:
    sizes = [TINY, FLAT_MAX, 10 * FLAT_MAX, HNSW_MAX, 10 * HNSW_MAX]
    for setting in (hnsw_ef_search, ivf_nprobe, refine_k_factor):
        values = [setting(n) for n in sizes]
        assert values == sorted(values)
        assert all(v >= 1 for v in values)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_finds_the_true_neighbours(kind: str, data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    x, q, truth = data
    index = make_dense_index(x, kind)
    assert index.ntotal == len(x) and index.d == x.shape[1]
    assert index.metric_type == faiss.METRIC_INNER_PRODUCT
    _, found = index.search(q, 10)
    recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)])
    assert recall >= 0.9, f"{kind}: recall@10 {recall:.3f}"
    assert np.mean(found[:, 0] == truth[:, 0]) >= 0.9


def test_kinds_build_the_expected_faiss_types(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    x = data[0][:2000]
    assert isinstance(make_dense_index(x, "flat"), faiss.IndexFlatIP)
    hnsw = make_dense_index(x, "hnsw")
    assert isinstance(hnsw, faiss.IndexHNSWFlat) and hnsw.hnsw.efSearch == hnsw_ef_search(len(x))
    ivf = make_dense_index(x, "ivfpq")
    assert isinstance(ivf, faiss.IndexRefine) and ivf.k_factor == refine_k_factor(len(x))
    assert isinstance(faiss.downcast_index(ivf.base_index), faiss.IndexIVFPQ)
    # Search settings survive a save and load.
    again = faiss.deserialize_index(faiss.serialize_index(ivf))
    assert faiss.extract_index_ivf(again).nprobe == faiss.extract_index_ivf(ivf).nprobe
    assert faiss.deserialize_index(faiss.serialize_index(hnsw)).hnsw.efSearch == hnsw.hnsw.efSearch


def test_tiny_corpora_are_always_flat() -> None:
    x = np.random.default_rng(0).standard_normal((TINY - 1, 16)).astype(np.float32)
    for kind in KINDS:
        assert isinstance(make_dense_index(x, kind), faiss.IndexFlatIP)
