"""The web UI: a bilingual chat over the articles with cited, checkable answers.

Run ``python app.py [--host 127.0.0.1] [--port 7860] [--share]`` (or ``make run``).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import secrets
import socket
import sqlite3
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gradio as gr

from common.errors import InvalidQuestionError, QAError
from common.settings import Settings, get_settings
from llm.client import LLMClient, llm_configured
from qa import get_pipeline
from qa.api import Pipeline
from ui import chat_html, persist, render
from ui.assets import CSS, VIEWER_HTML, VIEWER_JS, theme
from ui.feedback import FeedbackError, FeedbackStore
from ui.session import ChatSession, Turn
from ui.text import DEFAULT_LANGUAGE, EXAMPLES, LANGUAGES, from_accept_language, t

log = logging.getLogger("app")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
STREAM_INTERVAL_S = 0.05  # at most ~20 chat updates a second while an answer streams
MAX_LLM_VARIANTS = 4  # pipelines with other LLM settings kept per browser session


def _history(turns: list[Turn] | ChatSession) -> list[dict[str, str]]:
    """The conversation so far in Gradio "messages" format, for follow-up questions (failed turns left out)."""
    out: list[dict[str, str]] = []
    for turn in turns:
        if turn.answer is not None and turn.answer.complete and turn.error is None:
            out += [{"role": "user", "content": turn.question}, {"role": "assistant", "content": turn.answer.text}]
    return out


def llm_settings(base: Settings, base_url: str | None, model: str | None, api_key: str | None,
                 temperature: float | None, timeout: float | None) -> Settings | str:
    """``base`` with the LLM fields from the page, or the key of a message saying what is wrong with them.

    An empty base URL means no LLM (quoted answers). An empty key field means the server's key, but only
    for the server's own base URL, so a visitor cannot send that key to an endpoint of their choosing.
    """
    url, model, key = (base_url or "").strip(), (model or "").strip(), (api_key or "").strip()
    if not url:
        return base if not base.llm_base_url else base.with_(llm_base_url="")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not url.lower().startswith(("http://", "https://")) \
            or not parts.hostname or any(c.isspace() for c in url):
        return "llm_bad_url"
    if not model:
        return "llm_no_model"
    if not key and url.rstrip("/") == base.llm_base_url.strip().rstrip("/"):
        key = base.llm_api_key
    temp = base.llm_temperature if temperature is None else float(temperature)
    wait = base.llm_timeout if not timeout else float(timeout)
    return base.with_(llm_base_url=url, llm_model=model, llm_api_key=key,
                      llm_temperature=min(1.0, max(0.0, temp)), llm_timeout=min(600.0, max(1.0, wait)))


class LLMVariants:
    """One browser session's pipelines with other LLM settings, sharing the loaded index (kept in ``gr.State``).

    The shared pipeline is never changed; a variant is built once per distinct settings, the oldest dropped.
    """

    def __init__(self) -> None:
        """An empty cache."""
        self._items: OrderedDict[Settings, Pipeline] = OrderedDict()
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> LLMVariants:
        """Each session starts with its own empty cache; pipelines are never copied."""
        return LLMVariants()

    def __len__(self) -> int:
        """How many variants are kept."""
        return len(self._items)

    def get(self, base: Pipeline, settings: Settings) -> Pipeline:
        """``base`` itself for its own settings, else the (cached) variant for ``settings``."""
        if settings == base.settings:
            return base
        with self._lock:
            pipeline = self._items.pop(settings, None)
            if pipeline is None or pipeline.index is not base.index:
                llm = LLMClient(settings) if llm_configured(settings) else None
                pipeline = replace(base, settings=settings, llm=llm)
            self._items[settings] = pipeline
            while len(self._items) > MAX_LLM_VARIANTS:
                self._items.popitem(last=False)
            return pipeline


class _Lazy:
    """Calls the pipeline factory once; a failure is shown in the chat and retried on the next question."""

    def __init__(self, factory: Callable[[], Pipeline]) -> None:
        self._factory = factory
        self._pipeline: Pipeline | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Pipeline:
        if self._pipeline is None:
            with self._lock:
                if self._pipeline is None:
                    self._pipeline = self._factory()
        return self._pipeline

    def loaded(self) -> Pipeline | None:
        """The pipeline if it has been loaded, without trying to load it."""
        return self._pipeline

    def documents(self) -> dict[str, Any]:
        try:
            return self().index.documents
        except Exception:  # the chat reports the reason when a question is asked
            log.exception("the pipeline could not be loaded")
            return {}


def build_app(pipeline_factory: Callable[[], Pipeline] = get_pipeline, *, llm_panel: bool = True,
              feedback_db: Path | None = None) -> gr.Blocks:
    """The Gradio Blocks app; launch it with :func:`serve` (which adds the theme and stylesheet).

    ``llm_panel=False`` hides the LLM settings and ignores any sent through the API, so visitors of a
    public server cannot make it call endpoints of their choosing. Votes go to ``feedback_db`` (default:
    the settings' feedback database in the data dir).
    """
    pipeline = _Lazy(pipeline_factory)
    documents = pipeline.documents()
    concurrency = max(1, int(os.environ.get("QA_UI_CONCURRENCY", "4")))
    # The page's LLM defaults: the loaded pipeline's settings (from the environment); the key stays on the server.
    env = getattr(pipeline.loaded(), "settings", None) or get_settings()
    feedback = FeedbackStore(feedback_db or env.feedback_db)

    def assistant_html(turn: Turn, index: int, lang: str) -> str:
        if turn.notice is not None:
            return render.render_notice(turn.notice, lang)
        if turn.internal:
            return render.render_internal_error(lang)
        if turn.error is not None:
            return render.render_error(turn.error, lang, invalid=turn.invalid)
        answer = turn.answer
        if answer is None or (not answer.text and not answer.complete):
            if turn.stopped:
                return chat_html.stopped_mark(lang, empty=True)
            status = str((answer.trace or {}).get("status", "searching")) if answer is not None else "searching"
            return chat_html.render_status(status, lang)
        if turn.stopped:  # no longer busy: what was written, marked as stopped
            return (render.render_answer(replace(answer, complete=True), index, lang, documents)
                    + chat_html.stopped_mark(lang, empty=False))
        if not answer.complete:
            return render.render_answer(answer, index, lang, documents)
        if lang not in turn.html:
            turn.html[lang] = render.render_answer(answer, index, lang, documents) + chat_html.actions(lang)
        return turn.html[lang]

    def chat(session: ChatSession, lang: str) -> list[dict[str, str]]:
        messages = []
        for i, turn in enumerate(list(session.turns)):
            messages.append({"role": "user", "content": render.render_question(turn.question, lang)})
            messages.append({"role": "assistant", "content": assistant_html(turn, i, lang)})
        for n, question in enumerate(list(session.pending), 1):
            # Marked on the question itself: no answer bubble (nor its 👍/👎) until it is being answered.
            messages.append({"role": "user",
                             "content": render.render_question(question, lang) + chat_html.render_queued(n, lang)})
        return messages

    def chunk_of(chunk_id: str) -> Any:
        loaded = pipeline.loaded()
        if loaded is None:
            return None
        table = getattr(loaded.index, "_chunks_by_id", None)
        if table is None:
            table = {c.chunk_id: c for c in loaded.index.chunks}
            with contextlib.suppress(AttributeError):
                loaded.index._chunks_by_id = table  # type: ignore[attr-defined]
        return table.get(chunk_id)

    def trace(session: ChatSession, lang: str) -> str:
        last = next((tr for tr in reversed(list(session.turns)) if tr.answer is not None), None)
        if last is None or last.answer is None:
            return render.render_trace(None, lang)
        return render.render_trace(chat_html.with_titles(last.answer, chunk_of), lang, last.question)

    def answerer_for(llm_url: str | None, llm_model: str | None, llm_key: str | None,
                     llm_temperature: float | None, llm_timeout: float | None,
                     variants: LLMVariants | None) -> Pipeline | str:
        answerer = pipeline()
        if llm_url is not None and llm_panel:
            settings = llm_settings(answerer.settings, llm_url, llm_model, llm_key, llm_temperature, llm_timeout)
            if isinstance(settings, str):
                return settings
            answerer = (variants if variants is not None else LLMVariants()).get(answerer, settings)
        return answerer

    def answer_turn(session: ChatSession, turn: Turn, k: float, lang: str, history: list[dict[str, str]],
                    llm: tuple[Any, ...], variants: LLMVariants | None) -> Iterator[bool]:
        """Fill ``turn``; yields True when the chat should be redrawn (throttled while text streams)."""
        try:
            k = max(1, min(10, int(k or 5)))
            shown = time.monotonic()
            answerer = answerer_for(*llm, variants)
            if isinstance(answerer, str):
                turn.notice = answerer
                return
            for answer in session.stream(lambda: answerer.ask_stream(turn.question, k, history)):
                if answer is None:
                    continue
                turn.answer = answer
                # Partial answers that arrive faster than the eye can follow are merged into the next update.
                if not answer.complete and time.monotonic() - shown >= STREAM_INTERVAL_S:
                    shown = time.monotonic()
                    yield True
            if session.stop_requested:
                turn.stopped = turn.answer is None or not turn.answer.complete
        except InvalidQuestionError as exc:
            turn.error, turn.invalid = str(exc), True
        except QAError as exc:
            turn.error = str(exc)
        except Exception:
            log.exception("unexpected error while answering %r", turn.question[:200])
            turn.error, turn.internal = "", True
        if turn.error is not None:
            turn.answer = None
        elif turn.answer is None and not turn.stopped and turn.notice is None:  # a stream that yielded nothing
            turn.error, turn.internal = "", True

    def drain(k: float, lang: str, session: ChatSession, *llm_and_variants: Any) -> Iterator[tuple[Any, ...]]:
        """Answer the tab's queued questions one by one until none is left.

        Yields (chat, trace, stop button, stored conversation). A second loop for the same tab returns at
        once: the running one takes its question from the queue.
        """
        *llm, variants = llm_and_variants if llm_and_variants else (None,) * 6
        if not isinstance(session, ChatSession) or not session.claim():
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        try:
            while (question := session.next_question()) is not None:
                generation = session.generation
                history = _history(session.turns)
                turn = Turn(question if isinstance(question, str) else "")
                session.turns.append(turn)
                yield chat(session, lang), trace(session, lang), gr.update(visible=True), gr.skip()
                for _ in answer_turn(session, turn, k, lang, history, tuple(llm), variants):
                    if generation != session.generation:
                        break
                    yield chat(session, lang), gr.skip(), gr.skip(), gr.skip()
                yield chat(session, lang), trace(session, lang), gr.skip(), persist.dump(session.turns)
        finally:
            session.release()
        yield chat(session, lang), trace(session, lang), gr.update(visible=False), persist.dump(session.turns)

    def accept(question: str | None, lang: str, session: ChatSession) -> tuple[Any, ...]:
        """Queue the question (shown at once) and empty the box; the answering loop picks it up."""
        session.enqueue(question if isinstance(question, str) else "")
        return chat(session, lang), ""

    def ask(question: str | None, k: float, lang: str, session: ChatSession | list[Turn] | None,
            llm_url: str | None = None, llm_model: str | None = None, llm_key: str | None = None,
            llm_temperature: float | None = None, llm_timeout: float | None = None,
            variants: LLMVariants | None = None,
            ) -> Iterator[tuple[list[dict[str, str]], str, str, ChatSession]]:
        """Answer ``question`` (the API); ``llm_url`` None means the server's LLM settings, "" means no LLM."""
        if not isinstance(session, ChatSession):
            session = ChatSession(list(session or []))
        session.enqueue(question if isinstance(question, str) else "")
        yield chat(session, lang), "", trace(session, lang), session
        for chat_out, trace_out, _stop, _saved in drain(k, lang, session, llm_url, llm_model, llm_key,
                                                         llm_temperature, llm_timeout, variants):
            yield chat_out, "", trace_out, session
        yield chat(session, lang), "", trace(session, lang), session

    def stop(session: ChatSession) -> None:
        if isinstance(session, ChatSession):
            session.request_stop()

    def regenerate(lang: str, session: ChatSession) -> Any:
        if not isinstance(session, ChatSession) or not session.regenerate():
            return gr.skip()
        return chat(session, lang)

    def reset(lg: str, session: ChatSession) -> tuple[Any, ...]:
        if isinstance(session, ChatSession):
            session.clear()
        return [], render.render_trace(None, lg), [], gr.update(visible=False)

    def restore(stored: Any, lang: str, session: ChatSession) -> tuple[Any, ...]:
        """Bring back the conversation kept in the browser (on page load)."""
        if not isinstance(session, ChatSession) or session.turns or session.busy:
            return gr.skip(), gr.skip()
        session.turns = persist.load(stored)
        return chat(session, lang), trace(session, lang)

    def vote(data: gr.LikeData, lang: str, session: ChatSession, k: float, llm_model_name: str | None,
             llm_url_value: str | None) -> tuple[Any, ...]:
        """Store a 👍/👎 on an answer and offer the comment box."""
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        turns = list(session.turns) if isinstance(session, ChatSession) else []
        position = int(index) // 2 if isinstance(index, int) else -1
        turn = turns[position] if 0 <= position < len(turns) else None
        if turn is None or turn.answer is None or not (turn.answer.complete or turn.stopped) \
                or data.liked not in (True, False):
            return gr.skip(), gr.skip(), gr.skip()
        settings = {"k": k, "interface_language": lang, "llm_model": (llm_model_name or "") if llm_panel else "",
                    "llm_base_url": (llm_url_value or "") if llm_panel else "",
                    "retrieval_query": (turn.answer.trace or {}).get("retrieval_query", "")}
        try:
            row = feedback.add(turn.question, turn.answer, 1 if data.liked else -1, settings)
        except (FeedbackError, OSError, sqlite3.Error) as exc:
            gr.Warning(t("feedback_failed", lang) + str(exc))
            return gr.skip(), gr.skip(), gr.skip()
        return row, gr.update(visible=True), gr.update(value="")

    def save_comment(row: int | None, text: str | None, lang: str) -> tuple[Any, ...]:
        if row:
            try:
                feedback.comment(int(row), text or "")
            except (FeedbackError, OSError, sqlite3.Error) as exc:
                gr.Warning(t("feedback_failed", lang) + str(exc))
                return gr.skip(), gr.skip()
            gr.Info(t("feedback_thanks", lang))
        return gr.update(visible=False), gr.update(value="")

    def set_language(lang: str, session: ChatSession) -> tuple[Any, ...]:
        session = session if isinstance(session, ChatSession) else ChatSession()
        return (
            gr.update(label=t("language", lang)),
            _header(lang, len(documents)),
            gr.update(value=chat(session, lang), label=t("chat_label", lang), placeholder=t("chat_placeholder", lang)),
            gr.update(label=t("input_label", lang), placeholder=t("input_placeholder", lang)),
            gr.update(value=t("send", lang)),
            gr.update(value=t("clear", lang)),
            gr.update(label=t("k_label", lang), info=t("k_info", lang)),
            gr.update(label=t("examples", lang)),
            gr.update(label=t("trace", lang)),
            trace(session, lang),
            gr.update(label=t("articles", lang)),
            render.render_articles(documents, lang),
            gr.update(label=t("llm", lang)),
            gr.update(label=t("llm_url", lang), placeholder=t("llm_url_placeholder", lang)),
            gr.update(label=t("llm_model", lang), placeholder=t("llm_model_placeholder", lang)),
            gr.update(label=t("llm_key", lang), placeholder=key_placeholder(lang)),
            gr.update(label=t("llm_temperature", lang)),
            gr.update(label=t("llm_timeout", lang)),
            _hint(lang),
            gr.update(value=t("stop", lang)),
            gr.update(value=t("regenerate", lang)),
            gr.update(label=t("feedback_comment", lang), placeholder=t("feedback_comment_placeholder", lang)),
            gr.update(value=t("feedback_save", lang)),
        )

    def key_placeholder(lang: str) -> str:
        return t("llm_key_placeholder_env" if env.llm_api_key and env.llm_base_url else "llm_key_placeholder", lang)

    def source_view(args: Any) -> str:
        """Server function for the page script: the escaped article for a viewer link."""
        href = args[0] if isinstance(args, list | tuple) and args else args
        doc_id, start, end, marks, lang = render.parse_viewer_href(str(href or ""))
        return render.render_source(documents.get(doc_id), start, end, marks, lang)

    lang0 = DEFAULT_LANGUAGE
    with gr.Blocks(title=t("page_title", lang0), analytics_enabled=False) as demo:
        session_state = gr.State(ChatSession())
        stored = gr.BrowserState([], storage_key="qa-conversation-v1", secret=_storage_secret(env))
        feedback_row = gr.State(None)
        with gr.Row(elem_id="qa-topbar"):
            header = gr.HTML(_header(lang0, len(documents)), elem_id="qa-header", min_width=300)
            lang = gr.Radio(choices=list(LANGUAGES), value=lang0, label=t("language", lang0),
                            elem_id="qa-lang", scale=0, min_width=190)
        chatbot = gr.Chatbot(label=t("chat_label", lang0), elem_id="qa-chat", height="62vh", min_height=360,
                             render_markdown=False, sanitize_html=True, buttons=[], autoscroll=False,
                             placeholder=t("chat_placeholder", lang0), layout="bubble", show_label=False)
        with gr.Row(elem_id="qa-feedback-row", visible=False) as feedback_box:
            feedback_text = gr.Textbox(label=t("feedback_comment", lang0), elem_id="qa-feedback-text",
                                       placeholder=t("feedback_comment_placeholder", lang0), max_lines=3, scale=5)
            feedback_send = gr.Button(t("feedback_save", lang0), elem_id="qa-feedback-send", scale=0, min_width=120)
        with gr.Row(equal_height=True):
            question = gr.Textbox(label=t("input_label", lang0), placeholder=t("input_placeholder", lang0),
                                  elem_id="qa-input", lines=1, max_lines=6, scale=5, show_label=False,
                                  autofocus=True, submit_btn=False)
            send = gr.Button(t("send", lang0), variant="primary", elem_id="qa-send", scale=0, min_width=88)
            stop_button = gr.Button(t("stop", lang0), variant="stop", elem_id="qa-stop", scale=0, min_width=88,
                                    visible=False)
        examples = gr.Dataset(components=["textbox"], samples=[[q] for q in EXAMPLES],
                              label=t("examples", lang0), elem_id="qa-examples", samples_per_page=len(EXAMPLES))
        with gr.Row():
            k = gr.Slider(1, 10, value=5, step=1, label=t("k_label", lang0), info=t("k_info", lang0),
                          elem_id="qa-k", scale=3, min_width=260)
            regenerate_button = gr.Button(t("regenerate", lang0), elem_id="qa-regenerate", scale=1, min_width=120)
            clear = gr.Button(t("clear", lang0), elem_id="qa-clear", scale=1, min_width=140)
        with gr.Accordion(t("llm", lang0), open=False, elem_id="qa-llm", visible=llm_panel) as llm_box:
            llm_hint = gr.HTML(_hint(lang0), elem_id="qa-llm-hint")
            with gr.Row():
                llm_url = gr.Textbox(env.llm_base_url, label=t("llm_url", lang0), elem_id="qa-llm-url",
                                     placeholder=t("llm_url_placeholder", lang0), max_lines=1, scale=3,
                                     min_width=260)
                llm_model = gr.Textbox(env.llm_model, label=t("llm_model", lang0), elem_id="qa-llm-model",
                                       placeholder=t("llm_model_placeholder", lang0), max_lines=1, scale=2,
                                       min_width=180)
            with gr.Row():
                llm_key = gr.Textbox("", label=t("llm_key", lang0), type="password", elem_id="qa-llm-key",
                                     placeholder=key_placeholder(lang0), max_lines=1, scale=3, min_width=260)
                llm_temperature = gr.Slider(0, 1, value=min(1.0, max(0.0, env.llm_temperature)), step=0.05,
                                            label=t("llm_temperature", lang0), elem_id="qa-llm-temperature",
                                            scale=2, min_width=180)
                llm_timeout = gr.Number(env.llm_timeout, label=t("llm_timeout", lang0), minimum=1, maximum=600,
                                        elem_id="qa-llm-timeout", scale=1, min_width=170)
        variants = gr.State(LLMVariants())
        with gr.Accordion(t("trace", lang0), open=False, elem_id="qa-trace") as trace_box:
            trace_html = gr.HTML(render.render_trace(None, lang0), elem_id="qa-trace-html")
        with gr.Accordion(t("articles", lang0), open=False, elem_id="qa-articles") as articles_box:
            articles_html = gr.HTML(render.render_articles(documents, lang0), elem_id="qa-articles-html")
        gr.HTML(VIEWER_HTML, elem_id="qa-viewer", js_on_load=VIEWER_JS, server_functions=[source_view],
                apply_default_css=False)
        gr.HTML("", elem_id="qa-copy-script", js_on_load=chat_html.COPY_JS, apply_default_css=False)

        llm_inputs = [llm_url, llm_model, llm_key, llm_temperature, llm_timeout, variants]
        ask_io: dict[str, Any] = {"inputs": [question, k, lang, session_state, *llm_inputs],
                                  "outputs": [chatbot, question, trace_html, session_state],
                                  "concurrency_limit": concurrency, "concurrency_id": "ask"}
        drain_io: dict[str, Any] = {"inputs": [k, lang, session_state, *llm_inputs],
                                    "outputs": [chatbot, trace_html, stop_button, stored],
                                    "concurrency_limit": concurrency, "concurrency_id": "ask",
                                    "api_visibility": "private"}
        # The API keeps one call per question; the page queues what is sent while an answer streams.
        api_ask = gr.Button(visible=False, elem_id="qa-api-ask")
        api_ask.click(ask, api_name="ask", **ask_io)
        accept_io: dict[str, Any] = {"fn": accept, "inputs": [question, lang, session_state],
                                     "outputs": [chatbot, question], "queue": False, "api_visibility": "private",
                                     "trigger_mode": "multiple"}
        question.submit(**accept_io).then(drain, **drain_io)
        send.click(**accept_io).then(drain, **drain_io)
        examples.click(lambda sample: sample[0], examples, question, api_visibility="private",
                       queue=False).then(**accept_io).then(drain, **drain_io)
        stop_button.click(stop, session_state, None, api_visibility="private", queue=False)
        regenerate_button.click(regenerate, [lang, session_state], chatbot, api_visibility="private",
                                queue=False).then(drain, **drain_io)
        clear_io: dict[str, Any] = {"fn": reset, "inputs": [lang, session_state],
                                    "outputs": [chatbot, trace_html, stored, feedback_box], "queue": False}
        clear.click(api_name="clear", **clear_io)
        chatbot.clear(api_visibility="private", **clear_io)
        chatbot.like(vote, [lang, session_state, k, llm_model, llm_url], [feedback_row, feedback_box, feedback_text],
                     api_visibility="private", queue=False)
        feedback_send.click(save_comment, [feedback_row, feedback_text, lang], [feedback_box, feedback_text],
                            api_visibility="private", queue=False)
        feedback_text.submit(save_comment, [feedback_row, feedback_text, lang], [feedback_box, feedback_text],
                             api_visibility="private", queue=False)
        lang.change(set_language, [lang, session_state],
                    [lang, header, chatbot, question, send, clear, k, examples, trace_box, trace_html,
                     articles_box, articles_html, llm_box, llm_url, llm_model, llm_key, llm_temperature, llm_timeout,
                     llm_hint, stop_button, regenerate_button, feedback_text, feedback_send],
                    api_visibility="private", queue=False)
        demo.load(_browser_language, None, lang, api_visibility="private", queue=False).then(
            restore, [stored, lang, session_state], [chatbot, trace_html], api_visibility="private", queue=False)
    return demo


def _storage_secret(settings: Settings) -> str:
    """The key that encrypts the conversation kept in the browser; stable across restarts (data dir)."""
    explicit = os.environ.get("QA_UI_STORAGE_SECRET", "").strip()
    if explicit:
        return explicit
    path = settings.data_dir / "ui_storage_secret"
    try:
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_hex(16)
        path.write_text(secret, encoding="utf-8")
        return secret
    except OSError:
        return "qa-ui-" + str(settings.data_dir)  # a read-only data dir: still stable for this folder


def _header(lang: str, count: int) -> str:
    return (f"<h1>{render.esc(t('title', lang))}</h1>"
            f"<p>{render.esc(t('subtitle', lang, n=count or 5))}</p>")


def _hint(lang: str) -> str:
    return f"<p>{render.esc(t('llm_hint', lang))}</p>"


def _browser_language(request: gr.Request) -> str:
    headers = getattr(request, "headers", None) or {}
    return from_accept_language(headers.get("accept-language"))


def serve(demo: gr.Blocks, host: str = DEFAULT_HOST, port: int | None = DEFAULT_PORT, *, share: bool = False,
          prevent_thread_lock: bool = False, quiet: bool = False) -> tuple[Any, str, str]:
    """Launch ``demo`` with the theme and stylesheet; returns Gradio's ``(app, local_url, share_url)``."""
    return demo.launch(server_name=host, server_port=port, share=share, prevent_thread_lock=prevent_thread_lock,
                       quiet=quiet, theme=theme(), css=CSS + chat_html.CSS, footer_links=["api"],
                       show_error=False)


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start_local(demo: gr.Blocks) -> str:
    """Serve ``demo`` in the background on a free 127.0.0.1 port and return its URL (tests, benchmarks)."""
    port = free_port()
    serve(demo, DEFAULT_HOST, port, prevent_thread_lock=True, quiet=True)
    return f"http://{DEFAULT_HOST}:{port}/"


def llm_panel_allowed(host: str, share: bool) -> bool:
    """LLM settings on the page by default only for a private server (loopback, no share link).

    ``QA_UI_LLM_SETTINGS=1`` or ``0`` decides explicitly.
    """
    explicit = os.environ.get("QA_UI_LLM_SETTINGS", "").strip()
    if explicit:
        return explicit not in ("0", "false", "no", "off")
    return not share and host in ("127.0.0.1", "localhost", "::1")


def main(argv: list[str] | None = None) -> int:
    """Load the pipeline (building the index if needed), then serve the UI."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("QA_HOST", DEFAULT_HOST),
                        help="interface to bind (default 127.0.0.1, env QA_HOST)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("QA_PORT", DEFAULT_PORT)),
                        help="port (default 7860, env QA_PORT)")
    parser.add_argument("--share", action="store_true", help="also create a public Gradio share link")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    print("Loading the index and the embedding model…", flush=True)
    try:
        pipeline = get_pipeline()
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    demo = build_app(lambda: pipeline, llm_panel=llm_panel_allowed(args.host, args.share))
    print(f"Starting the web UI on http://{args.host}:{args.port}", flush=True)
    serve(demo, args.host, args.port, share=args.share)
    return 0


if __name__ == "__main__":
    sys.exit(main())
