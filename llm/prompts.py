"""Prompt templates kept as files under ``prompts/``, with their placeholders checked on load."""

from __future__ import annotations

import string
from functools import lru_cache

from common.errors import QAError
from common.settings import ROOT

PROMPTS_DIR = ROOT / "prompts"
# Each template must use exactly these named placeholders.
PLACEHOLDERS = {
    "answer": {"passages", "question", "not_found", "language_name"},
    "condense": {"history", "question"},
    "translate_query": {"question"},
}
# Only English questions are translated (into Chinese, for retrieval), so this one has no Chinese version.
ENGLISH_ONLY = {"translate_query"}


@lru_cache(maxsize=32)
def load_prompt(name: str, language: str) -> str:
    """Template ``name`` for ``language`` (``zh-Hant`` uses the Chinese file); validated placeholders."""
    lang = "en" if language == "en" or name in ENGLISH_ONLY else "zh"
    if name == "answer" and lang == "zh" and not (PROMPTS_DIR / "answer.zh.md").exists():
        lang = "en"
    path = PROMPTS_DIR / f"{name}.{lang}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QAError(f"prompt template {path} is missing ({exc.strerror})") from exc
    fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    expected = PLACEHOLDERS[name] - ({"language_name"} if lang == "en" else set())
    if fields != expected:
        raise QAError(f"prompt template {path} has placeholders {sorted(fields)}; expected {sorted(expected)}")
    return text


def render(name: str, language: str, **values: str) -> str:
    """Fill a template; values are inserted literally (no further formatting of their braces)."""
    return load_prompt(name, language).format(**values)
