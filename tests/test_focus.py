"""The focus check: a question asking for a company's figure needs a passage that names both."""

from __future__ import annotations

import pytest

from qa.focus import ATTRIBUTES_PATH, FocusCheck, load_attributes
from retrieve.expand import Entity, Expansion
from retrieve.hybrid import Retrieval
from retrieve.passage import Passage

MOONSHOT = Entity("company", ("月之暗面",), ("Moonshot AI", "Moonshot"))
KUNLUN = Entity("company", ("昆仑万维",), ("Kunlun Tech",))


def _passage(n: int, text: str, doc: str = "d1") -> Passage:
    return Passage(doc, f"{doc}#{n}", "标题", "", "", "", text, 0, len(text), 1.0)


def _retrieval(entities: list[Entity], *texts: str | Passage) -> Retrieval:
    passages = [t if isinstance(t, Passage) else _passage(i, t, doc=f"d{i}") for i, t in enumerate(texts)]
    return Retrieval(passages, "zh", Expansion(entities=entities), 0.9, 1.0)


@pytest.fixture(scope="module")
def check() -> FocusCheck:
    return FocusCheck.load()


@pytest.mark.parametrize(("question", "asked"), [
    ("月之暗面 2023 年的营收是多少？", ["revenue"]),
    ("What is Moonshot AI's valuation?", ["valuation"]),
    ("Who is the CEO of Moonshot AI?", ["chief executive"]),
    ("How much does the API cost?", ["price"]),
    ("What costume did the founder wear?", []),  # English forms match whole words only
    ("月之暗面的创始人是谁？", []),
])
def test_attributes_asked(check, question, asked):
    assert [a.name for a in check.asked(question)] == asked


def test_entity_and_figure_in_one_passage_is_covered(check):
    retrieval = _retrieval([MOONSHOT], "月之暗面估值 33 亿美元。", "其他公司的营收。")
    assert check.covered("月之暗面的估值是多少？", retrieval)


def test_figure_only_about_another_company_is_not_covered(check):
    retrieval = _retrieval([MOONSHOT], "月之暗面由杨植麟创立。", "MiniMax 2024 年营收约 7000 万美元。")
    assert not check.covered("月之暗面 2024 年的营收是多少？", retrieval)
    assert check.covered("月之暗面是谁创立的？", retrieval)  # nothing specific asked: the score decides


def test_table_piece_counts_with_the_paragraph_before_it(check):
    intro = _passage(142, "昆仑万维 2023 年确立 All in AGI 战略。", doc="r")
    table = _passage(143, "| 业务 | 2023 年财报收入 |\n| 广告业务 | 16.5 亿元 |", doc="r")
    far = _passage(150, "| 业务 | 2023 年财报收入 |\n| 广告业务 | 16.5 亿元 |", doc="r")
    assert check.covered("昆仑万维 2023 年广告业务收入有多少？", _retrieval([KUNLUN], intro, table))
    assert not check.covered("昆仑万维 2023 年广告业务收入有多少？", _retrieval([KUNLUN], intro, far))


def test_only_the_best_passages_count():
    check = FocusCheck.load(top_n=1)
    retrieval = _retrieval([MOONSHOT], "月之暗面由杨植麟创立。", "月之暗面估值 33 亿美元。")
    assert not check.covered("月之暗面的估值是多少？", retrieval)


def test_attribute_file_is_well_formed():
    rows = load_attributes(ATTRIBUTES_PATH)
    assert len(rows) >= 10 and len({r.name for r in rows}) == len(rows)
    assert all(r.evidence and r.asks.pattern for r in rows)


def test_latin_alias_is_a_whole_word_only(tmp_path):
    from common.settings import get_settings
    from retrieve.expand import QueryExpander

    glossary = tmp_path / "g.tsv"
    glossary.write_text("kind\tzh\ten\nproduct\tYi|Yi大模型\tYi\nproduct\t文心一言\tWenxin Yiyan|ERNIE Bot\n",
                        encoding="utf-8")
    terms = tmp_path / "t.tsv"
    terms.write_text("en\tzh\n", encoding="utf-8")
    expander = QueryExpander(set(), get_settings().data_dir / "cache", glossary=glossary, terms=terms)
    assert [e.zh[0] for e in expander.find_entities("ERNIE Bot（Wenxin Yiyan）多少钱")] == ["文心一言"]
    assert [e.zh[0] for e in expander.find_entities("零一万物的 Yi 模型")] == ["Yi"]
