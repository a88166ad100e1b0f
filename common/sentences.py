"""Sentences of a passage, each an exact substring of it: what answers quote and what gets its own vector."""

from __future__ import annotations

import re
from functools import lru_cache

from common.patterns import CJK

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*[”’」』\"]?|\n")
_BULLET = re.compile(r"^(?:[-*•]\s+)+")
_NOTE = re.compile(r"\[[^\]]*\]|【[^】]*】")
_WORD_CHAR = re.compile(r"[^\W\d_]")
_CJK_RUN = re.compile(f"[{CJK}]+")
# Lines an OCR pass broke into lone characters ("作为免费调用模型 力 公 入 存 ， 有 出 小程序") read as nothing.
BROKEN_SHARE = 0.3
BROKEN_MIN = 4
# A whole quotation and the short clause after it saying who said it are one sentence.
ATTRIBUTION_CHARS = 40


# One answer splits each retrieved passage several times (evidence signals, quote candidates, the sentences
# after a colon), and the same passages come back for many questions.
@lru_cache(maxsize=8192)
def split_sentences(text: str) -> tuple[str, ...]:
    """Sentences (or table rows) of a passage, each an exact substring of it, list bullets removed."""
    spans: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        if spans and _attributed(text[spans[-1][0]:spans[-1][1]], m.group(0)) and spans[-1][1] == m.start():
            spans[-1] = (spans[-1][0], m.end())  # "“……。”肖仰华告诉记者。" is one sentence: the quote and who said it
        else:
            spans.append(m.span())
    out = []
    for start, end in spans:
        s = text[start:end].strip()
        s = _BULLET.sub("", s) if not s.startswith("|") else s
        if len(s) >= 6 and any(c.isalnum() for c in s) and not set(s) <= set("|-: "):
            out.append(s)
    return tuple(out)


def _attributed(quote: str, after: str) -> bool:
    """Whether ``after`` only says who said ``quote``, a whole quotation ("复旦大学教授肖仰华告诉记者。")."""
    quote, after = quote.strip(), after.strip()
    return (quote[:1] in "“「『\"" and quote[-1:] in "”」』\"" and 0 < len(after) <= ATTRIBUTION_CHARS
            and after[:1] not in "“「『\"" and after[-1:] in "。！？!?")


def says_something(sentence: str) -> bool:
    """Whether a sentence has words besides bracketed notes.

    "[verification needed]" and page references ("：133–134:38-1–38-11") left over from a source's markup
    answer nothing, so they are never quoted.
    """
    return len(_WORD_CHAR.findall(_NOTE.sub("", sentence))) >= 2 and not _broken(sentence)


def _broken(sentence: str) -> bool:
    """Whether many of the sentence's Chinese runs are single characters standing alone between spaces.

    Table rows are not sentences: their cells hold lone units ("| 约 3 亿 |").
    """
    if sentence.lstrip().startswith("|"):
        return False
    runs = [(m.group(0), m.start(), m.end()) for m in _CJK_RUN.finditer(sentence)]
    lone = sum(1 for run, a, b in runs if len(run) == 1 and sentence[a - 1: a] == " " and sentence[b: b + 1] == " ")
    return lone >= BROKEN_MIN and lone >= BROKEN_SHARE * len(runs)
