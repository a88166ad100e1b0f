"""What the page's events do: queue and answer questions, stop, regenerate, vote, relabel.

:class:`ChatHandlers` holds what every browser tab shares (the pipeline, the articles, the feedback store);
each tab's own state is its :class:`~ui.session.ChatSession`. ``app.build_app`` lays out the page and
wires these methods to it.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
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
from qa.api import Pipeline
from ui import chat_html, persist, render
from ui.about import CorpusAbout
from ui.feedback import FeedbackError, FeedbackStore
from ui.session import ChatSession, Turn
from ui.text import t

log = logging.getLogger("app")
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


class ChatHandlers:
    """The page's event handlers over one shared pipeline; ``llm_panel=False`` ignores LLM settings sent."""

    def __init__(self, pipeline_factory: Callable[[], Pipeline], *, llm_panel: bool,
                 feedback_db: Path | None) -> None:
        """Load the pipeline (a failure is reported on the first question) and open the feedback store."""
        self.pipeline = _Lazy(pipeline_factory)
        self.documents = self.pipeline.documents()
        self.llm_panel = llm_panel
        # The page's LLM defaults: the loaded pipeline's settings (from the environment); the key stays on the server.
        self.env = getattr(self.pipeline.loaded(), "settings", None) or get_settings()
        self.about = CorpusAbout.load(self.env.corpus_dir)
        self.feedback = FeedbackStore(feedback_db or self.env.feedback_db)

    def assistant_html(self, turn: Turn, index: int, lang: str) -> str:
        """The assistant bubble of ``turn``: answer, partial answer, status, error or notice."""
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
            return (render.render_answer(replace(answer, complete=True), index, lang, self.documents)
                    + chat_html.stopped_mark(lang, empty=False))
        if not answer.complete:
            return render.render_answer(answer, index, lang, self.documents)
        if lang not in turn.html:
            turn.html[lang] = render.render_answer(answer, index, lang, self.documents) + chat_html.actions(lang)
        return turn.html[lang]

    def chat(self, session: ChatSession, lang: str) -> list[dict[str, str]]:
        """The conversation as chat messages, queued questions marked on themselves."""
        messages = []
        for i, turn in enumerate(list(session.turns)):
            messages.append({"role": "user", "content": render.render_question(turn.question, lang)})
            messages.append({"role": "assistant", "content": self.assistant_html(turn, i, lang)})
        for n, question in enumerate(list(session.pending), 1):
            # Marked on the question itself: no answer bubble (nor its 👍/👎) until it is being answered.
            messages.append({"role": "user",
                             "content": render.render_question(question, lang) + chat_html.render_queued(n, lang)})
        return messages

    def chunk_of(self, chunk_id: str) -> Any:
        """The indexed chunk with ``chunk_id`` (for trace titles), or None before the pipeline loads."""
        loaded = self.pipeline.loaded()
        if loaded is None:
            return None
        table = getattr(loaded.index, "_chunks_by_id", None)
        if table is None:
            table = {c.chunk_id: c for c in loaded.index.chunks}
            with contextlib.suppress(AttributeError):
                loaded.index._chunks_by_id = table  # type: ignore[attr-defined]
        return table.get(chunk_id)

    def trace(self, session: ChatSession, lang: str) -> str:
        """The retrieval trace of the latest answer."""
        last = next((tr for tr in reversed(list(session.turns)) if tr.answer is not None), None)
        if last is None or last.answer is None:
            return render.render_trace(None, lang)
        return render.render_trace(chat_html.with_titles(last.answer, self.chunk_of), lang, last.question)

    def answerer_for(self, llm_url: str | None, llm_model: str | None, llm_key: str | None,
                     llm_temperature: float | None, llm_timeout: float | None,
                     variants: LLMVariants | None) -> Pipeline | str:
        """The pipeline for the page's LLM settings, or the key of a message saying what is wrong."""
        answerer = self.pipeline()
        if llm_url is not None and self.llm_panel:
            settings = llm_settings(answerer.settings, llm_url, llm_model, llm_key, llm_temperature, llm_timeout)
            if isinstance(settings, str):
                return settings
            answerer = (variants if variants is not None else LLMVariants()).get(answerer, settings)
        return answerer

    def answer_turn(self, session: ChatSession, turn: Turn, k: float, lang: str, history: list[dict[str, str]],
                    llm: tuple[Any, ...], variants: LLMVariants | None) -> Iterator[bool]:
        """Fill ``turn``; yields True when the chat should be redrawn (throttled while text streams)."""
        try:
            k = max(1, min(10, int(k or 5)))
            shown = time.monotonic()
            answerer = self.answerer_for(*llm, variants)
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

    def drain(self, k: float, lang: str, session: ChatSession, *llm_and_variants: Any) -> Iterator[tuple[Any, ...]]:
        """Answer the tab's queued questions one by one until none is left.

        Yields (chat, trace, stop button, stored conversation). A second loop for the same tab returns at
        once: the running one takes its question from the queue.
        """
        *llm, variants = llm_and_variants if llm_and_variants else (None,) * 6
        if not isinstance(session, ChatSession) or not session.claim():
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return

        def shown() -> str:
            return session.language or lang  # the page may change language while an answer streams

        try:
            while (question := session.next_question()) is not None:
                generation = session.generation
                history = _history(session.turns)
                turn = Turn(question if isinstance(question, str) else "")
                session.turns.append(turn)
                yield self.chat(session, shown()), self.trace(session, shown()), gr.update(visible=True), gr.skip()
                for _ in self.answer_turn(session, turn, k, lang, history, tuple(llm), variants):
                    if generation != session.generation:
                        break
                    yield self.chat(session, shown()), gr.skip(), gr.skip(), gr.skip()
                yield self.chat(session, shown()), self.trace(session, shown()), gr.skip(), persist.dump(session.turns)
        finally:
            session.release()
        yield (self.chat(session, shown()), self.trace(session, shown()), gr.update(visible=False),
               persist.dump(session.turns))

    def accept(self, question: str | None, lang: str, session: ChatSession) -> tuple[Any, ...]:
        """Queue the question (shown at once) and empty the box; the answering loop picks it up."""
        session.enqueue(question if isinstance(question, str) else "")
        return self.chat(session, lang), ""

    def ask(self, question: str | None, k: float, lang: str, session: ChatSession | list[Turn] | None,
            llm_url: str | None = None, llm_model: str | None = None, llm_key: str | None = None,
            llm_temperature: float | None = None, llm_timeout: float | None = None,
            variants: LLMVariants | None = None,
            ) -> Iterator[tuple[list[dict[str, str]], str, str, ChatSession]]:
        """Answer ``question`` (the API); ``llm_url`` None means the server's LLM settings, "" means no LLM."""
        if not isinstance(session, ChatSession):
            session = ChatSession(list(session or []))
        session.enqueue(question if isinstance(question, str) else "")
        yield self.chat(session, lang), "", self.trace(session, lang), session
        for chat_out, trace_out, _stop, _saved in self.drain(k, lang, session, llm_url, llm_model, llm_key,
                                                         llm_temperature, llm_timeout, variants):
            yield chat_out, "", trace_out, session
        yield self.chat(session, lang), "", self.trace(session, lang), session

    def stop(self, session: ChatSession) -> None:
        """Stop the answer being written; its text so far stays, marked as stopped."""
        if isinstance(session, ChatSession):
            session.request_stop()

    def regenerate(self, lang: str, session: ChatSession) -> Any:
        """Ask the last question again (redraws the chat, or skips when there is nothing to redo)."""
        if not isinstance(session, ChatSession) or not session.regenerate():
            return gr.skip()
        return self.chat(session, lang)

    def reset(self, lg: str, session: ChatSession) -> tuple[Any, ...]:
        """Clear the conversation, stopping any answer."""
        if isinstance(session, ChatSession):
            session.clear()
        return [], render.render_trace(None, lg), [], gr.update(visible=False)

    def restore(self, stored: Any, lang: str, session: ChatSession) -> tuple[Any, ...]:
        """Bring back the conversation kept in the browser (on page load)."""
        if not isinstance(session, ChatSession) or session.turns or session.busy:
            return gr.skip(), gr.skip()
        session.turns = persist.load(stored)
        return self.chat(session, lang), self.trace(session, lang)

    def vote(self, data: gr.LikeData, lang: str, session: ChatSession, k: float, llm_model_name: str | None,
             llm_url_value: str | None) -> tuple[Any, ...]:
        """Store a 👍/👎 on an answer and offer the comment box."""
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        turns = list(session.turns) if isinstance(session, ChatSession) else []
        position = int(index) // 2 if isinstance(index, int) else -1
        turn = turns[position] if 0 <= position < len(turns) else None
        if turn is None or turn.answer is None or not (turn.answer.complete or turn.stopped) \
                or data.liked not in (True, False):
            return gr.skip(), gr.skip(), gr.skip()
        settings = {"k": k, "interface_language": lang, "llm_model": (llm_model_name or "") if self.llm_panel else "",
                    "llm_base_url": (llm_url_value or "") if self.llm_panel else "",
                    "retrieval_query": (turn.answer.trace or {}).get("retrieval_query", "")}
        try:
            row = self.feedback.add(turn.question, turn.answer, 1 if data.liked else -1, settings)
        except (FeedbackError, OSError, sqlite3.Error) as exc:
            gr.Warning(t("feedback_failed", lang) + str(exc))
            return gr.skip(), gr.skip(), gr.skip()
        return row, gr.update(visible=True), gr.update(value="")

    def save_comment(self, row: int | None, text: str | None, lang: str) -> tuple[Any, ...]:
        """Attach the comment to the stored vote and hide the comment box."""
        if row:
            try:
                self.feedback.comment(int(row), text or "")
            except (FeedbackError, OSError, sqlite3.Error) as exc:
                gr.Warning(t("feedback_failed", lang) + str(exc))
                return gr.skip(), gr.skip()
            gr.Info(t("feedback_thanks", lang))
        return gr.update(visible=False), gr.update(value="")

    def key_placeholder(self, lang: str) -> str:
        """The API key field's hint: whether the server's own key is used when left empty."""
        own_key = self.env.llm_api_key and self.env.llm_base_url
        return t("llm_key_placeholder_env" if own_key else "llm_key_placeholder", lang)

    def source_view(self, args: Any) -> str:
        """Server function for the page script: the escaped article for a viewer link."""
        href = args[0] if isinstance(args, list | tuple) and args else args
        doc_id, start, end, marks, lang = render.parse_viewer_href(str(href or ""))
        return render.render_source(self.documents.get(doc_id), start, end, marks, lang)

    def relabel(self, lang: str, session: ChatSession) -> dict[str, Any]:
        """Every label, placeholder and rendered text of the page in ``lang``, keyed by component name."""
        session = session if isinstance(session, ChatSession) else ChatSession()
        return {
            "lang": gr.update(label=t("language", lang)),
            "header": header_html(lang, len(self.documents), self.about),
            "chatbot": gr.update(value=self.chat(session, lang), label=t("chat_label", lang),
                                 placeholder=chat_placeholder(lang, self.about)),
            "question": gr.update(label=t("input_label", lang),
                                  placeholder=self.about.text("input_placeholder", lang)),
            "send": gr.update(value=t("send", lang)),
            "clear": gr.update(value=t("clear", lang)),
            "k": gr.update(label=t("k_label", lang), info=t("k_info", lang)),
            "examples": gr.update(label=t("examples", lang)),
            "trace_box": gr.update(label=t("trace", lang)),
            "trace_html": self.trace(session, lang),
            "articles_box": gr.update(label=t("articles", lang)),
            "articles_html": render.render_articles(self.documents, lang),
            "llm_box": gr.update(label=t("llm", lang)),
            "llm_url": gr.update(label=t("llm_url", lang), placeholder=t("llm_url_placeholder", lang)),
            "llm_model": gr.update(label=t("llm_model", lang), placeholder=t("llm_model_placeholder", lang)),
            "llm_key": gr.update(label=t("llm_key", lang), placeholder=self.key_placeholder(lang)),
            "llm_temperature": gr.update(label=t("llm_temperature", lang)),
            "llm_timeout": gr.update(label=t("llm_timeout", lang)),
            "llm_hint": hint_html(lang),
            "stop_button": gr.update(value=t("stop", lang)),
            "regenerate_button": gr.update(value=t("regenerate", lang)),
            "feedback_text": gr.update(label=t("feedback_comment", lang),
                                       placeholder=t("feedback_comment_placeholder", lang)),
            "feedback_send": gr.update(value=t("feedback_save", lang)),
        }


def header_html(lang: str, count: int, about: CorpusAbout) -> str:
    """The page title and the line saying how many articles it answers from."""
    return (f"<h1>{render.esc(about.text('title', lang))}</h1>"
            f"<p>{render.esc(about.text('subtitle', lang, n=count))}</p>")


def chat_placeholder(lang: str, about: CorpusAbout) -> str:
    """What the empty conversation says: pointing at example questions only where there are some."""
    return t("chat_placeholder" if about.examples else "chat_placeholder_plain", lang)


def hint_html(lang: str) -> str:
    """The note inside the LLM settings."""
    return f"<p>{render.esc(t('llm_hint', lang))}</p>"
