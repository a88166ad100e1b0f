"""Answers a person can read: the short answer first, English for English questions, follow-ups, examples."""

from __future__ import annotations

import pytest

from common.settings import ROOT
from common.textnorm import compact
from qa import ask, get_pipeline
from ui.about import CorpusAbout

pytestmark = pytest.mark.slow

# What a correct answer to each example chip holds (in compact form: spaces dropped, Simplified script).
EXPECTED = {
    "月之暗面的创始人是谁？": ["杨植麟"],
    "智谱AI成立于哪一年？": ["2019"],
    "“六小虎”指的是哪些公司？": ["智谱", "月之暗面", "百川智能", "minimax", "阶跃星辰", "零一万物"],
    "Who founded Moonshot AI?": ["yangzhilin", "杨植麟"],
    "What is Moonshot AI's valuation?": ["亿美元", "billion"],
    "Which investors backed Zhipu AI?": ["investors:"],  # funding rows, their investor column in English
}


@pytest.fixture(scope="module")
def pipeline():
    return get_pipeline()


def _history(*turns: str) -> list[dict[str, str]]:
    history: list[dict[str, str]] = []
    for question in turns:
        answer = ask(question, history=history)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
    return history


@pytest.mark.parametrize("question", CorpusAbout.load(ROOT / "data" / "corpus").examples)
def test_every_example_chip_is_answered_correctly(pipeline, question):
    assert question in EXPECTED, "each example needs an expected answer here"
    answer = ask(question)
    assert not answer.abstained
    text = compact(answer.text)
    assert all(compact(e) in text for e in EXPECTED[question])


def test_a_factoid_answer_starts_with_the_short_answer_in_bold_and_cites_it(pipeline):
    answer = ask("月之暗面的创始人是谁？")
    assert answer.short_answer == "杨植麟" and answer.answer_kind == "person"
    first, lead, *quotes = answer.text.split("\n")
    assert first == "**杨植麟** [1]" and lead == "根据检索到的文章："
    assert 1 <= len(quotes) <= 2 and "杨植麟" in quotes[0]
    assert all("投资方" not in q for q in quotes)  # no funding row rides along with the founder


@pytest.mark.parametrize(("question", "founder"), [
    ("智谱的创始人是谁？", "唐杰"),  # "创始人唐杰教授是……" under the heading "智谱 AI——团队"
    ("Who founded Zhipu AI?", "唐杰"),
    ("MiniMax 的创始人是谁？", "闫俊杰"),  # not "带队" from the heading "……Under 35 创始人带队"
    ("深度求索的创始人是谁？", "梁文锋"),  # a known person over a guess in "据创始人表示这源于公司……"
])
def test_the_founder_is_named_from_a_sentence_that_says_so(pipeline, question, founder):
    answer = ask(question)
    assert answer.short_answer == founder and founder in answer.citations[0].sentence


def test_a_figure_given_for_a_group_is_not_the_subjects_own(pipeline):
    # "除月之暗面外，……等也作为独角兽（企业估值超过10亿美元……）" is about the others, not Moonshot's valuation.
    answer = ask("What is Moonshot AI's valuation?")
    assert answer.short_answer == "33亿美元"


def test_no_short_answer_from_a_sentence_about_another_company(pipeline):
    # The articles do not say where DeepSeek is; "ModelBest……总部位于北京海淀区" may be quoted, not answered.
    answer = ask("DeepSeek 公司位於哪個城市？")
    assert "北京" not in answer.short_answer


def test_a_date_and_the_same_date_with_its_day_do_not_disagree(pipeline):
    # "成立于2023年4月" and "2023.04.06 阶跃星辰成立" give one date, once more precisely.
    answer = ask("When was StepFun founded?")
    assert answer.short_answer == "2023年4月" and "different figures" not in answer.text


def test_english_answers_render_names_and_figures_in_english(pipeline):
    founder = ask("Who founded MiniMax?")
    assert founder.text.startswith("**Yan Junjie (闫俊杰)** [1]")
    assert "Evidence" in founder.text.split("\n")[1]
    raised = ask("How much money has Infinigence AI raised so far?")
    assert raised.short_answer == "1.4亿美元" and raised.text.startswith("**US$140 million (1.4亿美元)**")


def test_list_questions_get_sentences_without_a_bold_span(pipeline):
    answer = ask("“六小虎”指的是哪些公司？")
    assert answer.answer_kind == "list" and answer.short_answer == "" and "**" not in answer.text


def test_a_quoted_table_row_carries_its_header(pipeline):
    answer = ask("MiniMax 2024 年 3 月那轮融了多少钱？")
    assert "时间: 2024/03; 轮次: A轮; 金额: 6 亿美元" in answer.text


def test_follow_ups_keep_the_subject_of_the_previous_answer(pipeline):
    # The question before named the company; "它" is that company, whatever else the answer mentioned.
    follow_up = ask("那它的投资方有哪些？", history=_history("智谱的估值是多少？"))
    assert "智谱" in str(follow_up.trace["retrieval_query"])
    assert "面壁" not in follow_up.text
    # "他" after a question answered by a person is that person.
    history = _history("Who founded Moonshot AI?")
    query = get_pipeline()._with_context("他毕业于哪所大学？", history)
    assert "杨植麟" in query
    # A follow-up naming another company changes the subject.
    history = _history("月之暗面的创始人是谁？", "MiniMax 的创始人呢？")
    assert "MiniMax" in get_pipeline()._with_context("它是什么时候成立的？", history)
    assert "月之暗面" not in get_pipeline()._with_context("它是什么时候成立的？", history)


def test_a_follow_up_about_the_founder_names_the_founder_not_a_funding_row(pipeline):
    # The table of MiniMax's rounds sits under "MiniMax——融资 & 团队：……Under 35 创始人带队": the heading names
    # the company, but the rows do not say who founded it.
    follow_up = ask("那它的创始人呢？", history=_history("MiniMax 的估值是多少？"))
    assert follow_up.short_answer == "闫俊杰"


def test_sources_disagree_only_on_the_figure_asked(pipeline):
    # Different amounts in rows from several rounds are not a disagreement about what was asked.
    assert "different figures" not in ask("Which investors backed Zhipu AI?").text
    # Two articles give Moonshot AI's valuation (US$3.3 billion in 2025, US$3 billion as of July 2024).
    valuation = ask("月之暗面的估值是多少？")
    assert valuation.text.split("\n")[1].startswith("不同来源的说法不一致")
    assert "2025-02-07" in valuation.text  # each figure with its date


@pytest.mark.parametrize("question", ["Which company is worth more, Zhipu or Moonshot?",
                                      "智谱和月之暗面哪家估值更高？"])
def test_a_choice_between_two_named_companies_quotes_each_and_bolds_neither(pipeline, question):
    answer = ask(question)
    assert not answer.abstained and answer.short_answer == "" and not answer.text.startswith("**")
    quotes = [c.sentence for c in answer.citations]
    assert len(quotes) == 2
    assert any("智谱" in q or "Zhipu" in q for q in quotes) and any("月之暗面" in q for q in quotes)


@pytest.mark.parametrize(("question", "subject"), [("Tell me about Kimi", "Kimi"), ("介绍一下月之暗面", "月之暗面")])
def test_a_request_to_describe_a_subject_is_answered_with_sentences_about_it(pipeline, question, subject):
    answer = ask(question)
    assert not answer.abstained and answer.short_answer == ""
    assert answer.citations and all(subject in c.sentence for c in answer.citations)
    assert not any(c.sentence.lstrip().startswith("|") for c in answer.citations)  # prose, not table rows
