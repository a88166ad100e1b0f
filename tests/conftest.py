"""Shared fixtures: the real corpus and settings pointing at a private data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.settings import ROOT, Settings

CORPUS = ROOT / "data" / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


def read_doc(name: str) -> str:
    return next(CORPUS.glob(f"{name}*")).read_text(encoding="utf-8")


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Settings:
    """Settings with a private data dir (the converted model is shared through the real cache)."""
    return Settings().with_(data_dir=tmp_path / "data")
