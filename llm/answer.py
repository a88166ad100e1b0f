"""LLM answering: prompt building with delimited passages, and checking the citations it produced."""

from __future__ import annotations

import re

from common.embedder import Embedder
from common.messages import message
from llm.prompts import render
from llm.stream_check import CheckedSentence, StreamingCheck
from llm.support import SupportJudge
from retrieve.passage import Passage

__all__ = ["CheckedSentence", "answer_messages", "check_citations", "cited_numbers", "renumber"]
_MARKER = re.compile(r"\[(\d{1,2})\]")
LANGUAGE_NAMES = {"zh": "简体中文", "zh-Hant": "繁体中文（保持繁体字）", "en": "English"}


def _as_data(text: str) -> str:
    # Passages cannot close the data block early or open a fake one.
    return text.replace("<", "＜").replace(">", "＞")


def answer_messages(question: str, language: str, passages: list[Passage]) -> list[dict[str, str]]:
    """Chat messages asking for a cited answer from the numbered passages."""
    blocks = "\n".join(
        f'<passage id="{n}" title="{_as_data(p.title)}" date="{p.date or "?"}">\n{_as_data(p.text)}\n</passage>'
        for n, p in enumerate(passages, 1)
    )
    prompt = render("answer", language, passages=blocks, question=_as_data(question),
                    not_found=message("abstain", language), language_name=LANGUAGE_NAMES.get(language, "English"))
    return [{"role": "user", "content": prompt}]


def check_citations(text: str, passages: list[Passage], embedder: Embedder | None) -> list[CheckedSentence]:
    """Split a whole LLM answer into sentences and judge each against the passages it cites.

    A sentence fails when it cites a number that was not given, states a figure or names something its
    passages don't, or says something else (:mod:`llm.support`). Sentences without markers are not checked.
    """
    return StreamingCheck(passages, SupportJudge(embedder)).feed(text, final=True)


def renumber(text: str, order: list[int]) -> str:
    """Rewrite markers so that ``[order[i]]`` becomes ``[i + 1]`` (citation order)."""
    mapping = {old: new for new, old in enumerate(order, 1)}
    return _MARKER.sub(lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", text)


def cited_numbers(text: str) -> list[int]:
    """Passage numbers in order of first citation."""
    return list(dict.fromkeys(int(n) for n in _MARKER.findall(text)))
