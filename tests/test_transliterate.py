"""Latin names found by the sound of the Chinese characters that spell them."""

from __future__ import annotations

from common.cedict import EnglishToChinese
from common.settings import get_settings
from retrieve.expand import QueryExpander
from retrieve.transliterate import SoundIndex, chinese_key, latin_key

CACHE = get_settings().data_dir / "cache"  # the reversed dictionary, built once and shared
TEXT = ("杰克逊维尔是佛罗里达州人口最多的城市。经济学家斯蒂格利茨和库兹涅茨研究了不平等。"
        "阿纳海姆位于加州。他们在杰克逊维尔大学读书。")


def test_both_spellings_reduce_to_the_same_consonants():
    assert latin_key("Jacksonville") == chinese_key("杰克逊维尔") == "KSNFL"
    assert latin_key("Stiglitz") == chinese_key("斯蒂格利茨")
    assert latin_key("Anaheim") == chinese_key("阿纳海姆")  # an opening vowel is kept, inner ones are not
    assert latin_key("Kuznets") != latin_key("Stiglitz")
    assert latin_key("Geelong") == chinese_key("基隆") and latin_key("Odinga") == chinese_key("奥廷加")  # -ng, -nga


def test_the_dictionary_knows_which_characters_spell_foreign_names():
    spelling = EnglishToChinese(CACHE).spelling_characters
    assert {"斯", "尔", "克", "维"} <= set(spelling)
    assert not {"的", "是", "了"} & set(spelling)


def test_a_name_is_found_once_even_inside_longer_runs():
    sounds = SoundIndex([TEXT], EnglishToChinese(CACHE).spelling_characters)
    assert sounds.find("Jacksonville") == (("杰克逊维尔",), True)  # 克逊维尔 is the same name, not another
    assert sounds.find("Stiglitz") == (("斯蒂格利茨",), True)
    assert sounds.find("Wittenberg") == ((), False)  # nothing in the text sounds like it
    assert sounds.find("Mies") == ((), False)  # two consonants would match too much


def test_an_english_question_finds_the_chinese_spelling_of_a_name():
    expander = QueryExpander({"杰克逊": 2, "维尔": 2, "城市": 1}, CACHE, texts=[TEXT])
    rendered = {r.text: r for r in expander.expand("What is the population of Jacksonville?", "en").renderings}
    assert rendered["jacksonville"].source == "sound" and rendered["jacksonville"].chinese == ("杰克逊维尔",)
    assert rendered["jacksonville"].confidence == 1.0
    # Acronyms are read letter by letter, and a word the dictionary knows is translated, not sounded out.
    for question in ("What did the NTL rebrand?", "What does the Kuznets curve Population mean?"):
        assert "population" not in {r.text for r in expander.expand(question, "en").renderings if r.source == "sound"}
        assert "ntl" not in {r.text for r in expander.expand(question, "en").renderings}
    assert not QueryExpander({}, CACHE).expand("What is Jacksonville?", "en").renderings  # no corpus texts


def test_an_english_reader_sees_the_name_as_the_question_spelled_it():
    from qa.api import spelled_names
    from qa.english import NameRenderer
    from retrieve.hybrid import Retrieval

    expander = QueryExpander({"杰克逊": 2, "维尔": 2}, CACHE, texts=[TEXT])
    question = "What is the population of Jacksonville?"
    retrieval = Retrieval([], "en", expander.expand(question, "en"), top_dense=0.8)
    names = spelled_names(question, retrieval)
    assert names == {"杰克逊维尔": "Jacksonville"}
    renderer = NameRenderer({"斯蒂格利茨": "Joseph Stiglitz", "维尔": "Vail"}).with_names(names)
    # In the order the sentence names them; 维尔 inside 杰克逊维尔 is not another name.
    assert renderer.names_in("斯蒂格利茨说杰克逊维尔很大。") == ["Joseph Stiglitz", "Jacksonville"]
    assert renderer.render("杰克逊维尔") == "Jacksonville (杰克逊维尔)"
    assert spelled_names("杰克逊维尔有多少人？", Retrieval([], "zh", expander.expand("杰克逊维尔", "zh"), 0.8)) == {}
