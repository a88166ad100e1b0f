"""LLM answering: prompt building with delimited passages, and checking the citations it produced."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from common.messages import message
from embed.protocol import Embedder
from index.tokenize import tokenize
from llm.prompts import render
from retrieve.passage import Passage

_MARKER = re.compile(r"\[(\d{1,2})\]")
_SENTENCE = re.compile(r"[^。！？!?\n]+(?:[。！？!?]+|\n|$)(?:\s*\[\d{1,2}\])*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
LANGUAGE_NAMES = {"zh": "简体中文", "zh-Hant": "繁体中文（保持繁体字）", "en": "English"}
# A sentence is backed by its passage when it shares enough words with it, or, across languages,
# when their embeddings are this close (multilingual-e5-small: paraphrases score ~0.88+, unrelated
# statements about the same company ~0.80-0.84).
MIN_TERM_OVERLAP = 0.5
MIN_COSINE = 0.86


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


@dataclass(frozen=True)
class CheckedSentence:
    """One answer sentence with the passages it cites and whether they back it."""

    sentence: str
    numbers: tuple[int, ...]
    supported: bool


def _overlap(sentence: str, passage: str) -> float:
    words = set(tokenize(_MARKER.sub("", sentence)))
    if not words:
        return 1.0
    have = set(tokenize(passage))
    return len(words & have) / len(words)


def check_citations(text: str, passages: list[Passage], embedder: Embedder) -> list[CheckedSentence]:
    """Split an LLM answer into sentences and test each against the passages it cites.

    A sentence fails when it cites a number that was not given, states a figure its passages don't
    contain, or shares neither words nor meaning with them. Sentences without markers are not checked.
    """
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    cited = [(s, tuple(int(n) for n in _MARKER.findall(s))) for s in sentences]
    to_embed = [(s, nums) for s, nums in cited if nums and all(1 <= n <= len(passages) for n in nums)]
    cosines: dict[str, float] = {}
    if to_embed:
        vectors = embedder.embed_queries([_MARKER.sub("", s) for s, _ in to_embed])
        passage_vectors = embedder.embed_passages([p.text for p in passages])
        for (s, nums), v in zip(to_embed, vectors, strict=True):
            cosines[s] = float(np.max(passage_vectors[[n - 1 for n in nums]] @ v))
    out = []
    for sentence, nums in cited:
        if not nums:
            out.append(CheckedSentence(sentence, nums, True))
            continue
        if not all(1 <= n <= len(passages) for n in nums):
            out.append(CheckedSentence(sentence, nums, False))
            continue
        evidence = "\n".join(passages[n - 1].text for n in nums)
        figures = set(_NUMBER.findall(_MARKER.sub("", sentence)))
        invented = any(f not in evidence for f in figures)
        backed = _overlap(sentence, evidence) >= MIN_TERM_OVERLAP or cosines.get(sentence, 0.0) >= MIN_COSINE
        out.append(CheckedSentence(sentence, nums, backed and not invented))
    return out


def renumber(text: str, order: list[int]) -> str:
    """Rewrite markers so that ``[order[i]]`` becomes ``[i + 1]`` (citation order)."""
    mapping = {old: new for new, old in enumerate(order, 1)}
    return _MARKER.sub(lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", text)


def cited_numbers(text: str) -> list[int]:
    """Passage numbers in order of first citation."""
    return list(dict.fromkeys(int(n) for n in _MARKER.findall(text)))
