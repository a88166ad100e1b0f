"""Name pairs mined from bracketed originals in the corpus, and what they do for English questions."""

from __future__ import annotations

from pathlib import Path

from retrieve.expand import QueryExpander
from retrieve.names import mine_name_pairs

TEXT = ("弗里德里希·拉采尔（Friedrich Ratzel）提出了生存空间。后来拉采尔的学生继续研究。"
        "华沙证券交易所 (WSE) 成立于 1817 年。如今证券交易所有 374 家上市公司。"
        "这是一個(gè)注音。")


def test_bracketed_originals_map_to_the_chinese_name_the_text_uses_again():
    pairs = mine_name_pairs([TEXT])
    assert pairs["friedrich ratzel"] == ("拉采尔",)
    assert pairs["wse"] == ("证券交易所",)


def test_names_used_once_and_pinyin_readings_are_not_pairs():
    pairs = mine_name_pairs([TEXT, "他们赢得了 2000 年 Ekstraklasa 锦标赛。摩摩斯 (Momus) 是歌厅。"])
    assert "gè" not in pairs and "ge" not in pairs
    assert "momus" not in pairs  # 摩摩斯 never appears without its bracket, so no pair is needed


def test_a_mined_name_renders_an_english_question_with_certainty(tmp_path: Path):
    expander = QueryExpander({"证券": 2, "交易所": 2}, tmp_path, names=mine_name_pairs([TEXT]))
    expansion = expander.expand("When was the WSE founded?", "en")
    named = [r for r in expansion.renderings if r.source == "names"]
    assert named and named[0].chinese == ("证券交易所",) and named[0].confidence == 1.0
    assert "证券交易所" in expansion.term_weights()


def test_without_corpus_vocabulary_nothing_is_a_glossary_entity(tmp_path: Path):
    expander = QueryExpander({}, tmp_path)
    assert expander.find_entities("Who founded Amazon?") == []
    assert expander.expand("Who founded Amazon?", "en").entities == []
