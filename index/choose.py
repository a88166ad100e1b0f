"""Pick and build the dense (FAISS) index type from the corpus size.

The thresholds and search settings come from ``python -m bench.scale`` on the 2-core box: a
synthetic e5-small corpus grown from the real chunk vectors, the 50 first evaluation questions as
queries, recall@10 measured against exact search (IndexFlatIP), single-query p50 latency with one and
two OpenMP threads. Measured (p50 1 thread / 2 threads; size as serialized, MB = 2**20 bytes):

==========  ===========================  ==============================  =========================================
N           flat                         HNSW32 (efSearch for R>=0.95)   IVF-PQ96 + SQ8 re-scoring (for R>=0.95)
==========  ===========================  ==============================  =========================================
10,000      0.94 / 1.4 ms, 15 MB         ef=64: 0.15 ms, R .978, 17 MB,  nprobe=32, k_factor=8: 0.19 ms, R .954,
                                         built in 0.5 s                  5.6 MB, built in 10 s
100,000     9.9 / 14 ms, 147 MB          ef=512: 1.2 ms, R .958,         nprobe=128, k_factor=16: 0.9 ms, R .952,
                                         172 MB, 7.5 s                   49 MB, 18 s
1,000,000   105 / 151 ms, 1465 MB        ef=1024: 4.9 ms, R .974,        nprobe=256, k_factor=64: 7.3 ms, R .950,
                                         1724 MB, 180 s                  472 MB, 70 s
==========  ===========================  ==============================  =========================================

Choices:

- ``flat`` below ``FLAT_MAX`` = 20,000 vectors: exact, no build step, and at ~0.1 us per vector per
  query (1 thread) it stays under ~2 ms, a small fraction of the ~15 ms query embedding. At 100k it
  would be 10-14 ms per query variant; HNSW answers in 1.2 ms there.
- ``hnsw`` (M=32, efConstruction=40) from 20k up to ``HNSW_MAX`` = 1,000,000: the fastest kind that
  reaches recall@10 >= 0.95 at every size measured, but it keeps the float vectors plus the graph
  (~1.8 KB per vector: 1724 MB at 1M) and its build grows faster than linearly (180 s at 1M).
- ``ivfpq`` from 1M: at 1M it also reaches 0.95 with 3.7x less memory (472 vs 1724 MB) and a 2.6x
  faster build, for +2.4 ms per query; beyond 1M HNSW would add another ~1.7 GB per million vectors.
  IVF-PQ alone never reaches the target on e5 vectors (best recall@10: 0.71 at 10k, 0.52 at 100k,
  0.42 at 1M with m=96; worse with m=48): at 100k a query's true top-10 span only ~0.005 cosine,
  finer than PQ's error (its 10th result falls 0.0025-0.006 below the true 10th). So the ``ivfpq``
  kind is IVF-PQ (nlist ~ 4 sqrt(N), m=96, 8 bits) whose ``k_factor * k`` best candidates are
  re-scored with 8-bit scalar-quantized vectors (faiss ``IndexRefine``, ~500 bytes per vector).
  m=48 was only 10% smaller and peaked at recall 0.87 at 1M.
- Below ``TINY`` = 1,000 vectors every kind is built as flat: ANN structures buy nothing there and
  IVF-PQ has too few points to train its lists and 256-entry codebooks.

Misses at these settings are near-ties: the exact cosine of the returned 10th result is on average
within 0.0001 of the true 10th. Search settings between measured sizes use the setting of the next
larger measured size; beyond 1M nprobe grows with nlist (sqrt(N)), which is an extrapolation.
"""

from __future__ import annotations

import math

import faiss
import numpy as np

KINDS = ("flat", "hnsw", "ivfpq")
AUTO = ("", "auto")

TINY = 1_000
FLAT_MAX = 20_000
HNSW_MAX = 1_000_000

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 40
PQ_M = 96
PQ_BITS = 8
REFINE = "SQ8"
MIN_POINTS_PER_CENTROID = 16
MAX_POINTS_PER_CENTROID = 20
TRAIN_NITER = 10
PQ_TRAIN_NITER = 10
PQ_MAX_POINTS_PER_CENTROID = 64

# (largest N, setting) measured to give recall@10 >= 0.95; the last entry also covers larger N.
_HNSW_EF = ((10_000, 64), (100_000, 512), (1_000_000, 1024))
_IVF_NPROBE = ((10_000, 32), (100_000, 128), (1_000_000, 256))
_REFINE_K_FACTOR = ((10_000, 8), (100_000, 16), (1_000_000, 64))


def _measured(table: tuple[tuple[int, int], ...], n_vectors: int) -> int:
    return next((value for limit, value in table if n_vectors <= limit), table[-1][1])


def hnsw_ef_search(n_vectors: int) -> int:
    """The HNSW efSearch measured to give recall@10 >= 0.95 at this size."""
    return _measured(_HNSW_EF, n_vectors)


def ivf_nprobe(n_vectors: int) -> int:
    """The IVF nprobe measured to give recall@10 >= 0.95 (with SQ8 re-scoring) at this size."""
    limit, nprobe = _IVF_NPROBE[-1]
    if n_vectors <= limit:
        return _measured(_IVF_NPROBE, n_vectors)
    return math.ceil(nprobe * math.sqrt(n_vectors / limit))  # same share of the lists as at the last size


def refine_k_factor(n_vectors: int) -> int:
    """How many IVF-PQ candidates per requested result are re-scored with the SQ8 codes."""
    return _measured(_REFINE_K_FACTOR, n_vectors)


def nlist_for(n_vectors: int) -> int:
    """IVF lists: about 4 * sqrt(N), but never fewer than 16 training points per list."""
    return max(1, min(round(4 * math.sqrt(max(n_vectors, 1))), n_vectors // MIN_POINTS_PER_CENTROID))


def pq_m_for(dim: int, m: int = PQ_M) -> int:
    """The largest number of PQ sub-quantizers <= ``m`` that divides ``dim`` into pieces of >= 4 dimensions."""
    return next((k for k in range(min(m, dim // 4), 0, -1) if dim % k == 0), 1)


def configure_pq_training(ivf: faiss.IndexIVFPQ) -> None:
    """Cheaper PQ codebook training (10 k-means iterations on <= 16k residuals): SQ8 re-scoring hides the loss."""
    ivf.pq.cp.niter = PQ_TRAIN_NITER
    ivf.pq.cp.max_points_per_centroid = PQ_MAX_POINTS_PER_CENTROID
    ivf.pq.cp.min_points_per_centroid = 1  # small corpora: no warning per sub-quantizer


def train_sample(vectors: np.ndarray, nlist: int, seed: int = 0) -> np.ndarray:
    """A random subset big enough to train ``nlist`` coarse centroids and the PQ codebooks."""
    size = max(nlist * MAX_POINTS_PER_CENTROID, 256 * 40)
    if len(vectors) <= size:
        return vectors
    rows = np.sort(np.random.default_rng(seed).choice(len(vectors), size, replace=False))
    return vectors[rows]


def choose_index_kind(n_vectors: int, override: str | None = None) -> str:
    """Return "flat", "hnsw" or "ivfpq" for an index of ``n_vectors`` vectors.

    ``override`` (e.g. from a setting) forces a kind; ``None``, "" or "auto" choose by size. Below
    ``TINY`` vectors the answer is always "flat". An unknown kind raises :class:`ValueError`.
    """
    kind = (override or "").strip().lower()
    if kind not in AUTO and kind not in KINDS:
        raise ValueError(f"unknown index kind {override!r}; use one of {', '.join(KINDS)} or 'auto'")
    if n_vectors < TINY:
        return "flat"
    if kind in KINDS:
        return kind
    if n_vectors < FLAT_MAX:
        return "flat"
    return "hnsw" if n_vectors < HNSW_MAX else "ivfpq"


def make_dense_index(vectors: np.ndarray, kind: str) -> faiss.Index:
    """Build a filled inner-product index of ``kind`` over L2-normalised ``vectors``, search settings included.

    The search settings (efSearch, nprobe, k_factor) are stored with the index by ``faiss.write_index``.
    Fewer than ``TINY`` vectors always give a flat index.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown index kind {kind!r}; use one of {', '.join(KINDS)}")
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array, got shape {x.shape}")
    n, dim = x.shape
    if kind == "flat" or n < TINY:
        index = faiss.IndexFlatIP(dim)
        index.add(x)
        return index
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.add(x)
        index.hnsw.efSearch = hnsw_ef_search(n)
        return index
    nlist = nlist_for(n)
    # "np": no polysemous training, which index_factory would otherwise run (slow, and unused here).
    index = faiss.index_factory(dim, f"IVF{nlist},PQ{pq_m_for(dim)}x{PQ_BITS}np,Refine({REFINE})",
                                faiss.METRIC_INNER_PRODUCT)
    ivf = faiss.downcast_index(faiss.extract_index_ivf(index))
    ivf.cp.min_points_per_centroid = MIN_POINTS_PER_CENTROID
    ivf.cp.niter = TRAIN_NITER
    configure_pq_training(ivf)
    index.train(train_sample(x, nlist))
    index.add(x)
    ivf.nprobe = min(nlist, ivf_nprobe(n))
    index.k_factor = refine_k_factor(n)
    return index
