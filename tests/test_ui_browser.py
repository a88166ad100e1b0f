"""The web UI in a real Chromium: answers with citation cards, the source viewer, and no script injection.

Uses Debian's Chromium (``apt-get install chromium fonts-wqy-microhei``); skipped when it is not installed.
Set ``TEST_UI_SHOTS=/some/folder`` to keep screenshots of each step.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.extended,  # a real server and Chromium: make check runs them, one at a time
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                     "(apt-get install chromium fonts-wqy-microhei)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

import app  # noqa: E402

ANSWERS = "#qa-chat .qa-answer:not(.qa-pending):not(.qa-streaming), #qa-chat .qa-error"
XSS = "<script>alert(1)</script> <img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def feedback_db(tmp_path_factory):
    return tmp_path_factory.mktemp("feedback") / "feedback.sqlite3"


@pytest.fixture(scope="module")
def url(feedback_db):
    demo = app.build_app(feedback_db=feedback_db)
    yield app.start_local(demo)
    demo.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shared_page(browser, url):
    """One page for the module (a page load costs seconds on a small machine); each test clears the chat."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.dialogs = []  # every alert/confirm/prompt the page tries to open
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.set_default_timeout(15_000)
    page.goto(url)
    page.wait_for_selector("#qa-input textarea")
    page.wait_for_function("document.querySelector('#qa-send').innerText.includes('Ask')")
    yield page
    context.close()


@pytest.fixture
def page(shared_page, request):
    page = shared_page
    page.set_viewport_size({"width": getattr(request, "param", 1280), "height": 900})
    if page.locator(".qa-viewer.qa-open").count():
        page.keyboard.press("Escape")
    page.click("#qa-clear")
    page.wait_for_function("!document.querySelector('#qa-chat .qa-q')")
    yield page
    assert page.dialogs == []


def _shot(page, name: str) -> None:
    folder = os.environ.get("TEST_UI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def _ask(page, question: str) -> None:
    before = page.locator(ANSWERS).count()
    page.fill("#qa-input textarea", question)
    page.press("#qa-input textarea", "Enter")
    page.wait_for_function(f"document.querySelectorAll({ANSWERS!r}).length > {before}")


def _type(box, value: str) -> None:
    """Fill a field and leave it; retype when a late re-render of the panel cleared it (seen on loaded machines)."""
    for _ in range(3):
        box.fill(value)
        box.press("Tab")
        try:
            sync_api.expect(box).to_have_value(value, timeout=2_000)
            return
        except AssertionError:
            continue
    sync_api.expect(box).to_have_value(value)


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("page", [1280, 390], indirect=True, ids=["wide", "narrow"])
def test_chinese_answer_cards_and_source_viewer(page):
    _ask(page, "月之暗面的创始人是谁？")
    answer = page.locator("#qa-chat .qa-answer").last
    cards = answer.locator(".qa-card")
    assert cards.count() >= 1 and "杨植麟" in answer.inner_text()
    assert answer.locator("mark.qa-cite").count() >= 1 and answer.locator("a.qa-ref").count() >= 1
    assert _no_horizontal_scroll(page)
    width = page.viewport_size["width"]
    box = cards.first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    _shot(page, f"zh-answer-{width}")

    passage = cards.first.locator(".qa-passage").inner_text()
    cards.first.locator(".qa-passage").click()  # the whole card opens the viewer
    hit = page.locator(".qa-viewer.qa-open #qa-hit")
    hit.wait_for()
    assert "".join(hit.inner_text().split()) in "".join(passage.split())  # the card's passage, by offsets
    body = page.locator(".qa-viewer-body").bounding_box()
    hit_box = hit.bounding_box()
    assert body["y"] <= hit_box["y"] < body["y"] + body["height"]  # scrolled into view
    assert hit.locator("mark.qa-cite").count() >= 1
    _shot(page, f"viewer-{width}")
    page.keyboard.press("Escape")
    page.wait_for_selector(".qa-viewer.qa-open", state="hidden")
    assert page.dialogs == []


def test_english_answer_marker_and_view_button(page):
    _ask(page, "Who founded Moonshot AI?")
    answer = page.locator("#qa-chat .qa-answer").last
    assert answer.get_attribute("lang") == "en" and answer.locator(".qa-card").count() >= 1
    assert "Yang Zhilin" in answer.inner_text() and "Evidence" in answer.inner_text()
    answer.locator("a.qa-ref").first.click()  # a marker jumps to its card
    page.wait_for_selector("#qa-chat .qa-card.qa-flash")
    answer.locator("a.qa-view").first.click()
    page.locator(".qa-viewer.qa-open #qa-hit").wait_for()
    title = page.locator(".qa-viewer .qa-sv-title").inner_text()
    assert title == answer.locator(".qa-card .qa-title").first.inner_text()
    page.locator(".qa-viewer-close").click()
    page.wait_for_selector(".qa-viewer.qa-open", state="hidden")
    _shot(page, "en-answer-1280")


def test_interface_language_toggle_keeps_the_conversation(page):
    page.get_by_label("中文").check()
    page.wait_for_function("document.querySelector('#qa-send').innerText.includes('发送')")
    _ask(page, "月之暗面成立于哪一年？")
    assert "引用来源" in page.locator("#qa-chat .qa-answer").last.inner_text()
    page.get_by_label("English").check()
    page.wait_for_function("document.querySelector('#qa-chat .qa-cards-head')?.innerText.match(/sources/i)")
    assert page.locator("#qa-chat .qa-card").count() >= 1


def test_script_injection_is_shown_as_text(page):
    _ask(page, XSS)
    page.wait_for_timeout(300)
    assert page.dialogs == []
    user = page.locator("#qa-chat .qa-q").last
    assert user.inner_text().split() == XSS.split()
    assert page.locator("#qa-chat img[src='x']").count() == 0
    assert page.get_by_text("<script>alert(1)</script>", exact=False).first.is_visible()
    # every article (one was raw HTML) opens in the viewer as text only
    page.locator("#qa-articles").get_by_text("The articles").click()
    links = page.locator("#qa-articles-html a.qa-view")
    for i in range(links.count()):
        links.nth(i).click()
        page.locator(".qa-viewer.qa-open .qa-sv-text").wait_for()
        # Markdown tables become the viewer's own tables; the article's raw HTML (a <table> too) stays text.
        assert page.locator(".qa-viewer-body img, .qa-viewer-body script, "
                            ".qa-viewer-body table:not(.qa-md-table)").count() == 0
        page.keyboard.press("Escape")
    _shot(page, "xss-1280")
    assert page.dialogs == []


def test_llm_settings_flags_and_fallback_note(page, monkeypatch):
    from tests.fake_llm import FakeLLM

    secret = "sk-browser-secret-0815"
    monkeypatch.setattr("llm.client.RETRY_BACKOFF_S", 0.0)
    fake = FakeLLM()
    try:
        page.get_by_label("中文").check()
        page.locator("#qa-llm").get_by_text("大模型（可选）").wait_for()
        page.get_by_label("English").check()
        page.locator("#qa-llm").get_by_text("LLM (optional)").click()
        # The fields are relabelled by the same language update; type only once they show English labels.
        sync_api.expect(page.locator("#qa-llm-key")).to_contain_text("API key")
        fields = {"url": fake.url, "model": "fake-model", "key": secret}
        for name, value in fields.items():
            _type(page.locator(f"#qa-llm-{name} input, #qa-llm-{name} textarea").first, value)
        fake.mode = "hallucinate"
        _ask(page, "月之暗面的创始人是谁？")
        answer = page.locator("#qa-chat .qa-answer").last
        flagged = answer.locator(".qa-unsupported")
        assert flagged.count(), f"{len(fake.requests)} LLM requests; answer: {answer.inner_text()[:400]!r}"
        assert "987654" in flagged.first.inner_text()
        assert answer.locator(".qa-flag").first.is_visible() and answer.locator(".qa-notes").is_visible()
        answer.locator(".qa-unsupported").first.scroll_into_view_if_needed()
        _shot(page, "llm-unsupported-1280")
        fake.mode = "error"
        _ask(page, "Who founded Moonshot AI?")
        notes = page.locator("#qa-chat .qa-answer").last.locator(".qa-notes")
        assert "showing the quoted answer" in notes.inner_text()
        notes.scroll_into_view_if_needed()
        _shot(page, "llm-fallback-1280")
        assert secret not in page.content()  # typed values are properties, not markup
        page.locator("#qa-llm-url input, #qa-llm-url textarea").first.fill("api.deepseek.com")
        _ask(page, "Who founded Moonshot AI?")
        assert "must start with http://" in page.locator("#qa-chat .qa-error").last.inner_text()
        _shot(page, "llm-bad-url-1280")
        page.locator("#qa-llm-hint").scroll_into_view_if_needed()
        _shot(page, "llm-settings-1280")
    finally:
        for name in ("url", "model", "key"):  # the page is shared with the other tests
            page.locator(f"#qa-llm-{name} input, #qa-llm-{name} textarea").first.fill("")
        fake.close()


# ------------------------------------------------------- answering while an answer streams, stop, feedback

SLOW_ANSWER = ("{first} [1]\nThe second sentence repeats what the first passage says, slowly. [1]\n"
               "A third sentence keeps the model writing for a while longer. [1]")


@pytest.fixture
def slow_llm(page):
    """The page's LLM fields pointing at a fake model that takes its time (about 4 s an answer)."""
    from tests.fake_llm import FakeLLM

    fake = FakeLLM()
    fake.answer, fake.first_delay, fake.chunk_delay = SLOW_ANSWER, 1.0, 0.12
    page.get_by_label("English").check()
    page.wait_for_function("document.querySelector('#qa-send').innerText.includes('Ask')")
    if not page.locator("#qa-llm-url input, #qa-llm-url textarea").first.is_visible():
        page.locator("#qa-llm").get_by_text("LLM (optional)").click()
    for name, value in {"url": fake.url, "model": "fake-model"}.items():
        _type(page.locator(f"#qa-llm-{name} input, #qa-llm-{name} textarea").first, value)
    yield fake
    for name in ("url", "model"):
        page.locator(f"#qa-llm-{name} input, #qa-llm-{name} textarea").first.fill("")
    fake.close()


def _send(page, question: str) -> None:
    page.fill("#qa-input textarea", question)
    page.press("#qa-input textarea", "Enter")


def _answers(page) -> int:
    return page.locator(ANSWERS).count()


def test_status_then_enter_during_an_answer_queues_the_question_visibly(page, slow_llm):
    _send(page, "Who founded Moonshot AI?")
    page.wait_for_selector("#qa-chat .qa-pending:has-text('waiting for the language model')")
    page.wait_for_selector("#qa-chat .qa-streaming")
    _send(page, "月之暗面的创始人是谁？")  # Enter while the first answer streams
    queued = page.locator("#qa-chat .qa-queued")
    queued.wait_for()
    assert "Queued" in queued.inner_text() and page.locator("#qa-input textarea").input_value() == ""
    assert page.locator("#qa-stop").is_visible()
    queued.scroll_into_view_if_needed()
    _shot(page, "queue-1280")
    page.wait_for_function(f"document.querySelectorAll({ANSWERS!r}).length >= 2", timeout=60_000)
    assert page.locator("#qa-chat .qa-queued").count() == 0 and page.locator("#qa-chat .qa-q").count() == 2
    page.locator("#qa-stop").wait_for(state="hidden")


def test_text_typed_during_an_answer_stays_in_the_box(page, slow_llm):
    _send(page, "Who founded Moonshot AI?")
    page.wait_for_selector("#qa-chat .qa-pending, #qa-chat .qa-streaming")
    page.locator("#qa-input textarea").type("still typing 还在输入")
    page.wait_for_function(f"document.querySelectorAll({ANSWERS!r}).length >= 1", timeout=60_000)
    page.wait_for_timeout(500)  # the final update has been drawn
    assert page.locator("#qa-input textarea").input_value() == "still typing 还在输入"
    page.locator("#qa-input textarea").fill("")


def test_send_button_during_an_answer_queues_too(page, slow_llm):
    _send(page, "Who founded Moonshot AI?")
    page.wait_for_selector("#qa-chat .qa-pending, #qa-chat .qa-streaming")
    page.fill("#qa-input textarea", "What is Moonshot AI's valuation?")
    page.click("#qa-send")
    page.locator("#qa-chat .qa-queued").wait_for()
    page.wait_for_function(f"document.querySelectorAll({ANSWERS!r}).length >= 2", timeout=60_000)
    assert "valuation" in page.locator("#qa-chat .qa-q").last.inner_text()


def test_stop_keeps_the_partial_answer_marked_stopped(page, slow_llm):
    _send(page, "Who founded Moonshot AI?")
    # Stop once some of the answer has streamed, however long the first words took to arrive.
    page.wait_for_function("(document.querySelector('#qa-chat .qa-streaming')?.innerText || '').length > 10")
    page.click("#qa-stop")
    mark = page.locator("#qa-chat .qa-stopped")
    mark.wait_for()
    answer = page.locator("#qa-chat .qa-answer").last
    assert "Stopped" in mark.inner_text() and len(answer.inner_text()) > 10
    mark.scroll_into_view_if_needed()
    _shot(page, "stop-1280")
    page.locator("#qa-stop").wait_for(state="hidden")
    page.wait_for_timeout(1500)  # the model would have finished by now: the stopped text stays as it was
    assert page.locator("#qa-chat .qa-stopped").count() == 1 and "third sentence" not in answer.inner_text()


def test_clear_during_an_answer_stops_it_and_clears(page, slow_llm):
    _send(page, "Who founded Moonshot AI?")
    page.wait_for_selector("#qa-chat .qa-streaming")
    page.click("#qa-clear")
    page.wait_for_function("!document.querySelector('#qa-chat .qa-q')")
    page.wait_for_timeout(2500)  # long enough for the stopped answer to have come back, had it not stopped
    assert page.locator("#qa-chat .qa-q").count() == 0


def test_a_stalled_model_ends_in_the_fallback_note_after_the_timeout_and_one_retry(page, slow_llm):
    slow_llm.mode, slow_llm.stall_s = "stall", 20.0
    _type(page.locator("#qa-llm-timeout input").first, "1")
    try:
        _send(page, "月之暗面的创始人是谁？")
        page.wait_for_selector("#qa-chat .qa-pending:has-text('waiting for the language model')")
        notes = page.locator("#qa-chat .qa-answer .qa-notes")
        notes.wait_for(timeout=15_000)
        assert "timed out" in notes.inner_text() and "直接引用原文" in notes.inner_text()  # the answer's language
        assert len(slow_llm.requests) == 2  # the call and its one retry
        notes.scroll_into_view_if_needed()
        _shot(page, "timeout-1280")
    finally:
        _type(page.locator("#qa-llm-timeout input").first, "30")


def test_cards_appear_as_they_are_cited_and_never_jump(page, slow_llm):
    slow_llm.answer = ("{first} [2]\nA second sentence that cites the first passage as well, slowly. [1]\n"
                       "A third one that cites the second passage again. [2]")
    # Sample the number of cards in the newest answer every 50 ms while it streams.
    page.evaluate("""() => { window.__cards = []; window.__sampler = setInterval(() => {
        const answers = document.querySelectorAll('#qa-chat .qa-answer');
        const last = answers[answers.length - 1];
        if (last && !last.classList.contains('qa-pending'))
          window.__cards.push(last.querySelectorAll('.qa-card').length);
      }, 50); }""")
    _ask(page, "Who founded Moonshot AI?")
    counts = page.evaluate("() => { clearInterval(window.__sampler); return window.__cards; }")
    final = page.locator("#qa-chat .qa-answer").last.locator(".qa-card").count()
    assert final == 2 and counts and max(counts) == final
    assert all(a <= b for a, b in itertools.pairwise(counts)), counts  # only ever added, never 5 then 2


def test_regenerate_with_an_llm_asks_again(page, slow_llm):
    _ask(page, "Who founded Moonshot AI?")
    asked = len(slow_llm.requests)
    page.click("#qa-regenerate")
    page.wait_for_function(f"document.querySelectorAll({ANSWERS!r}).length == 0 || "
                           "document.querySelector('#qa-chat .qa-pending, #qa-chat .qa-streaming')")
    page.wait_for_function(f"document.querySelectorAll({ANSWERS!r}).length == 1", timeout=60_000)
    assert len(slow_llm.requests) > asked and page.locator("#qa-chat .qa-q").count() == 1


def test_regenerate_without_an_llm_answers_again(page):
    _ask(page, "月之暗面的创始人是谁？")
    first = page.locator("#qa-chat .qa-answer").last.inner_text()
    if not page.locator("#qa-trace-html").count():  # the trace (with the answer's timings) shows when opened
        page.locator("#qa-trace").get_by_text("Retrieval trace").click()
    trace = page.locator("#qa-trace-html").inner_html()  # new timings mean a new answer
    page.click("#qa-regenerate")
    page.wait_for_function("([before, answers]) => document.querySelector('#qa-trace-html').innerHTML !== before"
                           " && document.querySelectorAll(answers).length == 1"
                           " && !document.querySelector('#qa-chat .qa-pending, #qa-chat .qa-streaming')"
                           " && document.querySelectorAll('#qa-chat .qa-q').length == 1", arg=[trace, ANSWERS])
    assert page.locator("#qa-chat .qa-answer").last.inner_text() == first


def test_copy_puts_the_answer_and_its_sources_on_the_clipboard(page, url):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
    _ask(page, "Who founded Moonshot AI?")
    answer = page.locator("#qa-chat .qa-answer").last
    title = answer.locator(".qa-card .qa-title").first.inner_text()
    page.locator("#qa-chat a.qa-copy").last.click()
    page.wait_for_selector("#qa-chat a.qa-copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "杨植麟" in copied and f"[1] {title}" in copied and "Sources" in copied


def test_thumbs_down_with_a_comment_is_stored(page, feedback_db):
    import sqlite3

    _ask(page, "月之暗面成立于哪一年？")
    page.locator("#qa-chat button[aria-label='Dislike']").last.click()
    comment = page.locator("#qa-feedback-text textarea, #qa-feedback-text input").first
    comment.wait_for()
    comment.fill("the year is right but the source is thin")
    _shot(page, "feedback-1280")
    page.click("#qa-feedback-send")
    page.locator("#qa-feedback-row").wait_for(state="hidden")
    with sqlite3.connect(feedback_db) as db:
        rows = db.execute("SELECT vote, question, comment, passages, settings FROM feedback").fetchall()
    vote, question, text, passages, settings = rows[-1]
    assert (vote, question, text) == (-1, "月之暗面成立于哪一年？", "the year is right but the source is thin")
    assert "title" in passages and '"k": 5' in settings


def test_conversation_survives_a_reload(page):
    _ask(page, "Who founded Moonshot AI?")
    page.reload()
    page.wait_for_selector("#qa-chat .qa-q", timeout=60_000)  # the page and its stored conversation, on a busy machine
    assert "Who founded Moonshot AI?" in page.locator("#qa-chat .qa-q").first.inner_text()
    assert page.locator("#qa-chat .qa-card").count() >= 1


def test_trace_lists_titles_and_snippets(page):
    _ask(page, "Who founded Moonshot AI?")
    table = page.locator("#qa-trace-html table.qa-ranks")
    if not table.is_visible():  # another test may have opened the trace already
        page.locator("#qa-trace").get_by_text("Retrieval trace").click()
    table.wait_for()
    headers = table.locator("th").all_inner_texts()
    assert "title" in headers and "snippet" in headers
    assert "DeepSeek" in table.inner_text() or "创业" in table.inner_text()


def test_phone_first_screen_shows_the_input_and_an_example(browser, url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        phone = context.new_page()
        phone.goto(url)
        phone.wait_for_selector("#qa-input textarea")
        phone.wait_for_function("document.querySelector('#qa-send').innerText.includes('发送')")
        for selector in ("#qa-input textarea", "#qa-examples button"):
            box = phone.locator(selector).first.bounding_box()
            assert box and box["y"] >= 0 and box["y"] + box["height"] <= 844, (selector, box)
        assert _no_horizontal_scroll(phone)
        _shot(phone, "phone-first-390")
    finally:
        context.close()


class _SlowOffline:
    """The real offline pipeline, writing its quoted answer one line per second (so Stop can be pressed)."""

    def __init__(self, pipeline) -> None:
        self._pipeline = pipeline

    def __getattr__(self, name):
        return getattr(self._pipeline, name)

    def ask_stream(self, question, k=5, history=None):
        import time

        for answer in self._pipeline.ask_stream(question, k, history):
            yield answer
            time.sleep(1.0)


def test_stop_without_an_llm_keeps_the_quoted_lines_written_so_far(browser):
    from qa import get_pipeline

    demo = app.build_app(lambda: _SlowOffline(get_pipeline()))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(app.start_local(demo))
        page.wait_for_function("document.querySelector('#qa-send')?.innerText.includes('发送')")
        _send(page, "“六小虎”指的是哪些公司？")
        page.wait_for_selector("#qa-chat .qa-streaming")
        page.click("#qa-stop")
        page.locator("#qa-chat .qa-stopped").wait_for()
        assert "已停止" in page.locator("#qa-chat .qa-stopped").inner_text()
        page.locator("#qa-stop").wait_for(state="hidden")
        page.wait_for_timeout(2500)  # the rest of the lines would have arrived by now
        # Still the partial answer, no longer busy, and never completed (no copy link of a finished answer).
        assert page.locator("#qa-chat .qa-streaming, #qa-chat .qa-actions").count() == 0
        assert page.locator("#qa-chat .qa-stopped").count() == 1 and page.locator("#qa-chat .qa-answer").count() == 1
        _shot(page, "stop-offline-1280")
    finally:
        context.close()
        demo.close()
