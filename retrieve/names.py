"""Name pairs mined from the corpus: Chinese text often gives a name's original in brackets.

``弗里德里希·拉采尔（Friedrich Ratzel）`` or ``华沙证券交易所 (WSE)`` tell an English question's "Ratzel"
or "WSE" which Chinese words to search for, in any corpus and for names no dictionary has.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from common.patterns import CJK, TONE_MARK
from common.textnorm import normalize, to_simplified

# A run of Chinese characters, then a bracket that may start with a language label ("波兰语：").
_PAIR = re.compile(
    rf"([{CJK}·]{{2,}})\s*[（(](?:[^()（）:：\n]{{1,8}}[:：]\s*)?"
    r"([a-zà-öø-ÿā-ž][a-z0-9à-öø-ÿā-ž .'\-]{1,60}?)\s*[)）;；,，]"
)
MAX_NAME_CHARS = 10
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class NamePairs:
    """Names mined from a corpus, both ways: English (normalised) to Chinese, and Chinese to English as written."""

    to_chinese: dict[str, tuple[str, ...]] = field(default_factory=dict)
    to_english: dict[str, str] = field(default_factory=dict)


def mine_name_pairs(texts: Iterable[str]) -> NamePairs:
    """Map each bracketed Latin name to the Chinese names it follows in ``texts``, and back.

    Where the Chinese name starts is not marked; the longest ending of the run that the same text uses
    again elsewhere is taken, since only a name that recurs without its bracket needs the pair at all.
    """
    pairs: dict[str, list[str]] = {}
    english: dict[str, str] = {}
    for text in texts:
        norm = normalize(text)
        # ``norm`` without lower-casing: positions agree, so names are given back as the text writes them.
        shown = _SPACES.sub(" ", to_simplified(unicodedata.normalize("NFKC", text))).strip()
        same = len(shown) == len(norm)
        for m in _PAIR.finditer(norm):
            latin = m.group(2).strip(" .'-")
            if len(latin) < 2 or TONE_MARK.search(latin):  # tone-marked pinyin ("gè") is a reading aid
                continue
            name = _recurring_ending(norm, m.group(1), m.start(1))
            if name:
                pairs.setdefault(latin, [])
                if name not in pairs[latin]:
                    pairs[latin].append(name)
                written = shown[m.start(2): m.start(2) + len(latin)] if same else ""
                # Shown to readers only when clearly a name: capitalised, and not a two-character ending
                # ("四世" of "塞尔吉乌斯四世") that other names share.
                if written.lower() == latin and written[:1].isupper() and len(name) >= 3:
                    english.setdefault(name, written)
    return NamePairs({latin: tuple(names) for latin, names in pairs.items()}, english)


def _recurring_ending(text: str, run: str, start: int) -> str:
    """The longest ending (2 to ``MAX_NAME_CHARS`` characters) of ``run`` found again in ``text``."""
    for size in range(min(len(run), MAX_NAME_CHARS), 1, -1):
        ending = run[-size:].lstrip("·")
        if len(ending) < 2:
            continue
        here = start + len(run) - len(ending)
        if text.find(ending) != here or text.find(ending, here + 1) >= 0:
            return ending
    return ""
