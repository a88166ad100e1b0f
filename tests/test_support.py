from __future__ import annotations

import pytest

from common.settings import Settings
from eval.citations import KINDS, load_pairs
from llm import figures
from llm.support import SupportJudge

PASSAGE = ("月之暗面成立于2023年，创始人杨植麟来自中国清华大学。"
           "据CB Insights的数据，截至1月，月之暗面的企业估值已达到33亿美元。")


@pytest.mark.parametrize(("sentence", "passage"), [
    ("Moonshot AI was valued at $3.3 billion.", "估值已达到33亿美元"),
    ("It raised 3.3bn dollars.", "融资33亿美元"),
    ("Revenue was about $70 million.", "收入约为7000万美元"),
    ("Talkie was downloaded 3.8 million times.", "累计下载量 380 万次"),
    ("Nvidia lost 4.3 trillion yuan.", "跌去4.3万亿元市值"),
    ("It has a 10,000-GPU cluster.", "拥有万卡集群"),
    ("Demand grew more than 45-fold.", "增长了45倍以上"),
    ("Training time falls by 30 percent.", "训练时间缩短30%"),
    ("It completed four funding rounds.", "进行 4 轮融资"),
    ("Founded in April 2023.", "成立于 2023 年 4 月"),
    ("Released on January 29.", "1月29日发布了"),
    ("On 15 January 2025 the rules changed.", "2025年1月15日，拜登政府修订了"),
    ("Founded in 2023-04.", "2023年4月成立"),
    ("It rose from 89th to 6th place.", "排名从第89位上升到了第6位"),
    ("月之暗面估值为33亿美元。", "企业估值已达到33亿美元"),
])
def test_figures_match_across_notations_and_languages(sentence, passage):
    found = figures.extract(sentence)
    assert not found.empty()
    assert figures.unsupported_figures(found, figures.extract(passage, lenient=True)) == []


@pytest.mark.parametrize(("sentence", "passage", "wrong"), [
    ("Moonshot AI was valued at $33 billion.", "估值已达到33亿美元", "3.3e+10"),
    ("Qwen2.5-Max scored 1,323 points.", "以1332分排总榜第7名", "1323"),
    ("Zhipu AI was founded in 2017.", "2019年成立的智谱AI", "2017"),
    ("Founded in June 2023.", "成立于2023年4月", "2023-6-?"),
    ("Released on February 29.", "1月29日发布了", "?-2-29"),
    ("It has a 1,000-GPU cluster.", "拥有万卡集群", "1000"),
])
def test_wrong_figures_and_dates_are_named(sentence, passage, wrong):
    assert figures.unsupported_figures(figures.extract(sentence), figures.extract(passage, lenient=True)) == [wrong]


def test_numbers_inside_model_names_are_not_figures():
    found = figures.extract("GPT-4 and Step-2 beat DeepSeek-V3 and o1, says 36Kr.")
    assert found.numbers == [] and found.years == set()
    assert figures.extract("It may rain.").dates == []  # "may" alone is the verb


@pytest.fixture(scope="module")
def judge():
    # Without an embedder the meaning score is 0.1 x the share of shared (translated) terms: half of them.
    return SupportJudge(None, Settings().with_(support_threshold_spec="en-zh=0.05,zh-zh=0.05"))


@pytest.mark.parametrize(("sentence", "reason"), [
    ("Moonshot AI was founded in 2023 by Yang Zhilin, a Tsinghua University graduate. [1]", ""),
    ("月之暗面成立于2023年，创始人是杨植麟。[1]", ""),
    ("Baichuan AI was founded in 2023 by Yang Zhilin. [1]", "name"),
    ("Moonshot AI was founded in 2023 by Wang Xiaochuan.", "name"),
    ("智谱AI成立于2023年。", "name"),
    ("Moonshot AI was valued at $2.5 billion as of January.", "figure"),
    ("月之暗面成立于2021年。", "figure"),
])
def test_judge_checks_names_and_figures_in_both_languages(judge, sentence, reason):
    verdict = judge.judge(sentence, judge.evidence([PASSAGE]))
    assert verdict.supported is (reason == "") and verdict.reason == reason


def test_meaning_needs_shared_terms_when_embeddings_cannot_tell(judge):
    ev = judge.evidence([PASSAGE])
    assert judge.judge("Moonshot AI's founder graduated from Tsinghua University.", ev).supported
    verdict = judge.judge("Moonshot AI mainly sells industrial robots.", ev)
    assert not verdict.supported and verdict.reason == "meaning"


def test_bad_threshold_setting_is_a_clear_error():
    with pytest.raises(ValueError, match="QA_SUPPORT_THRESHOLD"):
        _ = Settings().with_(support_threshold_spec="en-zh=high").support_threshold


def test_labelled_pairs_cover_both_languages_and_every_kind_of_mistake():
    pairs = load_pairs()
    assert len(pairs) >= 200 and len({p.id for p in pairs}) == len(pairs)
    for lang in ("en", "zh"):
        assert sum(p.supported for p in pairs if p.lang == lang) >= 30
        assert sum(not p.supported for p in pairs if p.lang == lang) >= 60
    assert {p.kind for p in pairs} == set(KINDS)
    assert all(p.supported == (p.kind == "paraphrase") for p in pairs)


def test_malformed_pairs_file_names_the_line(tmp_path):
    bad = tmp_path / "pairs.jsonl"
    bad.write_text('{"id": 1, "passage_id": "P1", "lang": "fr", "label": "supported", "kind": "paraphrase", '
                   '"sentence": "s", "passage": "p"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"pairs\.jsonl:1"):
        load_pairs(bad)


@pytest.mark.slow
@pytest.mark.extended
def test_check_reaches_its_targets_on_the_labelled_pairs():
    from common.settings import get_settings
    from embed import get_query_embedder
    from eval.citations import judge_all, table

    settings = get_settings()
    rows = table(judge_all(load_pairs(), SupportJudge(get_query_embedder(settings), settings)))
    for lang in ("en", "zh"):
        assert rows[lang]["correct_passed"] >= 0.95 and rows[lang]["wrong_flagged"] >= 0.95, rows


def test_a_year_the_passage_gives_to_another_company_is_flagged(judge):
    ev = judge.evidence(["2019年成立的“智谱AI（Zhipu AI）”、2021年成立的“MiniMAX”以及2023年成立的百川智能等。"])
    assert judge.judge("Zhipu AI was founded in 2019.", ev).supported
    assert judge.judge("MiniMax was founded in 2021.", ev).supported
    wrong = judge.judge("MiniMax was founded in 2023.", ev)
    assert not wrong.supported and wrong.reason == "figure" and "2023" in wrong.detail
    assert not judge.judge("百川智能成立于2021年。", ev).supported


def test_a_year_at_the_end_of_a_sentence_is_a_year():
    assert figures.extract("It was founded in 2023.").years == {2023}


def test_names_outside_the_glossary_are_matched_by_pinyin(judge):
    ev = judge.evidence(["在上海某AI公司担任算法工程师的陶如对澎湃新闻记者笑言，去年他曾经接到过DeepSeek的橄榄枝。"])
    right = judge.judge("Tao Ru, an algorithm engineer at a Shanghai AI company, got an offer from DeepSeek.", ev)
    assert right.reason != "name"  # (without an embedder, the meaning test decides the rest)
    wrong = judge.judge("Zhang Wei, an algorithm engineer at a Shanghai AI company, got an offer from DeepSeek.", ev)
    assert not wrong.supported and wrong.reason == "name" and wrong.detail == "Zhang Wei"


def test_the_pinyin_table_is_kept_and_read_back_the_same(tmp_path, monkeypatch):
    from llm import names

    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path))
    names._readings.cache_clear()
    try:
        built = names._readings()
        assert (tmp_path / "cache" / names.PINYIN_CACHE).is_file()
        names._readings.cache_clear()
        assert names._readings() == built and "yang" in built["杨"]
    finally:
        names._readings.cache_clear()
