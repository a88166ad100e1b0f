"""A small wrapper over the official ``openai`` client: streaming, one retry, typed errors."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Iterator

import openai

from common.errors import LLMError
from common.settings import Settings

log = logging.getLogger(__name__)
RETRY_BACKOFF_S = 1.0


class WaitBudget:
    """How long one question may still wait for the language model, over all of its calls.

    Only time spent waiting on a call counts (not retrieval in between); each call gets the rest as its
    deadline.
    """

    def __init__(self, seconds: float) -> None:
        """Start with ``seconds`` to spend."""
        self.left = float(seconds)

    @contextlib.contextmanager
    def call(self) -> Iterator[float]:
        """Around one call: yields its deadline (a ``time.monotonic()`` instant) and books the time spent."""
        started = time.monotonic()
        try:
            yield started + max(0.0, self.left)
        finally:
            self.left -= time.monotonic() - started


def llm_configured(settings: Settings) -> bool:
    """True when an endpoint and a model are set; otherwise the offline answerer is used."""
    return bool(settings.llm_base_url and settings.llm_model)


class LLMClient:
    """Chat completions against ``settings.llm_base_url`` (DeepSeek, Qwen, GLM, Kimi, Ollama, vLLM...)."""

    def __init__(self, settings: Settings) -> None:
        """Create the client; retries are done here, once, so that fallbacks happen quickly."""
        self.settings = settings
        self._client = openai.OpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or "not-needed",  # local servers (Ollama, vLLM) accept any key
            timeout=settings.llm_timeout,
            max_retries=0,
        )

    def stream(self, messages: list[dict[str, str]], deadline: float | None = None, *,
               retry: bool = True) -> Iterator[str]:
        """Yield text deltas; retry once with backoff if the call fails before any text arrived.

        Each attempt waits at most ``llm_timeout`` seconds for its first text, and the stream ends with an
        error when the text stops for that long; ``deadline`` (a ``time.monotonic()`` instant) caps the wait
        for the first text across both attempts, so the caller's total wait stays bounded.
        """
        attempts = (1, 2) if retry else (1,)
        for attempt in attempts:
            produced = False
            wait = self.settings.llm_timeout
            if deadline is not None:
                wait = min(wait, deadline - time.monotonic())
            if wait <= 0:
                raise LLMError("timed out")
            try:
                for delta in self._stream_once(messages, wait):
                    produced = True
                    yield delta
                return
            except (openai.APIError, openai.APIConnectionError, openai.APITimeoutError, TimeoutError, ValueError,
                    KeyError, TypeError, AttributeError, IndexError) as exc:
                reason = _describe(exc)
                no_time = deadline is not None and deadline - time.monotonic() <= RETRY_BACKOFF_S
                if produced or attempt == attempts[-1] or no_time:
                    raise LLMError(reason) from exc
                log.warning("LLM call failed (%s); retrying once", reason)
                time.sleep(RETRY_BACKOFF_S)

    def complete(self, messages: list[dict[str, str]], deadline: float | None = None) -> str:
        """The whole reply as one string (one attempt, bounded by ``deadline`` like :meth:`stream`)."""
        return "".join(self.stream(messages, deadline, retry=False)).strip()

    def _stream_once(self, messages: list[dict[str, str]], first_wait: float) -> Iterator[str]:
        """One call, read on a helper thread so that a server that stalls cannot hold the caller longer."""
        items: queue.Queue[tuple[str, object]] = queue.Queue()
        stop = threading.Event()
        holder: list[object] = []

        def read() -> None:
            try:
                response = self._client.chat.completions.create(
                    model=self.settings.llm_model,
                    messages=messages,  # type: ignore[arg-type]
                    temperature=self.settings.llm_temperature,
                    stream=True,
                )
                holder.append(response)
                for chunk in response:
                    if stop.is_set():
                        break
                    if not chunk.choices:
                        continue
                    delta = chunk.choices[0].delta.content
                    if delta:
                        items.put(("text", delta))
                items.put(("end", None))
            except Exception as exc:  # handed to the caller's thread, which decides what it means
                items.put(("error", exc))
            finally:
                _close(holder)

        threading.Thread(target=read, daemon=True, name="llm-stream").start()
        wait = first_wait
        try:
            while True:
                try:
                    kind, value = items.get(timeout=max(0.0, wait))
                except queue.Empty:
                    raise TimeoutError(f"no text for {wait:.0f} s") from None
                if kind == "end":
                    return
                if kind == "error":
                    raise value  # type: ignore[misc]
                yield str(value)
                wait = self.settings.llm_timeout
        finally:
            stop.set()
            _close(holder)


def _close(holder: list[object]) -> None:
    """Close a streaming response (from either thread) so its connection is let go."""
    for response in holder:
        with contextlib.suppress(Exception):  # already closed or half-read: nothing left to free
            response.close()  # type: ignore[attr-defined]


def _describe(exc: Exception) -> str:
    if isinstance(exc, openai.APITimeoutError | TimeoutError):
        return "timed out"
    if isinstance(exc, openai.RateLimitError):
        return "rate limited (HTTP 429)"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, openai.APIConnectionError):
        return "cannot connect to the endpoint"
    return f"malformed response ({type(exc).__name__})"
