"""The web UI: HTML rendering (escaping, highlighting, links) and the running app driven with gradio_client."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from types import SimpleNamespace

import pytest

import app
from common.errors import IndexCorruptError
from common.patterns import CJK_CHAR
from common.settings import ROOT, Settings
from llm.client import LLMClient
from qa.types import Answer, Citation
from retrieve.passage import Passage
from ui import render
from ui.about import CorpusAbout
from ui.handlers import chat_placeholder, header_html
from ui.text import from_accept_language, t

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
DOC_TEXT = "Intro line.\n<b>raw html</b> stays text.\n月之暗面成立于2023年。创始人杨植麟。\n### Heading\nThe end."


def _passage(text: str = "月之暗面成立于2023年。创始人杨植麟。", **kw: object) -> Passage:
    start = DOC_TEXT.index(text) if text in DOC_TEXT else 0
    fields = {"doc_id": "d1", "chunk_id": "d1#0", "title": "中国不仅仅有DeepSeek", "source": "https://example.com/a?x=1&y=2",
              "date": "2025-02-07", "section": "企业估值", "text": text, "start": start, "end": start + len(text),
              "score": 0.9}
    fields.update(kw)
    return Passage(**fields)  # type: ignore[arg-type]


def _answer(passages: tuple[Passage, ...], text: str = "- 月之暗面成立于2023年。 [1]", **kw: object) -> Answer:
    citations = tuple(Citation(1, passages[0], s) for s in ["月之暗面成立于2023年。"]) if passages else ()
    fields = {"text": text, "passages": passages, "abstained": False, "language": "zh", "citations": citations}
    fields.update(kw)
    return Answer(**fields)  # type: ignore[arg-type]


DOCS = {"d1": SimpleNamespace(title="Doc <one>", source="/work/main/data/corpus/x.txt", date=None, text=DOC_TEXT)}


# ------------------------------------------------------------------------------------------ rendering


@pytest.mark.parametrize("payload", XSS)
def test_question_is_rendered_as_literal_text(payload):
    out = render.render_question(payload, "en")
    assert "<script" not in out and "<img" not in out
    assert render.esc(payload) in out


def test_highlight_escapes_and_marks_offsets():
    assert render.highlight("a<b>c", [(1, 4, "x")]) == 'a<mark class="x">&lt;b&gt;</mark>c'
    # overlapping and out-of-range spans are merged and clamped, never duplicated
    out = render.highlight("abcdef", [(1, 4, "x"), (2, 5, "y"), (-3, 1, "z"), (5, 99, "w")])
    assert re.sub(r"<[^>]+>", "", out) == "abcdef"
    assert out.count("<mark") == 4


def test_find_spans_locates_verbatim_sentences():
    assert render.find_spans("一二三。四五。", [("四五。", "c"), ("不在", "c")]) == [(4, 7, "c")]


@pytest.mark.parametrize(("source", "linked"), [
    ("https://cn.nikkei.com/a.html", True),
    ("http://example.com/x?a=1&b=2", True),
    ("javascript:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False),
    ("https://example.com/\" onmouseover=\"alert(1)", False),
    ("/work/main/data/corpus/002.txt", False),
    ("file:///etc/passwd", False),
    ("", False),
])
def test_only_http_urls_become_links(source, linked):
    out = render.source_html(source, "en")
    assert ("<a " in out) is linked and ("href=" in out) is linked
    assert "<script" not in out and 'onmouseover="' not in out


def test_file_sources_are_shown_relative_to_the_project():
    assert render.display_source(str(ROOT / "data" / "corpus" / "x.txt")) == "data/corpus/x.txt"


def test_answer_markers_link_to_cards_and_cited_sentence_is_marked():
    answer = _answer((_passage(),), text="引言：\n- 月之暗面成立于2023年。 [1]\n- 不存在的 [7]")
    out = render.render_answer(answer, 3, "zh", DOCS)
    assert '<a class="qa-ref" href="#qa-t3-c1">[1]</a>' in out
    assert "[7]" in out and "#qa-t3-c7" not in out  # markers without a passage stay plain text
    assert 'id="qa-t3-c1"' in out and out.count('class="qa-card"') == 1
    assert '<mark class="qa-cite">月之暗面成立于2023年。</mark>' in out
    assert '<a class="qa-link" href="https://example.com/a?x=1&amp;y=2"' in out
    assert "2025-02-07" in out and "企业估值" in out
    href = re.search(r'class="qa-view" href="([^"]+)"', out).group(1)
    doc_id, start, end, marks, lang = render.parse_viewer_href(href.replace("&amp;", "&"))
    assert (doc_id, lang) == ("d1", "zh") and DOC_TEXT[start:end] == answer.passages[0].text
    assert [DOC_TEXT[a:b] for a, b in marks] == ["月之暗面成立于2023年。"]
    assert "qa-streaming" not in out and "aria-busy" not in out


def test_streaming_answer_is_marked_busy_until_complete():
    partial = replace(_answer((_passage(),), text="月之暗面成立于"), complete=False)
    assert 'class="qa-answer qa-streaming" aria-busy="true"' in render.render_answer(partial, 0, "zh", DOCS)


def test_answer_escapes_document_fields():
    bad = _passage(text="<script>alert(1)</script> text", title=XSS[1], section="<i>s</i>", source="javascript:x")
    answer = _answer((bad,), text=f"{XSS[0]} [1]", citations=(Citation(1, bad, "<script>alert(1)</script>"),))
    out = render.render_answer(answer, 0, "en")
    assert "<script" not in out and "<img" not in out and "<i>" not in out and 'href="javascript' not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out


def test_abstention_is_one_sentence_without_cards():
    out = render.render_answer(Answer("I could not find this.", (), True, "en"), 0, "en")
    assert "qa-abstain" in out and "qa-card" not in out and "I could not find this." in out


def test_source_view_highlights_the_passage_by_offsets_and_escapes_the_article():
    passage = _passage()
    marks = [(passage.start, passage.start + len("月之暗面成立于2023年。"))]
    out = render.render_source(DOCS["d1"], passage.start, passage.end, marks, "en")
    hit = out.split('<mark class="qa-hit" id="qa-hit">')[1].rsplit("</mark>", 1)[0]  # no marks after the passage
    assert re.sub(r"<[^>]+>", "", hit) == passage.text
    assert '<mark class="qa-cite">月之暗面成立于2023年。</mark>' in hit
    assert "&lt;b&gt;raw html&lt;/b&gt;" in out and "<b>" not in out
    assert "Doc &lt;one&gt;" in out and "data/corpus/x.txt" in out and "<a " not in out
    assert '<b class="qa-h">Heading</b>' in out
    assert "qa-hit" not in render.render_source(DOCS["d1"], 0, 0, [], "en")
    assert t("viewer_missing", "zh") in render.render_source(None, 0, 5, [], "zh")
    clamped = render.render_source(DOCS["d1"], -5, 10**6, [], "en")
    assert re.sub(r"<[^>]+>", "", clamped.split('id="qa-hit">')[1]).startswith("Intro line.")


def test_trace_is_escaped_and_lists_scores():
    answer = _answer((_passage(),), trace={"question": XSS[0], "query_variants": [XSS[1]],
                                           "ranks": [{"chunk_id": "d1#0", "dense": 0.91, "bm25": 2.5, "fused": 1.0}],
                                           "timings_ms": {"embed_ms": 12.5}})
    out = render.render_trace(answer, "en")
    assert "<script" not in out and "<img" not in out
    assert "d1#0" in out and "0.91" in out and "embed_ms" in out and t("trace_cited", "en") in out
    assert t("trace_empty", "zh") in render.render_trace(None, "zh")


def test_viewer_href_round_trip_and_interface_language():
    href = render.viewer_href("a b&c", 3, 9, [(4, 6)], "zh-Hant")
    assert render.parse_viewer_href(href) == ("a b&c", 3, 9, [(4, 6)], "zh")
    assert render.parse_viewer_href("#qa-src?d=x&s=oops&h=1-2,zz") == ("x", 0, 0, [(1, 2)], "en")
    assert from_accept_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert from_accept_language("en-US,en;q=0.9") == "en"


def test_a_corpus_names_itself_and_gives_its_own_example_questions(tmp_path):
    shipped = CorpusAbout.load(ROOT / "data" / "corpus")
    examples = shipped.examples
    assert len(examples) == 6 and any(CJK_CHAR.search(q) for q in examples) and any(q.isascii() for q in examples)
    assert "China AI start-ups" in header_html("en", 5, shipped) and "5 news articles" in header_html("en", 5, shipped)
    assert shipped.text("input_placeholder", "zh-Hant") == "例如：月之暗面的创始人是谁？"
    # Another folder is not about China's AI start-ups: a generic title, and no example questions to point at.
    other = CorpusAbout.load(tmp_path)
    assert other.examples == () and "China" not in header_html("en", 20, other)
    assert "20 articles" in header_html("en", 20, other) and "example" not in chat_placeholder("en", other)
    (tmp_path / "about.tsv").write_text("key\tzh\ten\ntitle\t\tWikipedia Q&A\nexample\t华沙有多少人？\n",
                                        encoding="utf-8")
    mine = CorpusAbout.load(tmp_path)
    assert mine.text("title", "zh") == "Wikipedia Q&A" and mine.examples == ("华沙有多少人？",)
    assert "example" in chat_placeholder("en", mine)
    (tmp_path / "about.tsv").write_text("key\tzh\ten\nsubtitle\t\t{count} articles {\n", encoding="utf-8")
    assert CorpusAbout.load(tmp_path).text("subtitle", "en", n=3) == "{count} articles {"  # shown as written
    (tmp_path / "about.tsv").write_bytes(b"key\tzh\ten\ntitle\t\xff\xfe\n")
    assert CorpusAbout.load(tmp_path) == CorpusAbout()  # unreadable: generic strings, and the page still opens


def test_unsupported_sentences_cards_and_notes_are_marked():
    passage = _passage()
    answer = _answer((passage,), text="- 月之暗面成立于2023年。 [1]\n- 它价值 987654 美元。 [1] ⚠",
                     citations=(Citation(1, passage, "月之暗面成立于2023年。"),
                                Citation(1, passage, "它价值 987654 美元。 [1]", supported=False)),
                     notes=("标有 ⚠ 的句子与其引用的段落不符，请核对后再使用。",))
    out = render.render_answer(answer, 0, "en", DOCS)
    flagged = re.search(r'<span class="qa-unsupported"[^>]*>(.*?)</span> <span class="qa-flag"', out).group(1)
    assert flagged.startswith("它价值 987654 美元。") and "月之暗面" not in flagged
    assert out.count('class="qa-flag"') == 2  # after the sentence and on the card it cites
    assert '<div class="qa-notes" role="note"><p>ⓘ 标有 ⚠' in out
    assert "qa-unsupported" not in render.render_answer(_answer((passage,), text="警告 ⚠ 原文"), 0, "en")
    abstained = render.render_answer(Answer("No.", (), True, "en", notes=("The language model failed.",)), 0, "en")
    assert "The language model failed." in abstained


def test_llm_settings_from_the_page():
    base = Settings(llm_base_url="https://api.deepseek.com", llm_api_key="sk-env", llm_model="deepseek-chat",
                    llm_temperature=0.1, llm_timeout=30.0)
    assert app.llm_settings(base, "https://api.deepseek.com/", "deepseek-chat", "", 0.1, 30).llm_api_key == "sk-env"
    assert app.llm_settings(base, "https://api.deepseek.com", "deepseek-chat", "", 0.1, 30) == base
    other = app.llm_settings(base, " http://127.0.0.1:11434/v1 ", "qwen2.5:7b", "", 7, 0)
    assert (other.llm_base_url, other.llm_api_key, other.llm_temperature, other.llm_timeout) == \
        ("http://127.0.0.1:11434/v1", "", 1.0, 30.0)  # the server's key never goes to another endpoint
    assert app.llm_settings(base, "", "x", "k", 0.5, 5).llm_base_url == ""
    for bad in ("api.deepseek.com", "ftp://example.com", "javascript:alert(1)", "http://", "https://a b.com"):
        assert app.llm_settings(base, bad, "m", "", 0.1, 30) == "llm_bad_url"
    assert app.llm_settings(base, "http://127.0.0.1:1/v1", " ", "", 0.1, 30) == "llm_no_model"


# --------------------------------------------------------------------- handlers with a fake pipeline


@dataclass
class FakePipeline:
    """Answers from a script, so error paths can be driven without the model."""

    behaviour: list[object] = field(default_factory=list)
    calls: list[tuple[str, int, list]] = field(default_factory=list)
    index: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(documents=DOCS))
    settings: Settings = field(default_factory=lambda: Settings(llm_base_url="", llm_api_key="", llm_model=""))

    def ask_stream(self, question, k=5, history=None):
        self.calls.append((question, k, list(history or [])))
        step = self.behaviour.pop(0) if self.behaviour else None
        if isinstance(step, Exception):
            raise step
        answer = _answer((_passage(),))
        yield Answer("partial", answer.passages, False, "zh", complete=False)
        time.sleep(app.STREAM_INTERVAL_S + 0.01)  # slower than the UI's update interval, so it is shown
        yield Answer("partial 2", answer.passages, False, "zh", complete=False)
        yield answer


def _fn(demo, name):
    return next(f.fn for f in demo.fns.values() if f.api_name == name)


def test_errors_become_readable_messages_and_the_chat_goes_on():
    fake = FakePipeline([RuntimeError("secret internals"), IndexCorruptError("index is damaged; rebuild it"), None])
    demo = app.build_app(lambda: fake)
    ask = _fn(demo, "ask")
    *_, (chat, box, _trace, turns) = ask("第一个问题", 5, "en", [])
    text = chat[-1]["content"]
    assert "qa-error" in text and "Traceback" not in text and "secret internals" not in text and box == ""
    *_, (chat, _, _, turns) = ask("第二个问题", 3, "zh", turns)
    assert "index is damaged" in chat[-1]["content"]
    steps = list(ask("第三个问题", 3, "zh", turns))
    assert any("partial" in s[0][-1]["content"] for s in steps)  # streamed
    chat, _, trace_html, turns = steps[-1]
    assert "qa-card" in chat[-1]["content"] and len(chat) == 6 and t("trace_variants", "zh") in trace_html
    assert fake.calls[-1][1] == 3 and fake.calls[-1][2] == []  # failed turns are not sent as history
    list(ask("第四个问题", 3, "zh", turns))
    assert [m["role"] for m in fake.calls[-1][2]] == ["user", "assistant"]


def test_invalid_llm_settings_give_a_readable_message_without_answering():
    fake = FakePipeline()
    ask = _fn(app.build_app(lambda: fake), "ask")
    *_, (chat, _box, _trace, turns) = ask("问题", 5, "en", [], "api.deepseek.com", "m", "sk-secret", 0.1, 30)
    assert render.esc(t("llm_bad_url", "en")) in chat[-1]["content"] and "qa-error" in chat[-1]["content"]
    *_, (chat, *_rest) = ask("问题", 5, "zh", turns, "http://127.0.0.1:9/v1", "", "", 0.1, 30)
    assert render.esc(t("llm_no_model", "zh")) in chat[-1]["content"] and fake.calls == []
    assert all("sk-secret" not in m["content"] for m in chat)


def test_pipeline_that_fails_to_load_reports_and_retries():
    attempts = []

    def factory():
        attempts.append(1)
        if len(attempts) == 1:
            raise IndexCorruptError("index at var/index is damaged")
        return FakePipeline()

    demo = app.build_app(factory)  # the article list is empty but the app is built
    *_, (chat, *_rest) = _fn(demo, "ask")("问题", 5, "zh", [])
    assert "qa-card" in chat[-1]["content"] and len(attempts) == 2


def test_source_view_server_function():
    demo = app.build_app(lambda: FakePipeline())
    viewer = next(b for b in demo.blocks.values() if getattr(b, "server_fns", None))
    passage = _passage()
    out = viewer.source_view([render.viewer_href("d1", passage.start, passage.end, [], "en")])
    assert 'id="qa-hit"' in out and "&lt;b&gt;" in out
    assert t("viewer_missing", "en") in viewer.source_view(["#qa-src?d=nope&s=0&e=3"])


# ------------------------------------------------------------------------- the real app, end to end


@pytest.fixture(scope="module")
def served():
    demo = app.build_app()
    url = app.start_local(demo)
    yield url
    demo.close()


@pytest.fixture
def client(served):
    from gradio_client import Client

    return Client(served, verbose=False)


def _ask(client, question, k=5, lang="en"):
    chat, box, trace = client.predict(question, k, lang, api_name="/ask")
    return [m["content"][0]["text"] for m in chat], box, trace


@pytest.mark.slow
@pytest.mark.parametrize(("question", "lang_attr", "expect"), [
    ("月之暗面的创始人是谁？", "zh-Hans", "杨植麟"),
    ("Who founded Moonshot AI?", "en", "杨植麟"),
])
def test_question_gets_a_cited_answer(client, question, lang_attr, expect):
    messages, box, trace = _ask(client, question)
    answer = messages[-1]
    assert box == "" and len(messages) == 2
    assert f'lang="{lang_attr}"' in answer and expect in answer
    assert '<a class="qa-ref" href="#qa-t0-c1">[1]</a>' in answer and 'id="qa-t0-c1"' in answer
    assert '<mark class="qa-cite">' in answer and "qa-view" in answer
    assert "query_variants" in trace or t("trace_variants", "en") in trace


@pytest.mark.slow
def test_follow_up_uses_the_conversation_across_languages(client):
    _ask(client, "月之暗面的创始人是谁？", lang="zh")
    messages, _, trace = _ask(client, "它成立于哪一年？", lang="zh")
    assert len(messages) == 4 and "2023" in messages[-1]
    assert re.search(r"检索用语句</th><td>[^<]*月之暗面", trace)
    messages, _, trace = _ask(client, "When was it founded?", lang="en")
    assert len(messages) == 6 and re.search(r"Retrieval query</th><td>[^<]*Moonshot", trace)


@pytest.mark.slow
def test_abstention_reads_as_one_sentence(client):
    messages, _, _ = _ask(client, "What is the weather on Mars?")
    assert "qa-abstain" in messages[-1] and "qa-card" not in messages[-1]


@pytest.mark.slow
@pytest.mark.parametrize("bad", ["😀😀😀", "   ", "x" * 5000])
def test_bad_input_gives_a_readable_message(client, bad):
    messages, _, _ = _ask(client, bad)
    assert "qa-error" in messages[-1] and "Traceback" not in messages[-1]
    assert render.esc(t("invalid_question", "en")) in messages[-1]
    messages, _, _ = _ask(client, "Who founded Moonshot AI?")  # and the app keeps serving
    assert "qa-card" in messages[-1]


@pytest.mark.slow
def test_load_runner_reports_latencies(served):
    from bench.load_ui import run_load

    result = run_load(served, users=3, questions_per_user=1, timeout_s=60)
    assert result["users"] == 3 and result["requests"] == 3 and result["errors"] == 0
    assert 0 < result["p50_ms"] <= result["p95_ms"] and result["wall_s"] > 0
    with pytest.raises(ValueError):
        run_load("http://example.com:7860/", users=1)


@pytest.mark.slow
def test_xss_question_comes_back_escaped(client):
    question = " ".join(XSS)
    messages, _, trace = _ask(client, question)
    for html_text in (messages[0], messages[1], trace):
        assert "<script" not in html_text and "<img" not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in messages[0]
    assert "&lt;img src=x onerror=alert(1)&gt;" in messages[0]


# ------------------------------------------------------------- LLM settings on the page, with a fake LLM

SECRET = "sk-page-secret-4711"


@pytest.fixture
def llm_page(fake_llm, monkeypatch, caplog):
    """The real app's handler with the page's LLM fields pointing at the fake server."""
    from qa import get_pipeline

    monkeypatch.setattr("llm.client.RETRY_BACKOFF_S", 0.0)
    monkeypatch.setattr("ui.handlers.STREAM_INTERVAL_S", 0.0)
    caplog.set_level("DEBUG")
    fake_llm.mode, fake_llm.failures_left = "ok", 0
    fake_llm.requests.clear()
    shared = get_pipeline()
    ask, variants = _fn(app.build_app(lambda: shared), "ask"), app.LLMVariants()

    def run(question, turns=(), mode="ok"):
        fake_llm.mode = mode
        steps = []
        for chat, _box, trace_html, new_turns in ask(question, 5, "en", list(turns), fake_llm.url, "fake-model",
                                                     SECRET, 0.1, 2, variants):
            answer = new_turns[-1].answer if len(new_turns) else None
            steps.append((answer, chat[-1]["content"]))
            assert SECRET not in str(chat) + str(trace_html)
        return steps, new_turns

    yield SimpleNamespace(run=run, shared=shared, variants=variants)
    assert SECRET not in caplog.text
    assert shared.llm is None and shared.settings.llm_base_url == ""  # the shared pipeline is untouched


@pytest.mark.slow
def test_llm_from_the_page_streams_a_cited_answer(llm_page, fake_llm):
    steps, _ = llm_page.run("月之暗面的创始人是谁？")
    final, html_text = steps[-1]
    first = re.split(r"(?<=[。！？])", final.passages[0].text)[0].strip()
    assert final.complete and final.text == f"{first} [1]" and final.notes == ()  # the LLM's answer, not quotes
    partials = [a.text for a, _ in steps if a is not None and not a.complete]
    assert len(partials) >= 2 and all(final.text.startswith(p) for p in partials)  # streamed
    assert '<a class="qa-ref" href="#qa-t0-c1">[1]</a>' in html_text and "qa-unsupported" not in html_text
    assert f'<mark class="qa-cite">{render.esc(first)}</mark>' in html_text  # the quoted sentence, in its card
    assert fake_llm.requests[-1]["model"] == "fake-model"


@pytest.mark.slow
def test_llm_failure_and_unsupported_sentences_are_shown(llm_page, fake_llm, monkeypatch):
    built = []
    monkeypatch.setattr("ui.handlers.LLMClient", lambda settings: built.append(settings) or LLMClient(settings))
    steps, turns = llm_page.run("Who founded Moonshot AI?", mode="error")
    final, html_text = steps[-1]
    assert "杨植麟" in final.text and "qa-card" in html_text
    assert re.search(r'class="qa-notes".*could not answer \([^)]*HTTP 500\); showing the quoted answer', html_text)
    steps, _ = llm_page.run("月之暗面的创始人是谁？", turns, mode="hallucinate")
    final, html_text = steps[-1]
    flagged = re.search(r'<span class="qa-unsupported"[^>]*>(.*?)</span> <span class="qa-flag"', html_text)
    assert flagged and "987654" in flagged.group(1) and "⚠" in html_text
    assert "qa-notes" in html_text and any(not c.supported for c in final.citations)
    assert len(llm_page.variants) == 1 and len(built) == 1  # one client for the session's settings
    assert (built[0].llm_base_url, built[0].llm_api_key, built[0].llm_timeout) == (fake_llm.url, SECRET, 2.0)


@pytest.mark.slow
def test_llm_fields_through_the_api(client, fake_llm, monkeypatch):
    monkeypatch.setattr("llm.client.RETRY_BACKOFF_S", 0.0)
    fake_llm.mode = "ok"
    chat, _box, trace = client.predict("Who founded Moonshot AI?", 5, "en", fake_llm.url, "fake-model", SECRET,
                                      0.1, 2, api_name="/ask")
    messages = [m["content"][0]["text"] for m in chat]
    assert re.search(r"\[1\]</a></p>", messages[-1]) and "fake-model" in trace
    assert SECRET not in str(chat) + trace + str(client.view_api(print_info=False, return_format="dict"))


def test_llm_panel_only_for_private_servers_unless_told(monkeypatch):
    monkeypatch.delenv("QA_UI_LLM_SETTINGS", raising=False)
    assert app.llm_panel_allowed("127.0.0.1", share=False)
    assert not app.llm_panel_allowed("0.0.0.0", share=False)
    assert not app.llm_panel_allowed("127.0.0.1", share=True)
    monkeypatch.setenv("QA_UI_LLM_SETTINGS", "1")
    assert app.llm_panel_allowed("0.0.0.0", share=True)
    monkeypatch.setenv("QA_UI_LLM_SETTINGS", "0")
    assert not app.llm_panel_allowed("127.0.0.1", share=False)
