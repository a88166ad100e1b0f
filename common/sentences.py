"""Sentences of a passage, each an exact substring of it: what answers quote and what gets its own vector."""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*[”’」』\"]?|\n")
_BULLET = re.compile(r"^(?:[-*•]\s+)+")


def split_sentences(text: str) -> list[str]:
    """Sentences (or table rows) of a passage, each an exact substring of it, list bullets removed."""
    out = []
    for m in _SENTENCE.finditer(text):
        s = m.group(0).strip()
        s = _BULLET.sub("", s) if not s.startswith("|") else s
        if len(s) >= 6 and any(c.isalnum() for c in s) and not set(s) <= set("|-: "):
            out.append(s)
    return out
