"""Reject questions that cannot be answered before any model work is done."""

from __future__ import annotations

import unicodedata

from common.errors import InvalidQuestionError


def clean_question(question: object, max_chars: int) -> str:
    """Return the stripped question or raise :class:`InvalidQuestionError` with a readable reason."""
    if isinstance(question, bytes):
        raise InvalidQuestionError("the question must be text, not bytes")
    if not isinstance(question, str):
        raise InvalidQuestionError(f"the question must be text, not {type(question).__name__}")
    text = question.strip()
    if not text:
        raise InvalidQuestionError("the question is empty; type a question about the articles")
    if len(text) > max_chars:
        raise InvalidQuestionError(f"the question is too long ({len(text):,} characters); "
                                   f"keep it under {max_chars:,}")
    if any("\ud800" <= c <= "\udfff" for c in text):
        # Lone surrogates cannot be encoded as UTF-8, so no model or index could read the question.
        raise InvalidQuestionError("the question contains broken characters (invalid Unicode); "
                                   "retype or paste it again")
    controls = sum(1 for c in text if unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") and c not in "\n\t\r")
    if "\x00" in text or controls > max(2, len(text) // 20):
        raise InvalidQuestionError("the question contains binary or control characters; send plain text")
    if not any(c.isalnum() for c in text):
        raise InvalidQuestionError("the question has no words in it; ask something about the articles")
    return " ".join(text.split())
