"""Cards show a quoted table row with its header; the viewer shows Markdown tables as tables."""

from __future__ import annotations

from dataclasses import dataclass

from qa.types import Answer, Citation
from retrieve.passage import Passage
from ui.render import render_card, render_source

TEXT = ("融资历程\n\n| 时间 | 轮次 | 金额 |\n| --- | --- | --- |\n| 2024/03 | A轮 | 6 亿美元 |\n"
        "| 2023/06 | <b>A轮</b> | 2.5 亿美元 |\n")
ROW = "| 2024/03 | A轮 | 6 亿美元 |"


@dataclass
class Doc:
    title: str
    source: str
    date: str | None
    text: str


def test_a_card_shows_the_quoted_row_as_a_small_table_with_its_header():
    passage = Passage("d", "d#1", "报告", "", None, "融资历程", TEXT, 0, len(TEXT), 1.0)
    answer = Answer("**6 亿美元** [1]", (passage,), False, "zh", (Citation(1, passage, ROW),))
    card = render_card(answer, 1, 0, "zh", {"d": Doc("报告", "", None, TEXT)})
    row_table = card.split('<div class="qa-row qa-scroll">', 1)[1].split("</div>", 1)[0]
    assert "<th>时间</th><th>轮次</th><th>金额</th>" in row_table and "<td>6 亿美元</td>" in row_table
    assert "<b>" not in card and "&lt;b&gt;A轮&lt;/b&gt;" in card  # the passage's own table, escaped
    assert card.count("<table") == 2  # the row, and the passage's table as a table


def test_the_viewer_renders_tables_and_keeps_the_highlight():
    doc = Doc("报告", "", None, TEXT)
    start = TEXT.index("| 时间")
    row = TEXT.index(ROW)
    html = render_source(doc, start, len(TEXT), [(row, row + len(ROW))], "zh")
    assert '<table class="qa-md-table">' in html and "| 2024/03" not in html
    assert html.count('id="qa-hit"') == 1 and '<mark class="qa-cite">2024/03</mark>' in html
    assert html.count("<mark") == html.count("</mark>")
