from __future__ import annotations

import pytest

from eval.gate import floors, gate_failures
from eval.metrics import contains_quote, ndcg_at, percentile, recall_at, reciprocal_rank
from eval.report import console_table, html_report
from eval.run import QuestionResult


def test_hit_normalises_script_width_and_spaces():
    assert contains_quote("月之暗面的估值達到 33億美元。", ["估值达到33亿美元"])
    assert contains_quote("ＧＬＭ－４", ["GLM-4"])
    assert not contains_quote("智谱估值", ["月之暗面"]) and not contains_quote("x", [])


def test_ranking_metrics_by_hand():
    rel = [False, True, False, True]
    assert recall_at(rel, 1) == 0.0 and recall_at(rel, 2) == 1.0
    assert reciprocal_rank(rel) == 0.5 and reciprocal_rank([False] * 3) == 0.0
    # DCG = 1/log2(3) + 1/log2(5); ideal with 2 relevant = 1 + 1/log2(3)
    assert ndcg_at(rel, 2) == pytest.approx((0.63093 + 0.43068) / 1.63093, abs=1e-4)
    assert ndcg_at(rel, 0) == 0.0
    assert percentile([1, 2, 3, 4], 50) == 2.5 and percentile([], 95) == 0.0


def test_gate_reports_drops_only():
    baseline = {"xquad-dev": {"zh": {"R@5": 0.9}, "all": {"abstain_recall": 0.2}}}
    assert gate_failures({"xquad-dev": {"zh": {"R@5": 0.95}, "all": {"abstain_recall": 0.2}}}, baseline) == []
    failures = gate_failures({"xquad-dev": {"zh": {"R@5": 0.85}, "all": {}}}, baseline)
    assert len(failures) == 2 and "xquad-dev zh R@5" in failures[0]
    assert gate_failures({}, baseline)  # a set that was not measured fails too


def test_new_baseline_rounds_down_and_skips_groups_without_answerable_questions():
    summary = {"s": {"all": {"R@1": 0.5, "R@5": 0.6, "abstain_recall": 0.9876, "answered_rate": 0.95,
                             "n_answerable": 3},
                     "en": {"R@1": 0.5559, "R@5": 0.6, "n_answerable": 2},
                     "zh": {"R@1": 0.0, "R@5": 0.0, "n_answerable": 0}}}
    assert floors(summary) == {"s": {"all": {"abstain_recall": 0.987, "answered_rate": 0.95},
                                     "en": {"R@1": 0.555, "R@5": 0.6}}}


def test_report_renders_escaped_failures_and_plots():
    r = QuestionResult("q1", "dev", "en", "fact", "<script>x</script>?", True, [False] * 5, 1, ["a#0"],
                       ["<b>retrieved</b>"], 12.0, answer="ans")
    summary = {"full": {"all": {"n": 1, "R@1": 0.0, "R@5": 0.0}}}
    page = html_report(summary, {"bm25": {"all": {"n": 1, "R@1": 1.0}}}, [r], {"questions": 1})
    assert "<script>x" not in page and "&lt;script&gt;x" in page and "data:image/png;base64," in page
    assert "<td>bm25</td>" in page
    assert "full" in console_table(summary)


def test_quotes_per_factoid_counts_answered_factoid_answers_only():
    from eval.run import summarize

    def result(quotes: int, factoid: bool, abstained: bool = False) -> QuestionResult:
        return QuestionResult("q", "dev", "en", "fact", "?", True, [True], 1, ["a#0"], ["t"], 1.0,
                              abstained=abstained, quotes=quotes, factoid=factoid)

    rows = [result(1, True), result(3, True), result(5, False), result(4, True, abstained=True)]
    assert summarize(rows)["quotes_per_factoid"] == 2.0
    assert summarize([result(2, False)])["quotes_per_factoid"] == 0.0
