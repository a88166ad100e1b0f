"""Answers written by an LLM from the retrieved passages, with verified citations and an offline fallback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

from common.errors import LLMError
from common.messages import message
from common.textnorm import compact
from embed.protocol import Embedder
from llm.answer import answer_messages, check_citations, cited_numbers, renumber
from llm.client import LLMClient
from qa.types import Answer, Citation
from retrieve.hybrid import Retrieval


def llm_answer_stream(client: LLMClient, question: str, retrieval: Retrieval, fallback: Answer,
                      embedder: Embedder) -> Iterator[Answer]:
    """Stream the LLM's answer; on any failure end with ``fallback`` (the quoted answer) and a note."""
    language, passages = retrieval.language, retrieval.passages
    trace = dict(retrieval.trace)
    trace["llm_model"] = client.settings.llm_model
    started = time.perf_counter()
    text = ""
    try:
        for delta in client.stream(answer_messages(question, language, passages)):
            text += delta
            yield Answer(text, tuple(passages), False, language, trace=trace, complete=False)
    except LLMError as exc:
        yield _fallback(fallback, language, str(exc))
        return
    trace["llm_ms"] = round((time.perf_counter() - started) * 1000, 1)
    text = text.strip()
    if not text:
        yield _fallback(fallback, language, "the language model returned an empty answer")
        return
    if compact(message("abstain", language)) in compact(text) or not cited_numbers(text):
        # No citation means nothing a reader could check: treat it as "not in the articles".
        yield Answer(message("abstain", language), (), True, language, trace=trace)
        return
    checked = check_citations(text, passages, embedder)
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
    if not all(item.supported for item in checked):
        notes = (message("unsupported", language),)
    yield Answer(renumber(text, order), tuple(passages[n - 1] for n in order), False, language,
                 citations, notes, trace)


def _fallback(answer: Answer, language: str, reason: str) -> Answer:
    return replace(answer, notes=(*answer.notes, message("llm_failed", language, reason=reason)), complete=True)
