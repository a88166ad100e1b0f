"""The reversed dictionary's cache: rebuilt when damaged, older versions removed."""

from __future__ import annotations

import json
import os

import common.cedict as cedict


def test_a_damaged_cache_is_rebuilt_and_older_versions_are_removed(tmp_path, monkeypatch):
    tiny = {"words": {"model": ["模型"]}, "names": {"melbourne": ["墨尔本"]}, "synonyms": {"创办": ["成立"]},
            "spelling": "斯尔"}
    monkeypatch.setattr(cedict, "_build", lambda: tiny)
    current = tmp_path / f"cedict-en-zh-v{cedict.CACHE_VERSION}.json"
    current.write_text("{}", encoding="utf-8")  # valid JSON, but not the tables
    old = tmp_path / "cedict-en-zh-v1.json"
    old.write_text("{}", encoding="utf-8")
    table = cedict.EnglishToChinese(tmp_path)
    assert table.lookup("models") == ["模型"] and table.synonyms("创办") == ["成立"]
    assert json.loads(current.read_text(encoding="utf-8")) == tiny and not old.exists()


def test_an_unchanged_cache_is_read_once_per_process_and_a_changed_one_again(tmp_path, monkeypatch):
    empty = {"words": {}, "names": {}, "synonyms": {}, "spelling": ""}
    monkeypatch.setattr(cedict, "_build", lambda: empty)
    path = tmp_path / f"cedict-en-zh-v{cedict.CACHE_VERSION}.json"
    path.write_text(json.dumps({**empty, "words": {"model": ["模型"]}}), encoding="utf-8")
    first, second = cedict.EnglishToChinese(tmp_path), cedict.EnglishToChinese(tmp_path)
    assert first._table is second._table and first.lookup("model") == ["模型"]
    path.write_text(json.dumps({**empty, "words": {"model": ["型号"]}}), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert cedict.EnglishToChinese(tmp_path).lookup("model") == ["型号"]
