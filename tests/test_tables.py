"""Markdown table rows with their header, in text and as HTML."""

from __future__ import annotations

from qa.tables import header_before, is_header, pairs_text, row_header, row_html, tables_to_html

TABLE = """MiniMax 融资历程

| 时间 | 轮次 | 金额 | 估值 |
| --- | --- | --- | --- |
| 2024/03 | A轮 | 6 亿美元 | 25 亿美元 |
| 2023/06 | A轮 | 2.5 亿美元 | 12 亿美元 |
"""

TWO_HEADERS = """| | 英文综合 | | 中文综合 |
| --- | --- | --- | --- |
| | MT-Bench | AlignBench | MMLU |
| abab-6.5 | 8.77 | 7.42 | 78.7 |
"""


def test_a_row_reads_as_column_value_pairs():
    row = "| 2023/06 | A轮 | 2.5 亿美元 | 12 亿美元 |"
    header = header_before(TABLE, TABLE.index(row))
    assert header == ["时间", "轮次", "金额", "估值"]
    assert pairs_text(header, row) == "时间: 2023/06; 轮次: A轮; 金额: 2.5 亿美元; 估值: 12 亿美元"
    assert header_before("no table here\n" + row, len("no table here\n")) == []


def test_a_second_header_row_names_the_columns_and_is_not_a_row_of_data():
    row = "| abab-6.5 | 8.77 | 7.42 | 78.7 |"
    header = row_header(row, TWO_HEADERS)
    assert header[:4] == ["", "MT-Bench", "AlignBench", "MMLU"]
    assert is_header(TWO_HEADERS, TWO_HEADERS.index("| | MT-Bench"))
    assert is_header(TWO_HEADERS, 0)
    assert not is_header(TWO_HEADERS, TWO_HEADERS.index(row))


def test_row_html_is_escaped():
    html = row_html(["名称", "说明"], "| <b>x</b> | a & b |", mark=True)
    assert "<b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and "a &amp; b" in html
    assert html.count("<th>") == 2 and 'class="qa-cite"' in html


def test_tables_become_html_with_the_highlight_on_the_same_cells():
    escaped = ('intro <mark class="qa-hit" id="qa-hit">text\n| a | b |\n| --- | --- |\n'
               '| 1 | <mark class="qa-cite">2 |</mark>\n| 3 | 4 |</mark>\nafter')
    html = tables_to_html(escaped)
    assert "<table" in html and "|" not in html.split("<table", 1)[1].split("</table>")[0]
    assert html.count('id="qa-hit"') == 1  # reopened copies carry no id
    assert '<td><mark class="qa-hit"><mark class="qa-cite">2</mark></mark></td>' in html
    assert '<td><mark class="qa-hit">4</mark></td>' in html
    assert html.endswith("after") and html.count("<mark") == html.count("</mark>")
    assert tables_to_html("no | table\njust text") == "no | table\njust text"
