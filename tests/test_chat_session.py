"""The chat's queue, Stop, Clear and Regenerate, the stored conversation and the feedback store (no browser)."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import pytest

import app
from qa.types import Answer, Citation
from retrieve.passage import Passage
from ui import persist
from ui.chat_html import with_titles
from ui.feedback import FeedbackError, FeedbackStore, candidates
from ui.feedback import main as feedback_cli
from ui.session import ChatSession, Turn

PASSAGE = Passage("d1", "d1#0", "中国不仅仅有DeepSeek", "https://example.com/a", "2025-02-07", "s",
                  "月之暗面成立于2023年。创始人杨植麟。", 0, 18, 0.9)


def _answer(text: str = "月之暗面成立于2023年。 [1]", **kw) -> Answer:
    fields = {"text": text, "passages": (PASSAGE,), "abstained": False, "language": "zh",
              "citations": (Citation(1, PASSAGE, "月之暗面成立于2023年。"),)}
    fields.update(kw)
    return Answer(**fields)


class GatedPipeline:
    """Streams one partial answer, then waits for ``gate`` before finishing (or forever, until stopped)."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.started = threading.Event()
        self.calls: list[str] = []
        self.closed = threading.Event()
        self.index = SimpleNamespace(documents={}, chunks=[])
        self.settings = None

    def ask_stream(self, question, k=5, history=None):
        self.calls.append(question)
        try:
            yield _answer(f"部分回答：{question}", complete=False)
            self.started.set()
            self.gate.wait(timeout=20)
            yield _answer(f"完整回答：{question} [1]")
        finally:
            self.closed.set()


def _fns(demo):
    return {getattr(f.fn, "__name__", ""): f.fn for f in demo.fns.values()}


@pytest.fixture
def page():
    fake = GatedPipeline()
    fns = _fns(app.build_app(lambda: fake))
    return SimpleNamespace(fake=fake, accept=fns["accept"], drain=fns["drain"], stop=fns["stop"],
                           reset=fns["reset"], regenerate=fns["regenerate"], set_language=fns["set_language"],
                           session=ChatSession())


def _run(page, results):
    """Run the answering loop on a thread, as Gradio would, collecting every update."""
    thread = threading.Thread(target=lambda: results.extend(page.drain(5, "zh", page.session)), daemon=True)
    thread.start()
    return thread


def test_questions_sent_during_an_answer_are_queued_visibly_and_all_answered(page):
    chat, box = page.accept("第一个问题", "zh", page.session)
    assert box == "" and "第一个问题" in chat[0]["content"]
    updates: list = []
    loop = _run(page, updates)
    assert page.fake.started.wait(10)
    chat, box = page.accept("第二个问题", "zh", page.session)  # typed while the first is streaming
    assert box == "" and "第二个问题" in chat[-1]["content"] and "qa-queued" in chat[-1]["content"]
    assert chat[-1]["role"] == "user"  # no answer bubble yet, so nothing to vote on
    extra = list(page.drain(5, "zh", page.session))  # the second click's loop leaves the work to the first
    assert len(extra) == 1 and all(isinstance(x, type(extra[0][0])) for x in extra[0])
    page.fake.gate.set()
    loop.join(20)
    assert page.fake.calls == ["第一个问题", "第二个问题"]
    assert [t.answer.text for t in page.session.turns] == ["完整回答：第一个问题 [1]", "完整回答：第二个问题 [1]"]
    final_chat, _trace, stop_button, stored = updates[-1]
    assert "qa-queued" not in str(final_chat) and stop_button["visible"] is False and len(stored) == 2


def test_an_answer_streaming_while_the_page_changes_language_ends_in_the_new_language(page):
    # The page takes the browser's language just after loading; a question sent before that must not end
    # with its source cards labelled in the old language.
    page.accept("问题", "zh", page.session)
    updates: list = []
    loop = _run(page, updates)
    assert page.fake.started.wait(10)
    page.set_language("en", page.session)
    page.fake.gate.set()
    loop.join(20)
    html = updates[-1][0][-1]["content"]
    assert "Sources" in html and "引用来源" not in html


def test_stop_keeps_the_partial_answer_marked_stopped(page):
    page.accept("问题", "zh", page.session)
    updates: list = []
    loop = _run(page, updates)
    assert page.fake.started.wait(10)
    page.stop(page.session)
    loop.join(10)
    assert not loop.is_alive()  # the page is free at once, while the model is still busy
    page.fake.gate.set()  # the model writes on: its stream is closed at the next piece, not read to the end
    assert page.fake.closed.wait(10)
    turn = page.session.turns[-1]
    assert turn.stopped and turn.answer.text == "部分回答：问题"
    html = updates[-1][0][-1]["content"]
    assert "部分回答" in html and "qa-stopped" in html


def test_clear_during_an_answer_stops_it_and_empties_the_chat(page):
    page.accept("问题", "zh", page.session)
    updates: list = []
    loop = _run(page, updates)
    assert page.fake.started.wait(10)
    page.accept("排队的问题", "zh", page.session)
    chat, _trace, stored, _box = page.reset("zh", page.session)
    loop.join(10)
    assert chat == [] and stored == [] and not loop.is_alive()
    assert page.session.turns == [] and page.session.pending == [] and updates[-1][0] == []
    assert page.fake.calls == ["问题"]  # the queued question went with the clear


def test_regenerate_asks_the_last_question_again(page):
    page.fake.gate.set()
    page.accept("问题", "zh", page.session)
    list(page.drain(5, "zh", page.session))
    assert page.regenerate("zh", page.session) is not None
    list(page.drain(5, "zh", page.session))
    assert page.fake.calls == ["问题", "问题"] and len(page.session.turns) == 1


def test_conversation_survives_a_round_trip_through_browser_storage():
    turns = [Turn("问题", _answer()), Turn("坏问题", error="the question is empty", invalid=True),
             Turn("停下的问题", _answer("部分", complete=False), stopped=True),
             Turn("进行中", _answer("x", complete=False))]
    stored = json.loads(json.dumps(persist.dump(turns)))  # what the browser keeps is plain JSON
    back = persist.load(stored)
    assert [t.question for t in back] == ["问题", "坏问题", "停下的问题"]
    assert back[0].answer == _answer() and back[1].invalid and back[2].stopped
    assert persist.load([{"question": 3}, "junk", {"question": "ok", "answer": {"text": 1}}]) == []
    assert persist.load("not a list") == []


def test_feedback_is_stored_with_its_context_and_exported(tmp_path, capsys):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    up = store.add("月之暗面成立于哪一年？", _answer(), 1, {"k": 5, "llm_model": ""})
    down = store.add("谁投资了月之暗面？", _answer(), -1, {"k": 3})
    store.comment(down, "没有回答投资方")
    rows = store.rows()
    assert [r["vote"] for r in rows] == [1, -1] and rows[1]["comment"] == "没有回答投资方"
    assert rows[0]["passages"][0]["title"] == PASSAGE.title and rows[0]["settings"]["k"] == 5 and rows[0]["created"]
    with pytest.raises(FeedbackError):
        store.add("q", _answer(), 0, {})
    with pytest.raises(FeedbackError):
        store.comment(999, "x")
    assert [c["question"] for c in candidates(rows)] == ["谁投资了月之暗面？"] and up == 1
    assert feedback_cli(["export", "--db", str(tmp_path / "fb.sqlite3"), "--all"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2 and lines[1]["needs_review"] and lines[1]["feedback"]["comment"] == "没有回答投资方"
    assert feedback_cli(["export", "--db", str(tmp_path / "missing.sqlite3")]) == 2


def test_trace_rows_get_titles_and_snippets():
    answer = _answer(trace={"ranks": [{"chunk_id": "d1#0", "rrf": 0.5}, {"chunk_id": "gone", "rrf": 0.1}]})
    chunk = SimpleNamespace(title="标题", text="很长的段落 " * 30)
    ranks = with_titles(answer, lambda cid: chunk if cid == "d1#0" else None).trace["ranks"]
    assert list(ranks[0])[:3] == ["chunk_id", "title", "snippet"] and ranks[0]["title"] == "标题"
    assert ranks[0]["snippet"].endswith("…") and ranks[1]["title"] == "" and ranks[0]["rrf"] == 0.5
