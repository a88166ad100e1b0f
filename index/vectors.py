"""Where the dense vectors live: an embedded FAISS index (default) or a Milvus collection.

Retrieval and the build only need what :class:`VectorStore` offers: the number of vectors, their
dimension, and a batched inner-product search returning ``(scores, ids)`` like faiss, ids being row
numbers of the chunk table. The chunk table, documents and BM25 stay on local disk with either store.

FAISS writes ``dense.faiss`` into the build folder. Milvus gets one collection per build, named after
the build folder, so a rebuild fills a new collection while the current one keeps serving; the old
collection is dropped with its build folder once the new index is swapped in. ``MilvusClient`` talks
to a server (``http://host:19530``) or, for a path ending in ``.db``, runs Milvus Lite in-process.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import faiss
import numpy as np

from common.errors import IndexMissingError, QAError, VectorStoreError
from common.settings import Settings
from index.choose import HNSW_EF_CONSTRUCTION, HNSW_M, hnsw_ef_search, make_dense_index

if TYPE_CHECKING:
    from pymilvus import MilvusClient

log = logging.getLogger(__name__)
# Milvus Lite logs a traceback when it cannot open its file (e.g. another process holds it); the failure
# reaches the user as a VectorStoreError instead.
logging.getLogger("milvus_lite.server_manager").setLevel(logging.CRITICAL)

STORES = ("faiss", "milvus")
FAISS_FILE = "dense.faiss"
REBUILD_HINT = "rebuild it with `make index` (or `python -m index build --force`)"
# Milvus rejects larger result windows (its topk limit).
MILVUS_MAX_K = 16_384
MILVUS_INSERT_BATCH = 2_000
_ID, _VECTOR = "id", "vector"


class VectorStore(Protocol):
    """The dense index as retrieval sees it."""

    @property
    def ntotal(self) -> int:
        """Number of stored vectors (rows of the chunk table)."""
        ...

    @property
    def dim(self) -> int:
        """Vector dimension."""
        ...

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows per query by inner product: ``(scores, ids)``, both ``(len(queries), k)``."""
        ...


def check_store_name(name: str) -> str:
    """Return the normalised ``QA_VECTOR_STORE`` value, or raise a :class:`QAError` naming the choices."""
    store = name.strip().lower()
    if store not in STORES:
        raise QAError(f"QA_VECTOR_STORE: unknown vector store {name!r}; use one of {', '.join(STORES)}")
    return store


class FaissStore:
    """An in-process FAISS index, saved as ``dense.faiss`` in the build folder."""

    def __init__(self, index: faiss.Index) -> None:
        """Wrap a filled faiss index."""
        self.index = index

    @classmethod
    def from_vectors(cls, vectors: np.ndarray, kind: str) -> FaissStore:
        """Build the ``kind`` index chosen by :mod:`index.choose` over ``vectors``."""
        return cls(make_dense_index(vectors, kind))

    @classmethod
    def load(cls, folder: Path) -> FaissStore:
        """Read ``dense.faiss`` from a build folder (faiss raises ``RuntimeError`` on a damaged file)."""
        return cls(faiss.read_index(str(folder / FAISS_FILE)))

    def save(self, folder: Path) -> None:
        """Write ``dense.faiss`` into a build folder."""
        try:
            faiss.write_index(self.index, str(folder / FAISS_FILE))
        except RuntimeError as exc:  # FAISS reports failed writes (disk full) as RuntimeError
            raise OSError(str(exc).strip().splitlines()[-1]) from exc

    @property
    def ntotal(self) -> int:
        """Number of stored vectors."""
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return int(self.index.d)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Inner-product search; missing results have id -1, as faiss gives them."""
        return self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)


def collection_name(prefix: str, build_id: str) -> str:
    """The Milvus collection of one build: letters, digits and underscores only, as Milvus requires."""
    name = re.sub(r"[^0-9A-Za-z_]", "_", f"{prefix}_{build_id}")
    return name if re.match(r"[A-Za-z_]", name) else f"_{name}"


def _is_local(uri: str) -> bool:
    return "://" not in uri


@lru_cache(maxsize=8)
def _client(uri: str, token: str, timeout: float) -> MilvusClient:
    """One client per address and process (Milvus Lite starts its engine once per file)."""
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise VectorStoreError("QA_VECTOR_STORE=milvus needs pymilvus (and milvus-lite for a local .db file): "
                               "pip install pymilvus milvus-lite") from exc
    try:
        if _is_local(uri):
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        return MilvusClient(uri=uri, token=token, timeout=timeout)
    except Exception as exc:  # pymilvus raises MilvusException, gRPC or OS errors depending on the transport
        raise _unreachable(uri, exc) from exc


def _unreachable(uri: str, exc: Exception) -> VectorStoreError:
    detail = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if _is_local(uri):
        return VectorStoreError(f"cannot use Milvus at {uri} ({detail}); a Milvus Lite file needs a writable "
                                "folder and serves one process at a time: stop the other process, or point "
                                "QA_MILVUS_URI at a Milvus server, or set QA_VECTOR_STORE=faiss")
    return VectorStoreError(f"cannot use Milvus at {uri} ({detail}); check QA_MILVUS_URI (and QA_MILVUS_TOKEN "
                            "for a cluster) and that the server is running, or set QA_VECTOR_STORE=faiss")


def milvus_client(settings: Settings) -> MilvusClient:
    """A connected client for ``settings.milvus_address``; unreachable servers raise :class:`VectorStoreError`."""
    return _client(settings.milvus_address, settings.milvus_token, settings.milvus_timeout)


def _milvus_index(kind: str, n_vectors: int) -> tuple[dict, dict]:
    """Milvus index and search parameters for the FAISS kind chosen by size.

    ``flat`` is exact (FLAT). Both ANN kinds use HNSW with the parameters measured for FAISS: Milvus has
    no IVF-PQ with re-scoring, and on a cluster HNSW's memory is spread over the query nodes.
    """
    if kind == "flat":
        return {"index_type": "FLAT", "params": {}}, {}
    return ({"index_type": "HNSW", "params": {"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION}},
            {"ef": hnsw_ef_search(n_vectors)})


class MilvusStore:
    """One build's vectors in a Milvus collection (ids are chunk-table rows, metric inner product)."""

    def __init__(self, client: MilvusClient, uri: str, collection: str, ntotal: int, dim: int,
                 search_params: dict) -> None:
        """Bind an open collection; use :meth:`create` or :meth:`open`."""
        self.client = client
        self.uri = uri
        self.collection = collection
        self._ntotal = ntotal
        self._dim = dim
        self._search_params = search_params

    @classmethod
    def create(cls, settings: Settings, collection: str, vectors: np.ndarray, kind: str) -> MilvusStore:
        """Create ``collection``, fill it with ``vectors`` and index it (an existing one is replaced)."""
        from pymilvus import DataType, MilvusClient

        client, uri = milvus_client(settings), settings.milvus_address
        x = np.ascontiguousarray(vectors, dtype=np.float32)
        n, dim = x.shape
        index, search = _milvus_index(kind, n)
        try:
            if client.has_collection(collection):
                client.drop_collection(collection)
            schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
            schema.add_field(_ID, DataType.INT64, is_primary=True)
            schema.add_field(_VECTOR, DataType.FLOAT_VECTOR, dim=dim)
            params = client.prepare_index_params()
            params.add_index(_VECTOR, index_type=index["index_type"], metric_type="IP", params=index["params"])
            # Strong consistency: the collection is written once, and the first query right after the
            # build must see every row.
            client.create_collection(collection, schema=schema, index_params=params, consistency_level="Strong")
            for start in range(0, n, MILVUS_INSERT_BATCH):
                rows = x[start:start + MILVUS_INSERT_BATCH]
                client.insert(collection, [{_ID: start + i, _VECTOR: v} for i, v in enumerate(rows.tolist())])
            client.flush(collection)
            client.load_collection(collection)
        except Exception as exc:
            raise _unreachable(uri, exc) from exc
        return cls(client, uri, collection, n, dim, search)

    @classmethod
    def open(cls, settings: Settings, collection: str, kind: str) -> MilvusStore:
        """Open the collection a build wrote; a missing one raises :class:`IndexMissingError`."""
        client, uri = milvus_client(settings), settings.milvus_address
        try:
            if not client.has_collection(collection):
                raise IndexMissingError(f"the index's vectors (Milvus collection {collection!r}) are not at {uri}; "
                                        + REBUILD_HINT)
            fields = client.describe_collection(collection)["fields"]
            dim = next(int(f["params"]["dim"]) for f in fields if f["name"] == _VECTOR)
            client.load_collection(collection)
            ntotal = int(client.get_collection_stats(collection)["row_count"])
        except QAError:
            raise
        except Exception as exc:
            raise _unreachable(uri, exc) from exc
        return cls(client, uri, collection, ntotal, dim, _milvus_index(kind, ntotal)[1])

    @property
    def ntotal(self) -> int:
        """Number of stored vectors."""
        return self._ntotal

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return self._dim

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Inner-product search like faiss; rows with fewer than ``k`` hits are padded with id -1.

        The padding scores repeat the row's lowest real score, so a floor taken over all scores stays finite.
        """
        q = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self._dim)
        limit = max(1, min(k, self._ntotal, MILVUS_MAX_K))
        params = {"metric_type": "IP", "params": {key: max(v, limit) for key, v in self._search_params.items()}}
        try:
            hits = self.client.search(self.collection, data=q.tolist(), limit=limit, search_params=params,
                                      anns_field=_VECTOR)
        except Exception as exc:
            raise VectorStoreError(
                f"Milvus search in collection {self.collection!r} at {self.uri} failed "
                f"({getattr(exc, 'message', None) or exc}); if the index was rebuilt since this process "
                "started, restart it to load the new one") from exc
        scores = np.zeros((len(q), k), dtype=np.float32)
        ids = np.full((len(q), k), -1, dtype=np.int64)
        for row, row_hits in enumerate(hits):
            found = len(row_hits)
            ids[row, :found] = [int(h["id"]) for h in row_hits]
            scores[row, :found] = [float(h["distance"]) for h in row_hits]
            scores[row, found:] = scores[row, :found].min() if found else 0.0
        return scores, ids


def build_vector_store(settings: Settings, vectors: np.ndarray, kind: str, folder: Path) -> tuple[VectorStore, str]:
    """Store one build's vectors: ``dense.faiss`` in ``folder``, or a Milvus collection named after it.

    Returns the store and the collection name ("" for FAISS), which the manifest records.
    """
    if check_store_name(settings.vector_store) == "faiss":
        store = FaissStore.from_vectors(vectors, kind)
        store.save(folder)
        return store, ""
    collection = collection_name(settings.milvus_collection_prefix, folder.name)
    return MilvusStore.create(settings, collection, vectors, kind), collection


def open_vector_store(settings: Settings, store: str, collection: str, kind: str, folder: Path) -> VectorStore:
    """Open the vectors of the build in ``folder`` from the store its manifest names."""
    if store == "milvus":
        return MilvusStore.open(settings, collection, kind)
    return FaissStore.load(folder)


def drop_collection(settings: Settings, collection: str) -> None:
    """Drop a superseded build's collection; failures only warn, since the new index already serves."""
    try:
        client = milvus_client(settings)
        if client.has_collection(collection):
            client.drop_collection(collection)
    except Exception as exc:  # a stale collection costs space, not correctness
        log.warning("could not drop the old Milvus collection %r at %s: %s", collection,
                    settings.milvus_address, exc)
