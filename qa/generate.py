"""Answers written by an LLM from the retrieved passages, with verified citations and an offline fallback.

Sentences are checked as they stream, and each partial answer carries only the passages cited so far
(renumbered in citation order), so the final answer is the last partial one plus the last sentence's check.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

from common.embedder import Embedder
from common.errors import LLMError
from common.messages import message
from common.textnorm import compact
from llm.answer import answer_messages, cited_numbers, renumber
from llm.client import RETRY_BACKOFF_S, LLMClient, WaitBudget
from llm.stream_check import CheckedSentence, StreamingCheck
from llm.support import SupportJudge
from qa.types import Answer, Citation
from retrieve.hybrid import Retrieval
from retrieve.passage import Passage


def status_answer(language: str, status: str, trace: dict[str, object] | None = None) -> Answer:
    """A placeholder partial answer that only says what is happening (``status`` is an interface key)."""
    return Answer("", (), False, language, trace={**(trace or {}), "status": status}, complete=False)


def llm_answer_stream(client: LLMClient, question: str, retrieval: Retrieval, fallback: Answer,
                      embedder: Embedder, budget: WaitBudget | None = None) -> Iterator[Answer]:
    """Stream the LLM's answer; on any failure end with ``fallback`` (the quoted answer) and a note."""
    language, passages = retrieval.language, retrieval.passages
    trace = dict(retrieval.trace)
    trace["llm_model"] = client.settings.llm_model
    started = time.perf_counter()
    check = StreamingCheck(passages, SupportJudge(embedder, client.settings), pinyin=language == "en")
    yield status_answer(language, "status_llm_wait", trace)
    text = ""
    budget = budget or WaitBudget(2 * client.settings.llm_timeout + RETRY_BACKOFF_S)
    try:
        with budget.call() as deadline:
            for delta in client.stream(answer_messages(question, language, passages), deadline):
                text += delta
                check.feed(text)
                yield _assemble(text, check.checked, passages, language, trace, complete=False)
    except LLMError as exc:
        yield _fallback(fallback, language, str(exc))
        return
    last_token = time.perf_counter()
    trace["llm_ms"] = round((last_token - started) * 1000, 1)
    text = text.strip()
    if not text:
        yield _fallback(fallback, language, "the language model returned an empty answer")
        return
    if compact(message("abstain", language)) in compact(text) or not cited_numbers(text):
        # No citation means nothing a reader could check: treat it as "not in the articles".
        yield Answer(message("abstain", language), (), True, language, trace=trace)
        return
    checked = check.feed(text, final=True)
    trace["final_check_ms"] = round((time.perf_counter() - last_token) * 1000, 1)
    yield _assemble(text, checked, passages, language, trace, complete=True)


def _assemble(text: str, checked: list[CheckedSentence], passages: list[Passage], language: str,
              trace: dict[str, object], *, complete: bool) -> Answer:
    """The answer so far: flagged sentences marked, only cited passages, renumbered in citation order."""
    for item in checked:
        if not item.supported:
            text = text.replace(item.sentence, f"{item.sentence} ⚠", 1)
    order = [n for n in cited_numbers(text) if 1 <= n <= len(passages)]
    new_number = {old: new for new, old in enumerate(order, 1)}
    citations = tuple(
        Citation(new_number[n], passages[n - 1], item.sentence, item.supported)
        for item in checked for n in item.numbers if n in new_number
    )
    notes: tuple[str, ...] = ()
    if complete and not all(item.supported for item in checked):
        notes = (message("unsupported", language),)
    return Answer(renumber(text, order), tuple(passages[n - 1] for n in order), False, language,
                  citations, notes, trace, complete=complete)


def _fallback(answer: Answer, language: str, reason: str) -> Answer:
    return replace(answer, notes=(*answer.notes, message("llm_failed", language, reason=reason)), complete=True)
