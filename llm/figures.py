"""Figures and dates in a sentence or passage, in one form whatever the language or notation.

``33亿美元``, ``$3.3 billion`` and ``3.3bn`` are all 3.3e9; ``2023年4月``, ``April 2023`` and ``2023/04``
are the same month. A sentence's figures are read strictly (digits, English number words before a scale,
ordinals); a passage's leniently (also ``万卡`` and numbers inside names), so that a figure the sentence
states is either found among the passage's or the sentence is wrong.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_MONTH_ALT = "|".join(MONTHS) + "|" + "|".join(m[:3] for m in MONTHS if m != "may") + "|sept"
_SCALE_EN = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
             "trillion": 1e12, "tn": 1e12}
_SCALE_ZH = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3}
_WORDS = {"one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
          "fifty": 50}
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
# 2023年4月15日 / 2023 年 4 月 / 4月15日 / 4 月
_ZH_DATE = re.compile(r"(?:((?:19|20)\d\d)\s*年\s*)?(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?")
# 2023/04, 2023.04, 2023-04(-15), 2023.04.06
_NUM_DATE = re.compile(r"(?<![\d.])((?:19|20)\d\d)[/.\-](\d{1,2})(?:[/.\-](\d{1,2}))?(?![\d])")
# April 15, 2025 / 15 April 2025 / April 2025 / April
_EN_DATE = re.compile(rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+)?({_MONTH_ALT})\.?(?:\s+(\d{{1,2}})(?:st|nd|rd|th)?)?"
                      rf"(?:,?\s+((?:19|20)\d\d))?\b", re.I)
_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?!\d|\.\d|\s*(?:万|亿|千|百|%|个|人|家|名|元|美元))(?:\s*年)?")
_EN_NUMBER = re.compile(rf"(?<![\w.])(?:\$|US\$|¥|￥)?({_NUM})\s*(?:-|\s)?(trillion|billion|million|thousand|bn|mn|tn|"
                        r"[kmb](?![a-z]))?(?=[\s\-%,.;:!?)\]'\"，。]|$|per|fold|times|x\b)", re.I)
_ZH_NUMBER = re.compile(rf"({_NUM})\s*(万亿|千亿|百亿|亿|千万|百万|万|千)?")
_WORD_NUMBER = re.compile(r"\b(one|a|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
                          r"thirty|forty|fifty)(?:(?:\s+|-)(trillion|billion|million|thousand|hundred))?\b", re.I)
# Word ordinals ("the second half", "ranked first") are left out: too often not a figure at all.
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b", re.I)
_BARE_ZH = re.compile(r"(?<![\d.零一二两三四五六七八九十百千万亿数几上近])(十|百|千|万|亿|千亿|万亿)"
                      r"(?=[卡张人个家名台块元美])")
_ATTACHED = re.compile(r"[A-Za-z][\-.]?$")


@dataclass
class Figures:
    """Numbers (plain values), years, and dates as ``(year or None, month, day or None)``."""

    numbers: list[float] = field(default_factory=list)
    # How far a passage's value may be from each number and still be the same figure rounded: half a unit of
    # its last written digit (3.3 billion: 0.05 billion; 1,332: 0.5).
    tolerances: list[float] = field(default_factory=list)
    years: set[int] = field(default_factory=set)
    dates: list[tuple[int | None, int, int | None]] = field(default_factory=list)

    def add(self, value: float, written: str = "", scale: float = 1.0) -> None:
        """Record a number, with the rounding its written form allows."""
        decimals = len(written.partition(".")[2]) if written else 0
        self.numbers.append(float(value))
        self.tolerances.append(0.5 * 10 ** -decimals * scale + 1e-9 * abs(value))

    def empty(self) -> bool:
        """No figure at all."""
        return not (self.numbers or self.years or self.dates)


def _value(number: str) -> float:
    return float(number.replace(",", ""))


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _month(name: str) -> int:
    name = name.lower()[:3]
    return next(i for i, m in enumerate(MONTHS, 1) if m.startswith(name))


def extract(text: str, *, lenient: bool = False) -> Figures:
    """The figures stated in ``text``; ``lenient`` (passages) also reads numbers glued to names and bare units."""
    text = unicodedata.normalize("NFKC", text)
    out = Figures()
    for pattern in (_ZH_DATE, _NUM_DATE):
        for m in pattern.finditer(text):
            year, month, day = m.group(1), int(m.group(2)), m.group(3)
            if 1 <= month <= 12:
                out.dates.append((int(year) if year else None, month, int(day) if day else None))
                if year:
                    out.years.add(int(year))
                text = _blank(text, m.start(), m.end())
    for m in _EN_DATE.finditer(text):
        day, name, day2, year = m.group(1), m.group(2), m.group(3), m.group(4)
        if name.lower() == "may" and not (day or day2 or year):
            continue  # "may" alone is usually the verb
        d = day or day2
        out.dates.append((int(year) if year else None, _month(name), int(d) if d else None))
        if year:
            out.years.add(int(year))
        text = _blank(text, m.start(), m.end())
    for m in _YEAR.finditer(text):
        out.years.add(int(m.group(1)))
        text = _blank(text, m.start(), m.end())
    for m in _WORD_NUMBER.finditer(text):
        word, scale = m.group(1).lower(), (m.group(2) or "").lower()
        if word in ("one", "a") and not scale:
            continue  # "one of", "a company"
        out.add(_WORDS[word] * _SCALE_EN.get(scale, 100 if scale == "hundred" else 1))
        text = _blank(text, m.start(), m.end())
    for m in _ORDINAL.finditer(text):
        out.add(float(m.group(1)))
        text = _blank(text, m.start(), m.end())
    for m in _ZH_NUMBER.finditer(text):
        if m.group(2):
            out.add(_value(m.group(1)) * _SCALE_ZH[m.group(2)], m.group(1), _SCALE_ZH[m.group(2)])
            text = _blank(text, m.start(), m.end())
    for m in _EN_NUMBER.finditer(text):
        if not lenient and _ATTACHED.search(text[:m.start()]):
            continue  # part of a name: GPT-4, Step-2, V3
        scale = _SCALE_EN.get((m.group(2) or "").lower(), 1)
        out.add(_value(m.group(1)) * scale, m.group(1), scale)
        text = _blank(text, m.start(), m.end())
    if lenient:
        for m in re.finditer(_NUM, text):
            out.add(_value(m.group(0)), m.group(0))
        for m in _BARE_ZH.finditer(text):
            out.add(_SCALE_ZH.get(m.group(1), {"十": 10, "百": 100}.get(m.group(1), 1)))
    else:
        for m in re.finditer(_NUM, text):
            if not _ATTACHED.search(text[:m.start()]) and not re.match(r"[A-Za-z]", text[m.end():m.end() + 1]):
                out.add(_value(m.group(0)), m.group(0))
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1.0)


def _date_found(date: tuple[int | None, int, int | None], evidence: Figures) -> bool:
    year, month, day = date
    for ey, em, ed in evidence.dates:
        if em != month or (day is not None and ed is not None and day != ed):
            continue
        if year is None or ey == year or (ey is None and year in evidence.years):
            return True
    return False


def unsupported_figures(sentence: Figures, evidence: Figures) -> list[str]:
    """The sentence's figures that the evidence does not state (empty when all are found)."""
    missing: list[str] = []
    for value, tolerance in zip(sentence.numbers, sentence.tolerances, strict=False):
        if not any(abs(value - e) <= tolerance for e in evidence.numbers) and not (
                value.is_integer() and int(value) in evidence.years):
            missing.append(f"{value:g}")
    for year in sentence.years:
        if year not in evidence.years and not any(_close(year, e) for e in evidence.numbers):
            missing.append(str(year))
    for date in sentence.dates:
        if not _date_found(date, evidence):
            missing.append("-".join("?" if p is None else str(p) for p in date))
    return missing
