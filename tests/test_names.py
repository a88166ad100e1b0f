"""Name pairs mined from bracketed originals in the corpus, and what they do for English questions."""

from __future__ import annotations

from common.settings import get_settings
from retrieve.expand import QueryExpander
from retrieve.names import mine_name_pairs

CACHE = get_settings().data_dir / "cache"  # the reversed dictionary, built once and shared
TEXT = ("弗里德里希·拉采尔（Friedrich Ratzel）提出了生存空间。后来拉采尔的学生继续研究。"
        "华沙证券交易所 (WSE) 成立于 1817 年。如今证券交易所有 374 家上市公司。"
        "这是一個(gè)注音。")


def test_bracketed_originals_map_to_the_chinese_name_the_text_uses_again():
    pairs = mine_name_pairs([TEXT])
    assert pairs.to_chinese["friedrich ratzel"] == ("拉采尔",)
    assert pairs.to_chinese["wse"] == ("证券交易所",)
    # Back to English as the text writes it, for answers to English questions.
    assert pairs.to_english == {"拉采尔": "Friedrich Ratzel", "证券交易所": "WSE"}


def test_names_used_once_and_pinyin_readings_are_not_pairs():
    pairs = mine_name_pairs([TEXT, "他们赢得了 2000 年 Ekstraklasa 锦标赛。摩摩斯 (Momus) 是歌厅。"]).to_chinese
    assert "gè" not in pairs and "ge" not in pairs
    assert "momus" not in pairs  # 摩摩斯 never appears without its bracket, so no pair is needed


def test_a_mined_name_renders_an_english_question_with_certainty():
    expander = QueryExpander({"证券": 2, "交易所": 2}, CACHE, names=mine_name_pairs([TEXT]).to_chinese)
    expansion = expander.expand("When was the WSE founded?", "en")
    named = [r for r in expansion.renderings if r.source == "names"]
    assert named and named[0].chinese == ("证券交易所",) and named[0].confidence == 1.0
    assert "证券交易所" in expansion.term_weights()


def test_without_corpus_vocabulary_nothing_is_a_glossary_entity():
    expander = QueryExpander({}, CACHE)
    assert expander.find_entities("Who founded Amazon?") == []
    assert expander.expand("Who founded Amazon?", "en").entities == []


def test_answers_in_english_show_mined_names_the_glossary_lacks():
    from qa.english import NameRenderer
    from retrieve.expand import Entity

    mined = mine_name_pairs([TEXT]).to_english
    renderer = NameRenderer.from_entities([Entity("org", ("证券交易所",), ("Stock Exchange",))], mined)
    assert renderer.english("拉采尔") == "Friedrich Ratzel"
    assert renderer.english("证券交易所") == "Stock Exchange"  # the corpus's own glossary comes first


def test_a_name_spelled_in_pinyin_finds_the_corpus_word():
    expander = QueryExpander({"杨植麟": 3, "星野": 2, "我们": 40, "妇女": 1}, CACHE)
    rendered = {r.text: r.chinese for r in expander.expand("Who is Yang Zhilin and what is Xingye?", "en").renderings}
    assert rendered["yang zhilin"] == ("杨植麟",)  # a run of capitalised words, tried whole
    assert rendered["xingye"] == ("星野",)
    women = expander.expand("Who leads the Women team?", "en").renderings
    assert all(r.source != "pinyin" for r in women)  # an English word, even where its letters spell 我们
    assert all(r.source != "pinyin" for r in expander.expand("what is xingye?", "en").renderings)  # not a name
    assert expander.expand("Xingye launched when?", "en").renderings[0].chinese == ("星野",)  # first word too
