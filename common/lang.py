"""Question language: English, Simplified Chinese or Traditional Chinese."""

from __future__ import annotations

import re

from common.patterns import CJK_CHAR
from common.textnorm import to_simplified

_LATIN_WORD = re.compile(r"[A-Za-z]+")


def _english_words(text: str) -> int:
    # Names such as "MiniMax" or "DeepSeek" appear in Chinese questions too; lower-case words, and a
    # capitalised first word beside them, are what make a question English ("MiniMax呢？" is Chinese).
    words = _LATIN_WORD.findall(text)
    count = sum(1 for w in words if w.islower())
    if count and text.lstrip().startswith(words[0]) and not words[0].islower():
        count += 1
    return count


def detect_language(text: str) -> str:
    """Return ``"en"``, ``"zh"`` or ``"zh-Hant"`` for a question."""
    cjk = CJK_CHAR.findall(text)
    if not cjk or 2 * _english_words(text) >= len(cjk):
        return "en"
    simplified = to_simplified("".join(cjk))
    changed = sum(1 for a, b in zip(cjk, simplified, strict=True) if a != b)
    # One changed character can be a name written the old way; two or more is a Traditional question.
    if changed >= 2 or (changed == 1 and len(cjk) <= 8):
        return "zh-Hant"
    return "zh"
