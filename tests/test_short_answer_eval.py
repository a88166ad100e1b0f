"""Short-answer metrics by hand: the SQuAD / CMRC 2018 convention."""

from __future__ import annotations

import pytest

from eval.short_answer import Row, english_match, exact_match, f1_score, segments, summarize


def test_chinese_is_compared_character_by_character_latin_by_word():
    assert segments("杨植麟 Yang Zhilin，2023年") == ["杨", "植", "麟", "yang", "zhilin", "2023", "年"]


def test_f1_and_exact_match():
    assert exact_match("杨植麟。", "杨植麟") == 1.0 and exact_match("杨植", "杨植麟") == 0.0
    assert f1_score("杨植", "杨植麟") == pytest.approx(0.8)  # precision 1, recall 2/3
    assert f1_score("30 亿美元", "约 30 亿美元") == pytest.approx(2 * 1 * (4 / 5) / (1 + 4 / 5))
    assert f1_score("", "杨植麟") == 0.0 and f1_score("唐杰", "杨植麟") == 0.0


def test_english_rendering_match_ignores_case_commas_and_currency_style():
    assert english_match("US$140 million (1.4亿美元)", ["$140 million"])
    assert english_match("April 2023", ["april 2023"])
    assert not english_match("May 2023", ["April 2023"])


def test_summary_counts_declined_answerable_questions_as_zero():
    rows = [Row("1", "zh", "q", True, False, "person", "杨植麟", "", "杨植麟是创始人。", "杨植麟", ["杨植麟"], []),
            Row("2", "zh", "q", True, True, "person", "", "", "", "", ["唐杰"], []),
            Row("3", "zh", "q", False, True, "", "", "", "", "", [], [])]
    scores = summarize(rows)
    assert scores["em_shown"] == 0.5 and scores["f1_span"] == 0.5 and scores["f1_span_answered"] == 1.0
    assert scores["first_quote_has_gold"] == 1.0 and scores["declined"] == 1.0 and scores["answered_rate"] == 0.5


def test_a_first_quote_that_is_one_sentence_of_a_longer_gold_counts_as_in_it():
    gold = "他使用中性胎。比赛开始后下大雨，大多数赛车都进维修站换胎。"
    part, other = "比赛开始后下大雨，大多数赛车都进维修站换胎。", "他在2007年代表世爵车队参赛。"
    rows = [Row("1", "zh", "q", True, False, "explain", "", "", part, "", [gold], []),
            Row("2", "zh", "q", True, False, "explain", "", "", other, "", [gold], [])]
    scores = summarize(rows)
    assert scores["first_quote_has_gold"] == 0.0 and scores["first_quote_in_gold"] == 0.5
