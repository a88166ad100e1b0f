"""What a corpus tells the page about itself: its title, the line under it, and example questions.

Optional, from ``about.tsv`` beside the articles (columns ``key``, ``zh``, ``en``): rows ``title``,
``subtitle`` (``{n}`` is the number of articles) and ``input_placeholder`` replace the interface's generic
strings; each ``example`` row gives one example question (in its language's column). A folder without the
file gets a generic title and no example questions: the shipped ones are about the shipped articles.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from common.tsv import read_rows
from ui.text import t, ui_language

log = logging.getLogger(__name__)
ABOUT = "about.tsv"
_LANGUAGES = ("zh", "en")
_KEYS = frozenset({"title", "subtitle", "input_placeholder"})


@dataclass(frozen=True)
class CorpusAbout:
    """A corpus's own title, subtitle and input example (by key, then language), and its example questions."""

    strings: dict[str, dict[str, str]] = field(default_factory=dict)
    examples: tuple[str, ...] = ()

    @classmethod
    def load(cls, folder: Path) -> CorpusAbout:
        """Read ``about.tsv`` in ``folder``; nothing (generic strings, no examples) when it is absent."""
        path = folder / ABOUT
        if not path.is_file():
            return cls()
        try:
            rows = read_rows(path)
        except (OSError, UnicodeDecodeError) as exc:  # a damaged file costs the page its own words, nothing more
            log.warning("cannot read %s: %s", path, exc)
            return cls()
        strings: dict[str, dict[str, str]] = {}
        examples: list[str] = []
        for key, *cells in rows:
            if key == "example":
                examples.extend(c for c in cells if c)
            elif key in _KEYS:
                strings[key] = {lang: c for lang, c in zip(_LANGUAGES, cells, strict=False) if c}
        return cls(strings, tuple(dict.fromkeys(examples)))

    def text(self, key: str, lang: str, **values: object) -> str:
        """The corpus's string ``key`` in the interface language of ``lang``, else the interface's own."""
        own = self.strings.get(key, {})
        text = own.get(ui_language(lang)) or own.get("en")
        if not text:
            return t(key, lang, **values)
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):  # braces the file means literally, or a misspelt {n}
            return text
