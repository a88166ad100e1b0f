"""The focus check: a question asking for a company's figure needs a passage that names both."""

from __future__ import annotations

import pytest

from qa.focus import ATTRIBUTES, FocusCheck, load_attributes
from retrieve.expand import Entity, Expansion
from retrieve.hybrid import Retrieval
from retrieve.passage import Passage
from tests.conftest import CORPUS

ATTRIBUTES_PATH = CORPUS / ATTRIBUTES

MOONSHOT = Entity("company", ("月之暗面",), ("Moonshot AI", "Moonshot"))
STEPFUN = Entity("company", ("阶跃星辰",), ("StepFun",))
KUNLUN = Entity("company", ("昆仑万维",), ("Kunlun Tech",))


def _passage(n: int, text: str, doc: str = "d1") -> Passage:
    return Passage(doc, f"{doc}#{n}", "标题", "", "", "", text, 0, len(text), 1.0)


def _retrieval(entities: list[Entity], *texts: str | Passage) -> Retrieval:
    passages = [t if isinstance(t, Passage) else _passage(i, t, doc=f"d{i}") for i, t in enumerate(texts)]
    return Retrieval(passages, "zh", Expansion(entities=entities), 0.9)


@pytest.fixture(scope="module")
def check() -> FocusCheck:
    return FocusCheck.load(ATTRIBUTES_PATH)


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
    check = FocusCheck.load(ATTRIBUTES_PATH, top_n=1)
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
    expander = QueryExpander({}, get_settings().data_dir / "cache", glossary=glossary, terms=terms)
    assert [e.zh[0] for e in expander.find_entities("ERNIE Bot（Wenxin Yiyan）多少钱")] == ["文心一言"]
    assert [e.zh[0] for e in expander.find_entities("零一万物的 Yi 模型")] == ["Yi"]


@pytest.mark.parametrize(("text", "covered"), [
    ("阶跃星辰成立短短一年，规模已达 150 人。", True),
    ("阶跃星辰公司员工共计 600 余人。", True),
    ("阶跃星辰——融资 & 团队：团队聚集学术大牛。", False),  # a team, but no headcount
    ("阶跃星辰在榜单中排名第 90 名。", False),
    ("阶跃星辰获得 5 亿元人民币融资。", False),
])
def test_a_headcount_needs_a_number_of_people(check, text, covered):
    assert check.covered("阶跃星辰有多少员工？", _retrieval([STEPFUN], text)) is covered


QBITAI = Entity("media", ("量子位",), ("QbitAI",))
JIANG = Entity("person", ("姜大昕",), ("Jiang Daxin",))
SOFTBANK = Entity("investor", ("软银",), ("SoftBank",))


def test_the_publisher_a_question_cites_need_not_be_in_the_passage(check):
    retrieval = _retrieval([QBITAI, MOONSHOT], "月之暗面估值 33 亿美元。")
    assert check.covered("量子位报告里月之暗面的估值是多少？", retrieval)


def test_a_post_before_a_named_person_is_not_what_is_asked(check):
    retrieval = _retrieval([STEPFUN, JIANG], "姜大昕曾任微软全球副总裁。")
    assert check.covered("阶跃星辰 CEO 姜大昕之前在微软是什么职位？", retrieval)
    assert not check.covered("阶跃星辰的 CEO 是谁？", _retrieval([STEPFUN], "阶跃星辰成立于 2023 年。"))


def test_entities_joined_by_and_may_be_answered_by_different_passages(check):
    retrieval = _retrieval([MOONSHOT, STEPFUN], "月之暗面估值 33 亿美元。", "阶跃星辰估值 20 亿美元。")
    assert check.covered("月之暗面和阶跃星辰的估值分别是多少？", retrieval)
    # A relation between two names needs one passage that has both.
    relation = _retrieval([SOFTBANK, MOONSHOT], "软银投资了多家公司。", "阿里巴巴投资了月之暗面。")
    assert not check.covered("How much has SoftBank invested in Moonshot AI?", relation)


CHARACTER = Entity("company", ("Character.AI",), ("Character.AI",))


def test_in_prose_the_name_and_the_figure_must_be_close(check):
    far = ("Baichuan 在最新一轮融资后的估值超过 20 亿美元，目前是中国最大的 AI 初创企业之一。"
           + "MiniMax 由 AI 资深人士闫俊杰创立，专注于面向消费者的应用，推出了多款产品。" * 2
           + "MiniMax 的 Talkie 平台去年的下载量甚至超过了领先的竞争对手 Character.AI。")
    assert not check.covered("What is Character.AI's latest valuation?", _retrieval([CHARACTER], far))
    near = "Character.AI 最新一轮融资后的估值为 10 亿美元。"
    assert check.covered("What is Character.AI's latest valuation?", _retrieval([CHARACTER], near))


def test_a_company_in_the_heading_covers_its_whole_passage(check):
    minimax = Entity("company", ("MiniMax",), ("MiniMax",))
    body = "估值高、投门槛高、融资金额高：很早就吸引了头部机构注意。" * 4 + "创始人兼 CEO 闫俊杰具备丰富的技术经验。"
    under_heading = Passage("d", "d#1", "标题", "", "", "MiniMax——融资 & 团队", body, 0, len(body), 1.0)
    assert check.covered("MiniMax 的 CEO 是谁？", _retrieval([minimax], under_heading))
    elsewhere = Passage("d", "d#1", "标题", "", "", "团队", "MiniMax 成立于 2021 年。" + body, 0, 10, 1.0)
    assert not check.covered("MiniMax 的 CEO 是谁？", _retrieval([minimax], elsewhere))

def test_entities_come_in_order_of_appearance_and_a_longer_name_wins(tmp_path):
    from common.settings import get_settings
    from retrieve.expand import QueryExpander

    glossary = tmp_path / "g.tsv"
    glossary.write_text("kind\tzh\ten\norg\t智谱|智谱AI\tZhipu\norg\t智谱华章\tZhipu Huazhang\n"
                        "org\t月之暗面\tMoonshot AI|Moonshot\nperson\t杨植麟\tYang Zhilin\n", encoding="utf-8")
    terms = tmp_path / "t.tsv"
    terms.write_text("en\tzh\n", encoding="utf-8")
    expander = QueryExpander({}, get_settings().data_dir / "cache", glossary=glossary, terms=terms)
    found = expander.find_entities("Yang Zhilin 创办的月之暗面和北京智谱华章")
    assert [e.en[0] for e in found] == ["Yang Zhilin", "Moonshot AI", "Zhipu Huazhang"]
    assert [e.en[0] for e in expander.find_entities("moonshot and 智谱")] == ["Moonshot AI", "Zhipu"]
    assert expander.find_entities("没有名字的句子") == []
