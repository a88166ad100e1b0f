"""The web UI: a bilingual chat over the articles with cited, checkable answers.

Run ``python app.py [--host 127.0.0.1] [--port 7860] [--share]`` (or ``make run``).
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from common.errors import QAError
from common.settings import Settings
from qa import get_pipeline
from qa.api import Pipeline
from ui import chat_html, render
from ui.assets import CSS, VIEWER_HTML, VIEWER_JS, theme
from ui.handlers import (
    STREAM_INTERVAL_S,
    ChatHandlers,
    LLMVariants,
    chat_placeholder,
    header_html,
    hint_html,
    llm_settings,
)
from ui.session import ChatSession
from ui.text import DEFAULT_LANGUAGE, LANGUAGES, from_accept_language, t

__all__ = ["STREAM_INTERVAL_S", "LLMVariants", "build_app", "llm_panel_allowed", "llm_settings", "main", "serve",
           "start_local"]
log = logging.getLogger("app")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860


@dataclass
class Page:
    """The page's components by name (the names :meth:`ChatHandlers.relabel` uses)."""

    demo: gr.Blocks
    components: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        """A component by name."""
        try:
            return self.components[name]
        except KeyError:
            raise AttributeError(name) from None


def build_app(pipeline_factory: Callable[[], Pipeline] = get_pipeline, *, llm_panel: bool = True,
              feedback_db: Path | None = None) -> gr.Blocks:
    """The Gradio Blocks app; launch it with :func:`serve` (which adds the theme and stylesheet).

    ``llm_panel=False`` hides the LLM settings and ignores any sent through the API, so visitors of a
    public server cannot make it call endpoints of their choosing. Votes go to ``feedback_db`` (default:
    the settings' feedback database in the data dir).
    """
    handlers = ChatHandlers(pipeline_factory, llm_panel=llm_panel, feedback_db=feedback_db)
    page = _layout(handlers)
    with page.demo:
        _wire(page, handlers, concurrency=max(1, int(os.environ.get("QA_UI_CONCURRENCY", "4"))))
    return page.demo


def _layout(handlers: ChatHandlers) -> Page:
    """Lay out the page in the default language; every component the events use is named in the result."""
    env, documents, llm_panel = handlers.env, handlers.documents, handlers.llm_panel

    def source_view(args: Any) -> str:  # the page script calls it by this name; Gradio marks plain functions
        return handlers.source_view(args)

    lang0 = DEFAULT_LANGUAGE
    about = handlers.about
    with gr.Blocks(title=about.text("title", lang0), analytics_enabled=False) as demo:
        session_state = gr.State(ChatSession())
        stored = gr.BrowserState([], storage_key="qa-conversation-v1", secret=_storage_secret(env))
        feedback_row = gr.State(None)
        with gr.Row(elem_id="qa-topbar"):
            header = gr.HTML(header_html(lang0, len(documents), about), elem_id="qa-header", min_width=300)
            lang = gr.Radio(choices=list(LANGUAGES), value=lang0, label=t("language", lang0),
                            elem_id="qa-lang", scale=0, min_width=190)
        chatbot = gr.Chatbot(label=t("chat_label", lang0), elem_id="qa-chat", height="62vh", min_height=360,
                             render_markdown=False, sanitize_html=True, buttons=[], autoscroll=False,
                             placeholder=chat_placeholder(lang0, about), layout="bubble", show_label=False)
        with gr.Row(elem_id="qa-feedback-row", visible=False) as feedback_box:
            feedback_text = gr.Textbox(label=t("feedback_comment", lang0), elem_id="qa-feedback-text",
                                       placeholder=t("feedback_comment_placeholder", lang0), max_lines=3, scale=5)
            feedback_send = gr.Button(t("feedback_save", lang0), elem_id="qa-feedback-send", scale=0, min_width=120)
        with gr.Row(equal_height=True):
            question = gr.Textbox(label=t("input_label", lang0), placeholder=about.text("input_placeholder", lang0),
                                  elem_id="qa-input", lines=1, max_lines=6, scale=5, show_label=False,
                                  autofocus=True, submit_btn=False)
            send = gr.Button(t("send", lang0), variant="primary", elem_id="qa-send", scale=0, min_width=88)
            stop_button = gr.Button(t("stop", lang0), variant="stop", elem_id="qa-stop", scale=0, min_width=88,
                                    visible=False)
        # A corpus without example questions of its own shows none (the shipped ones are about other articles).
        examples = gr.Dataset(components=["textbox"], samples=[[q] for q in about.examples] or [[""]],
                              label=t("examples", lang0), elem_id="qa-examples", visible=bool(about.examples),
                              samples_per_page=max(1, len(about.examples)))
        with gr.Row():
            k = gr.Slider(1, 10, value=5, step=1, label=t("k_label", lang0), info=t("k_info", lang0),
                          elem_id="qa-k", scale=3, min_width=260)
            regenerate_button = gr.Button(t("regenerate", lang0), elem_id="qa-regenerate", scale=1, min_width=120)
            clear = gr.Button(t("clear", lang0), elem_id="qa-clear", scale=1, min_width=140)
        with gr.Accordion(t("llm", lang0), open=False, elem_id="qa-llm", visible=llm_panel) as llm_box:
            llm_hint = gr.HTML(hint_html(lang0), elem_id="qa-llm-hint")
            with gr.Row():
                llm_url = gr.Textbox(env.llm_base_url, label=t("llm_url", lang0), elem_id="qa-llm-url",
                                     placeholder=t("llm_url_placeholder", lang0), max_lines=1, scale=3,
                                     min_width=260)
                llm_model = gr.Textbox(env.llm_model, label=t("llm_model", lang0), elem_id="qa-llm-model",
                                       placeholder=t("llm_model_placeholder", lang0), max_lines=1, scale=2,
                                       min_width=180)
            with gr.Row():
                llm_key = gr.Textbox("", label=t("llm_key", lang0), type="password", elem_id="qa-llm-key",
                                     placeholder=handlers.key_placeholder(lang0), max_lines=1, scale=3, min_width=260)
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

    return Page(demo, dict(
        session_state=session_state, stored=stored, feedback_row=feedback_row, header=header, lang=lang,
        chatbot=chatbot, feedback_box=feedback_box, feedback_text=feedback_text, feedback_send=feedback_send,
        question=question, send=send, stop_button=stop_button, examples=examples, k=k,
        regenerate_button=regenerate_button, clear=clear, llm_box=llm_box, llm_hint=llm_hint, llm_url=llm_url,
        llm_model=llm_model, llm_key=llm_key, llm_temperature=llm_temperature, llm_timeout=llm_timeout,
        variants=variants, trace_box=trace_box, trace_html=trace_html, articles_box=articles_box,
        articles_html=articles_html))


def _wire(page: Page, handlers: ChatHandlers, *, concurrency: int) -> None:
    """Connect the page's events to the handlers."""
    p, h = page, handlers
    llm_inputs = [p.llm_url, p.llm_model, p.llm_key, p.llm_temperature, p.llm_timeout, p.variants]
    ask_io: dict[str, Any] = {"inputs": [p.question, p.k, p.lang, p.session_state, *llm_inputs],
                              "outputs": [p.chatbot, p.question, p.trace_html, p.session_state],
                              "concurrency_limit": concurrency, "concurrency_id": "ask"}
    drain_io: dict[str, Any] = {"inputs": [p.k, p.lang, p.session_state, *llm_inputs],
                                "outputs": [p.chatbot, p.trace_html, p.stop_button, p.stored],
                                "concurrency_limit": concurrency, "concurrency_id": "ask",
                                "api_visibility": "private"}
    # The API keeps one call per question; the page queues what is sent while an answer streams.
    api_ask = gr.Button(visible=False, elem_id="qa-api-ask")
    api_ask.click(h.ask, api_name="ask", **ask_io)
    accept_io: dict[str, Any] = {"fn": h.accept, "inputs": [p.question, p.lang, p.session_state],
                                 "outputs": [p.chatbot, p.question], "queue": False, "api_visibility": "private",
                                 "trigger_mode": "multiple"}
    p.question.submit(**accept_io).then(h.drain, **drain_io)
    p.send.click(**accept_io).then(h.drain, **drain_io)
    p.examples.click(lambda sample: sample[0], p.examples, p.question, api_visibility="private",
                     queue=False).then(**accept_io).then(h.drain, **drain_io)
    p.stop_button.click(h.stop, p.session_state, None, api_visibility="private", queue=False)
    p.regenerate_button.click(h.regenerate, [p.lang, p.session_state], p.chatbot, api_visibility="private",
                              queue=False).then(h.drain, **drain_io)
    clear_io: dict[str, Any] = {"fn": h.reset, "inputs": [p.lang, p.session_state],
                                "outputs": [p.chatbot, p.trace_html, p.stored, p.feedback_box], "queue": False}
    p.clear.click(api_name="clear", **clear_io)
    p.chatbot.clear(api_visibility="private", **clear_io)
    p.chatbot.like(h.vote, [p.lang, p.session_state, p.k, p.llm_model, p.llm_url],
                   [p.feedback_row, p.feedback_box, p.feedback_text], api_visibility="private", queue=False)
    comment_io: dict[str, Any] = {"fn": h.save_comment, "inputs": [p.feedback_row, p.feedback_text, p.lang],
                                  "outputs": [p.feedback_box, p.feedback_text], "api_visibility": "private",
                                  "queue": False}
    p.feedback_send.click(**comment_io)
    p.feedback_text.submit(**comment_io)
    relabelled = h.relabel(DEFAULT_LANGUAGE, ChatSession())

    def set_language(lang: str, session: ChatSession) -> dict[Any, Any]:
        if isinstance(session, ChatSession):
            session.language = lang
        return {p.components[name]: update for name, update in h.relabel(lang, session).items()}

    p.lang.change(set_language, [p.lang, p.session_state], [p.components[name] for name in relabelled],
                  api_visibility="private", queue=False)
    # The stored conversation comes back before the browser's language is set: the relabel that a language
    # change triggers then redraws it, where run side by side it could redraw the still empty chat last.
    p.demo.load(h.restore, [p.stored, p.lang, p.session_state], [p.chatbot, p.trace_html], api_visibility="private",
                queue=False).then(_browser_language, None, p.lang, api_visibility="private", queue=False)


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
