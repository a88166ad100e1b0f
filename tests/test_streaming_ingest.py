"""Streaming, resumable ingestion: batches are cached as they are embedded, files are read one at a time."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path

import numpy as np
import pytest

from bench.hash_embedder import HASH_MODEL, HashEmbedder
from common.settings import ROOT, Settings
from index import build_index, load_index
from index.embed_stream import embed_text
from index.manifest import Manifest
from tests.conftest import cached_rows

COMPANIES = ["深度求索", "月之暗面", "智谱", "阶跃星辰", "百川智能", "零一万物", "MiniMax", "面壁智能"]


def write_corpus(folder: Path, start: int, count: int) -> None:
    """Articles of two or three chunks each, every sentence unique to its article."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        name = COMPANIES[i % len(COMPANIES)]
        paragraphs = [
            f"{name}第{i}号报告称，公司在杭州和北京扩大研发团队，新模型的推理成本下降了{i % 7 + 2}成。" * 3,
            "## 融资\n\n" + f"{name}在第{i}轮融资中获得投资，估值达到{i * 3}亿美元，投资方包括多家国有基金。" * 3,
            "## Products\n\n" + f"In release {i}, {name} shipped an open model that people run on their servers. " * 2,
        ]
        text = f"# {name}：第{i}篇\n\n" + "\n\n".join(paragraphs[: 2 + i % 2])
        (folder / f"doc{i:05d}.md").write_text(text, encoding="utf-8")


def make_settings(tmp_path: Path, *, batch: int) -> Settings:
    return Settings().with_(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data", embed_batch=batch,
                            model=HASH_MODEL)


class FailingEmbedder(HashEmbedder):
    """Embeds ``ok_calls`` batches, then fails like a crashed or interrupted model."""

    def __init__(self, ok_calls: int) -> None:
        super().__init__()
        self.ok_calls = ok_calls

    def embed_passages(self, texts, *, progress=False):
        if self.calls >= self.ok_calls:
            raise KeyboardInterrupt
        return super().embed_passages(texts, progress=progress)


def built_then_grown(tmp_path: Path, *, batch: int, built: int, total: int) -> tuple[Settings, Manifest]:
    """An index of the first ``built`` articles, with the folder then grown to ``total``."""
    settings = make_settings(tmp_path, batch=batch)
    write_corpus(settings.corpus_dir, 0, built)
    build_index(settings, HashEmbedder, HASH_MODEL)
    old = load_index(settings, HASH_MODEL).manifest
    write_corpus(settings.corpus_dir, built, total)
    return settings, old


def test_interrupted_build_keeps_old_index_and_the_next_embeds_only_the_rest(tmp_path: Path):
    settings, old = built_then_grown(tmp_path, batch=8, built=5, total=40)

    failing = FailingEmbedder(ok_calls=3)
    with pytest.raises(KeyboardInterrupt):
        build_index(settings, lambda: failing, HASH_MODEL)
    assert load_index(settings, HASH_MODEL).manifest == old  # the previous index still serves
    assert failing.texts > 0 and failing.calls == 3

    resumed = HashEmbedder()
    report = build_index(settings, lambda: resumed, HASH_MODEL)
    new_chunks = report.manifest.n_chunks - old.n_chunks
    assert new_chunks > failing.texts + 8  # the interruption really left work to do
    # Only what the interrupted build had not committed is embedded now.
    assert resumed.texts == report.embedded == new_chunks - failing.texts
    assert report.reused == old.n_chunks + failing.texts
    # Resumed vectors are exactly what a single uninterrupted build computes.
    data = load_index(settings, HASH_MODEL)
    expected = HashEmbedder().embed_passages([embed_text(c) for c in data.chunks])
    assert np.allclose(np.load(data.path / "vectors.npy"), expected)
    assert np.allclose(data.dense.index.reconstruct_n(0, data.dense.ntotal), expected)


def _run_cli(settings: Settings, *args: str) -> subprocess.Popen:
    env = os.environ | {"QA_DATA_DIR": str(settings.data_dir), "QA_CORPUS_DIR": str(settings.corpus_dir),
                        "QA_MODEL": HASH_MODEL, "QA_EMBED_BATCH": str(settings.embed_batch)}
    return subprocess.Popen([sys.executable, "-m", "tests.hash_index_cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_kill_9_mid_embedding_loses_at_most_one_batch(tmp_path: Path):
    settings, old = built_then_grown(tmp_path, batch=4, built=4, total=60)

    proc = _run_cli(settings, "--delay", "0.25", "build", "--force")
    deadline = time.monotonic() + 60
    while cached_rows(settings) < old.n_chunks + 12:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the build made no progress"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert load_index(settings, HASH_MODEL).manifest == old

    survived = cached_rows(settings)
    rerun = _run_cli(settings, "build", "--force")
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    embedded, reused = map(int, re.search(r"embedded (\d+), reused (\d+)", out).groups())
    n_chunks = load_index(settings, HASH_MODEL).manifest.n_chunks
    assert old.n_chunks + 12 <= survived < n_chunks
    assert embedded == n_chunks - survived and reused == survived


def test_files_are_read_one_at_a_time_while_embedding(tmp_path: Path, monkeypatch):
    settings = make_settings(tmp_path, batch=8)
    n_docs = 300
    write_corpus(settings.corpus_dir, 0, n_docs)
    import ingest.documents

    loaded: list[weakref.ref] = []
    real_load = ingest.documents.load_document

    def tracked_load(path):
        doc, warnings = real_load(path)
        loaded.append(weakref.ref(doc))
        return doc, warnings

    monkeypatch.setattr(ingest.documents, "load_document", tracked_load)
    seen: list[tuple[int, int]] = []  # (files read, documents alive) at each embedding batch

    class Watching(HashEmbedder):
        def embed_passages(self, texts, *, progress=False):
            seen.append((len(loaded), sum(ref() is not None for ref in loaded)))
            return super().embed_passages(texts, progress=progress)

    report = build_index(settings, Watching, HASH_MODEL)
    assert report.manifest.n_docs == len(loaded) == n_docs
    # Embedding starts long before the last file is read, and no more than the document being chunked
    # (plus the one just finished) is ever held in memory.
    assert len(seen) > 50 and seen[0][0] <= 5
    assert max(alive for _, alive in seen) <= 2
    # The documents went through the spool to disk intact.
    data = load_index(settings, HASH_MODEL)
    assert len(data.documents) == n_docs
    assert data.documents["doc00123"] == real_load(settings.corpus_dir / "doc00123.md")[0]
    assert "阶跃星辰第123号报告称" in data.documents["doc00123"].text


def test_unchanged_reingest_embeds_nothing_and_the_cache_follows_the_index(tmp_path: Path):
    settings = make_settings(tmp_path, batch=16)
    write_corpus(settings.corpus_dir, 0, 30)
    first = build_index(settings, HashEmbedder, HASH_MODEL)
    assert first.embedded == first.manifest.n_chunks and first.reused == 0

    def must_not_load():
        raise AssertionError("an unchanged corpus must not load the embedder")

    assert build_index(settings, must_not_load, HASH_MODEL).skipped_build
    forced = build_index(settings, must_not_load, HASH_MODEL, force=True)
    assert forced.embedded == 0 and forced.reused == forced.manifest.n_chunks

    # Removed articles leave the cache when the next build completes.
    for path in sorted(settings.corpus_dir.iterdir())[:10]:
        path.unlink()
    smaller = build_index(settings, must_not_load, HASH_MODEL)
    assert smaller.embedded == 0 and cached_rows(settings) == smaller.manifest.n_chunks < first.manifest.n_chunks

    # A lost cache is refilled from the index's raw vectors; a damaged one is replaced.
    settings.embed_cache_path.unlink()
    assert build_index(settings, must_not_load, HASH_MODEL, force=True).embedded == 0
    settings.embed_cache_path.write_bytes(b"this is not a database" * 100)
    again = build_index(settings, must_not_load, HASH_MODEL, force=True)
    assert again.embedded == 0 and cached_rows(settings) == again.manifest.n_chunks
