from __future__ import annotations

from pathlib import Path

from common.textnorm import compact, normalize
from ingest import chunk_document, load_corpus, load_document
from ingest.clean import clean_text, drop_navigation, remove_pinyin, repair_punctuation, split_front_matter
from tests.conftest import CORPUS, read_doc


def _doc(prefix: str):
    return load_document(next(CORPUS.glob(f"{prefix}*")))[0]


def test_front_matter_becomes_metadata():
    doc = _doc("001")
    assert doc.title == "中国不仅仅有DeepSeek"
    assert doc.date == "2025-02-07"
    assert doc.source.startswith("https://cn.nikkei.com/")
    assert "layout:" not in doc.text and "---" not in doc.text


def test_title_falls_back_to_first_line_or_heading_and_date_to_url():
    doc = _doc("000")
    assert doc.title == "中国AI初创企业：超越DeepSeek的四大值得关注的公司"
    assert doc.date == "2025-02-04"  # from the /2025/02/04/ link
    assert _doc("002").title == "AI 大模型创业格局报告"
    # The Traditional article opens with an image credit line, which is not a title.
    assert "制圖" not in _doc("004").title


def test_raw_html_becomes_readable_text():
    doc = _doc("001")
    assert "<" not in doc.text and "referrerpolicy" not in doc.text
    assert "月之暗面成立于2023年，创始人杨植麟来自中国清华大学。" in doc.text
    # A bold-only paragraph serves as a subheading.
    assert "### 企业估值达33亿美元" in doc.text


def test_html_table_rows_become_lines():
    text = clean_text("<table><tr><th>公司</th><th>估值</th></tr><tr><td>月之暗面</td><td>33亿美元</td></tr></table>")
    assert text.splitlines() == ["公司 | 估值", "月之暗面 | 33亿美元"]


def test_script_and_images_are_dropped():
    text = clean_text('<p>正文<script>alert(1)</script><img src="x.jpg" onerror="alert(2)"></p>')
    assert text == "正文"


def test_pinyin_annotations_are_removed_but_real_parentheses_stay():
    raw = read_doc("004")
    assert "個(gè)" in raw
    doc = _doc("004")
    assert "(gè)" not in doc.text and "這是一個“社會名聲遠高于商業成果”的行業" in doc.text
    assert remove_pinyin("與(yǔ)公司(MiniMax)") == "與公司(MiniMax)"


def test_broken_punctuation_is_repaired():
    assert repair_punctuation("打了一劑強心針?!?/p>") == "打了一劑強心針。”"
    assert "?!" not in _doc("004").text and "/p>" not in _doc("004").text


def test_normalised_form_lets_simplified_match_traditional():
    assert normalize("智譜  估值") == "智谱 估值"
    assert compact("階躍星辰") == compact("阶跃星辰")


def test_chunks_are_short_know_their_heading_and_point_into_the_text():
    docs, warnings = load_corpus(CORPUS)
    assert warnings == [] and len(docs) == 5
    for doc in docs:
        chunks = chunk_document(doc)
        assert chunks
        for c in chunks:
            assert len(c.text) <= 500
            assert c.title == doc.title
            lines = c.text.split("\n")
            if any(line.startswith("|") for line in lines):
                # Table pieces repeat their caption and header row; every other row lies in their span.
                span = doc.text[c.start:c.end]
                assert all(line in doc.text for line in lines if "---" not in line)
                assert all(line in span for line in lines if line.startswith("|") and "---" not in line
                           and line not in lines[:3])
            else:
                assert doc.text[c.start:c.end] == c.text
    zhipu = [c for c in chunk_document(_doc("000")) if "GLM-4-Plus" in c.text]
    assert zhipu and "四家值得关注的AI初创企业" in zhipu[0].section


def test_markdown_tables_split_by_rows_with_header_repeated():
    doc = _doc("002")
    pieces = [c for c in chunk_document(doc, chunk_size=200) if "| Model | MMLU | GSM8K" in c.text]
    assert len(pieces) >= 2
    # The slide title above the table is its caption, at the top of the first piece only.
    caption, blank = pieces[0].text.splitlines()[:2]
    assert caption == "GLM-4 模型主流 Benchmark 成绩" and blank == ""
    bodies = [pieces[0].text.split("\n\n", 1)[1]] + [c.text for c in pieces[1:]]
    rows = [r for body in bodies for r in body.splitlines()[2:]]
    assert sum("GLM-4-Air (0605)" in r for r in rows) == 1
    for c, body in zip(pieces, bodies, strict=True):
        assert body.startswith("| Model | MMLU")
        assert "GLM-4 模型主流" not in body
        assert doc.text.find(c.text.splitlines()[-1]) >= c.start


def test_no_line_of_an_article_is_lost():
    docs, _ = load_corpus(CORPUS)
    for doc in docs:
        chunks = chunk_document(doc)
        indexed = compact(" ".join(c.text for c in chunks))
        for line in doc.text.split("\n"):
            # Markdown headings live in the section path (an empty section has nothing to lose).
            if len(compact(line)) >= 4 and not set(line) <= set("|-: ") and not line.startswith("#"):
                assert compact(line) in indexed, (doc.doc_id, line)


def test_slide_navigation_bars_are_dropped_but_a_numbered_heading_is_kept():
    page = ("早在 2011 年就开始使用 GPU\n\n1.1.1 智谱 AI\n\n1.1.4 阶跃星辰\n\n1.1.3 月之暗面：\n\n"
            "月之暗面立于 2023 年 3 月")
    assert drop_navigation(page + "\n\n" + page).count("月之暗面") == 2  # the article's own mentions
    assert drop_navigation(page + "\n\n" + page).count("阶跃星辰") == 0
    assert drop_navigation(page).count("阶跃星辰") == 1
    timeline = "2023.07.17 深度求索成立\n2023.07.17 深度求索成立"
    assert drop_navigation(timeline) == timeline
    chunks = chunk_document(_doc("002"))
    gpu = next(c for c in chunks if "早在 2011 年就开始使用 GPU" in c.text)
    assert "阶跃星辰" not in gpu.text and "1.1." not in gpu.text


def test_a_slide_table_sits_under_the_section_before_it():
    table = next(c for c in chunk_document(_doc("002")) if "| 2024/03 | A轮 | 6 亿美元" in c.text)
    assert table.section.startswith("MiniMax——融资") and table.section.endswith("融资历程")


def test_short_slide_labels_join_their_neighbours(tmp_path: Path):
    body = ("繁星计划\n\n我们支持“星火燎原”\n\n免费Tokens\n\n赠送总价值4万元的Tokens\n助力开发之旅\n\n"
            "智谱的 ToC 主力应用智谱清言下载量突破 500 万，位列第七。\n\n"
            "服务企业客户\n30 万+\n\n| 时间 | 金额 |\n| --- | --- |\n| 2024/05 | 4 亿美元 |\n\n"
            "阶跃星辰正式上线开放平台，面向开发者提供模型、算力及其他配套支持。\n")
    (tmp_path / "a.txt").write_text(body, encoding="utf-8")
    doc, _ = load_document(tmp_path / "a.txt")
    chunks = chunk_document(doc)
    assert any("赠送总价值4万元的Tokens" in c.text and "繁星计划" in c.text for c in chunks)
    table = next(c for c in chunks if "| 2024/05 |" in c.text)
    assert table.text.startswith("服务企业客户\n30 万+\n\n| 时间 | 金额 |")


def test_duplicate_and_near_empty_chunks_are_dropped(tmp_path: Path):
    body = "# 标题\n\n" + "百川智能成立于2023年4月，创始人是王小川。\n\n" * 3 + "\n\n好。\n\n"
    (tmp_path / "a.md").write_text(body, encoding="utf-8")
    doc, _ = load_document(tmp_path / "a.md")
    texts = [c.text for c in chunk_document(doc, chunk_size=30, chunk_overlap=0)]
    assert texts.count("百川智能成立于2023年4月，创始人是王小川。") == 1
    assert "好。" not in texts


def test_malformed_files_are_skipped_with_a_warning_naming_them(tmp_path: Path):
    (tmp_path / "good.md").write_text("# 智谱\n\n智谱成立于2019年。" * 3, encoding="utf-8")
    (tmp_path / "bad_yaml.md").write_text("---\ntitle: [unclosed\n---\n# 月之暗面\n\n月之暗面成立于2023年。",
                                          encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "empty.md").write_text("  \n", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes(bytes(range(0x80, 0x100)) * 4)
    (tmp_path / "bad_bom.txt").write_bytes(b"\xff\xfe\xfa" + bytes(range(0x80, 0x100)) * 4)
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF")
    docs, warnings = load_corpus(tmp_path)
    assert sorted(d.doc_id for d in docs) == ["bad_yaml", "good"]
    text = "\n".join(warnings)
    for name in ("bad_yaml.md", "binary.txt", "empty.md", "latin1.txt", "bad_bom.txt"):
        assert name in text
    assert "not valid YAML" in text and "unknown text encoding" in text
    bad = next(d for d in docs if d.doc_id == "bad_yaml")
    assert bad.title == "月之暗面" and "月之暗面成立于2023年。" in bad.text


def test_front_matter_split_reports_non_mapping():
    meta, body, problem = split_front_matter("---\n- a\n- b\n---\ntext")
    assert meta == {} and body == "text" and "mapping" in problem
