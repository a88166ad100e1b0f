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


# One answer splits each retrieved passage several times (evidence signals, quote candidates, the sentences
# after a colon), and the same passages come back for many questions.
@lru_cache(maxsize=8192)
def split_sentences(text: str) -> tuple[str, ...]:
    """Sentences (or table rows) of a passage, each an exact substring of it, list bullets removed."""
    out = []
    for m in _SENTENCE.finditer(text):
        s = m.group(0).strip()
        s = _BULLET.sub("", s) if not s.startswith("|") else s
        if len(s) >= 6 and any(c.isalnum() for c in s) and not set(s) <= set("|-: "):
            out.append(s)
    return tuple(out)


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
