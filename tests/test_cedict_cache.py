"""The reversed dictionary's cache: rebuilt when damaged, older versions removed."""

from __future__ import annotations

import json

import common.cedict as cedict


def test_a_damaged_cache_is_rebuilt_and_older_versions_are_removed(tmp_path, monkeypatch):
    tiny = {"words": {"model": ["模型"]}, "names": {"melbourne": ["墨尔本"]}, "synonyms": {"创办": ["成立"]}}
    monkeypatch.setattr(cedict, "_build", lambda: tiny)
    current = tmp_path / f"cedict-en-zh-v{cedict.CACHE_VERSION}.json"
    current.write_text("{}", encoding="utf-8")  # valid JSON, but not the tables
    old = tmp_path / "cedict-en-zh-v1.json"
    old.write_text("{}", encoding="utf-8")
    table = cedict.EnglishToChinese(tmp_path)
    assert table.lookup("models") == ["模型"] and table.synonyms("创办") == ["成立"]
    assert json.loads(current.read_text(encoding="utf-8")) == tiny and not old.exists()
