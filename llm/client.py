"""A small wrapper over the official ``openai`` client: streaming, one retry, typed errors."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import openai

from common.errors import LLMError
from common.settings import Settings

log = logging.getLogger(__name__)
RETRY_BACKOFF_S = 1.0


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

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """Yield text deltas; retry once with backoff if the call fails before any text arrived."""
        for attempt in (1, 2):
            produced = False
            try:
                for delta in self._stream_once(messages):
                    produced = True
                    yield delta
                return
            except (openai.APIError, openai.APIConnectionError, openai.APITimeoutError, ValueError,
                    KeyError, TypeError, AttributeError, IndexError) as exc:
                reason = _describe(exc)
                if produced or attempt == 2:
                    raise LLMError(reason) from exc
                log.warning("LLM call failed (%s); retrying once", reason)
                time.sleep(RETRY_BACKOFF_S)

    def complete(self, messages: list[dict[str, str]]) -> str:
        """The whole reply as one string."""
        return "".join(self.stream(messages)).strip()

    def _stream_once(self, messages: list[dict[str, str]]) -> Iterator[str]:
        response = self._client.chat.completions.create(
            model=self.settings.llm_model,
            messages=messages,  # type: ignore[arg-type]
            temperature=self.settings.llm_temperature,
            stream=True,
        )
        for chunk in response:
            if not chunk.choices:
                continue
            delta = chunk.choices[0].delta.content
            if delta:
                yield delta


def _describe(exc: Exception) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.RateLimitError):
        return "rate limited (HTTP 429)"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, openai.APIConnectionError):
        return "cannot connect to the endpoint"
    return f"malformed response ({type(exc).__name__})"
