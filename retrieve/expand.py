"""Cross-lingual query expansion from an editable entity glossary, a term list and CC-CEDICT."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from common.settings import ROOT
from common.textnorm import normalize
from index.tokenize import STOPWORDS, sub_words, tokenize
from retrieve.cedict import EnglishToChinese

GLOSSARY_PATH = ROOT / "data" / "glossary.tsv"
TERMS_PATH = ROOT / "data" / "terms.tsv"
_WORD = re.compile(r"[a-z][a-z0-9\-]*")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_EN_DATE = re.compile(r"\b(" + "|".join(_MONTHS) + r"|" + "|".join(m[:3] for m in _MONTHS) + r")\.?(?:\s+(\d{1,2}))?"
                      r"(?:,?\s+(\d{4}))?\b")



@dataclass(frozen=True)
class Entity:
    """One glossary row: Chinese and English names of the same thing."""

    kind: str
    zh: tuple[str, ...]
    en: tuple[str, ...]


@dataclass
class Expansion:
    """What a query expands to: extra BM25 terms, a translated query string and the entities seen."""

    terms: list[str] = field(default_factory=list)
    translation: str = ""
    entities: list[Entity] = field(default_factory=list)
    # What the question asks about, one entry per word or name, each with its acceptable renderings.
    concepts: list[list[str]] = field(default_factory=list)


def _rows(path: Path) -> list[list[str]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if n == 0 or not line.strip() or line.startswith("#"):
            continue  # the first line is the header
        rows.append([c.strip() for c in line.split("\t")])
    return rows


def _aliases(cell: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in cell.split("|") if a.strip())


def _alternation(names: list[str]) -> re.Pattern[str] | None:
    names = sorted({n for n in names if n}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(n) for n in names) + r")(?![a-z0-9])")


_ZH_DATE = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月")
_LATIN_NAME = re.compile(r"[a-z0-9][a-z0-9 .\-]*")


class QueryExpander:
    """Expands English questions with Chinese terms and Chinese questions with English names."""

    def __init__(self, doc_freq: Mapping[str, int], cache_dir: Path,
                 glossary: Path = GLOSSARY_PATH, terms: Path = TERMS_PATH) -> None:
        """Load the data files; ``doc_freq`` maps the index's BM25 tokens to how many passages hold them."""
        self.doc_freq = doc_freq
        self.entities = [Entity(r[0], _aliases(r[1]), _aliases(r[2])) for r in _rows(glossary) if len(r) >= 3]
        self._by_en: dict[str, Entity] = {}
        self._by_zh: dict[str, Entity] = {}
        for entity in self.entities:
            for name in entity.en:
                self._by_en.setdefault(normalize(name), entity)
            for name in entity.zh:
                self._by_zh.setdefault(normalize(name), entity)
        self._terms = {normalize(r[0]): _aliases(r[1]) for r in _rows(terms) if len(r) >= 2}
        self._en_pattern = _alternation(list(self._by_en) + list(self._terms))
        self._zh_names = [(n, bool(_LATIN_NAME.fullmatch(n))) for n in sorted(self._by_zh, key=len, reverse=True)]
        self._cedict = EnglishToChinese(cache_dir)

    def find_entities(self, text: str) -> list[Entity]:
        """Glossary entities named in ``text`` (in either language), in order of appearance."""
        norm = normalize(text)
        found: list[tuple[int, Entity]] = []
        if self._en_pattern:
            for m in self._en_pattern.finditer(norm):
                if m.group(0) in self._by_en:
                    found.append((m.start(), self._by_en[m.group(0)]))
        taken = norm
        for name, latin in self._zh_names:
            pos = _find_name(taken, name, latin)
            if pos >= 0:
                found.append((pos, self._by_zh[name]))
                taken = taken.replace(name, " " * len(name))
        seen: list[Entity] = []
        for _, entity in sorted(found, key=lambda x: x[0]):
            if entity not in seen:
                seen.append(entity)
        return seen

    def _known(self, words: list[str], limit: int = 2, *, by_use: bool = False) -> list[str]:
        """Keep candidate words whose tokens the index actually contains.

        With ``by_use``, the words the articles use most come first: among a dictionary's senses of
        "model" (典型, 模型, 型号 ...) the one an AI corpus means is the one it keeps using.
        """
        tokens = {w: tokenize(w) for w in words}
        kept = [w for w in words if tokens[w] and all(t in self.doc_freq for t in tokens[w])]
        if by_use:
            kept.sort(key=lambda w: -min(self.doc_freq[t] for t in tokens[w]))
        return kept[:limit]

    def expand(self, query: str, language: str) -> Expansion:
        """Expand ``query``; English questions get Chinese terms and a Chinese rendering for dense search."""
        entities = self.find_entities(query)
        if language != "en":
            terms = [normalize(n) for e in entities for n in e.en + e.zh]
            concepts = self._chinese_concepts(query, entities)
            return Expansion(terms=_dedupe(terms), entities=entities, concepts=concepts)
        norm = normalize(query)
        pieces: list[tuple[int, list[str]]] = []
        concepts: list[list[str]] = []
        rest = norm
        if self._en_pattern:
            for m in self._en_pattern.finditer(norm):
                key = m.group(0)
                if key in self._by_en:
                    zh = list(self._by_en[key].zh)
                elif key in self._terms:
                    zh = self._known(list(self._terms[key]), limit=3) or list(self._terms[key][:1])
                else:
                    continue
                pieces.append((m.start(), zh))
                concepts.append([key, *(normalize(z) for z in (self._by_en[key].zh if key in self._by_en
                                                                  else self._terms[key]))])
                rest = rest[: m.start()] + " " * len(key) + rest[m.end():]
        for m in _WORD.finditer(rest):
            word = m.group(0)
            if word in STOPWORDS or len(word) < 3 or word in _MONTHS:
                continue  # months are dates, below
            zh = self._known(self._cedict.lookup(word), by_use=True)
            if zh:
                pieces.append((m.start(), zh))
            concepts.append([word, *zh])
        for m in _EN_DATE.finditer(norm):
            if m.group(1) != "may" or m.group(2) or m.group(3):  # "may" alone is usually the verb
                pieces.append((m.start(), [_chinese_date(m)]))
                # "June 2023" is covered by a passage's "2023 年 6 月" (compact forms ignore spaces) and by
                # a table's "2023/06" or a timeline's "2023.06".
                year = [f"{m.group(3)}{sep}{_month(m):02d}" for sep in "/.-"] if m.group(3) else []
                concepts.append([m.group(0), _chinese_date(m), f"{_month(m)}月", *year])
        pieces.sort(key=lambda p: p[0])
        terms = _dedupe([normalize(z) for _, zh in pieces for z in zh])
        translation = " ".join(zh[0] for _, zh in pieces if zh)
        return Expansion(terms=terms, translation=translation, entities=entities, concepts=concepts)

    def _chinese_concepts(self, query: str, entities: list[Entity]) -> list[list[str]]:
        """Question words, with every alias of a named entity accepted for that entity."""
        concepts: list[list[str]] = []
        covered: set[str] = set()
        for entity in entities:
            names = [normalize(n) for n in entity.zh + entity.en]
            concepts.append(names)
            covered.update(t for n in names for t in tokenize(n))
        for m in _ZH_DATE.finditer(normalize(query)):
            # "2024 年 5 月" is one thing, also written "2024/05" in a table or "2024.05" in a timeline;
            # its pieces ("3", "月") alone would match nearly every passage.
            year, month = m.group(1), int(m.group(2))
            concepts.append([f"{year}年{month}月", *(f"{year}{sep}{month:02d}" for sep in "/.-")])
            covered.update(tokenize(m.group(0)))
        for token in tokenize(query):
            if token not in covered and not any(token in n for c in concepts for n in c):
                concepts.append([token, *sub_words(token)])
        return concepts


def _find_name(text: str, name: str, latin: bool) -> int:
    """Position of ``name`` in ``text``; a Latin name ("Yi") must not be part of a longer word ("Yiyan")."""
    if not latin or name not in text:
        return text.find(name)
    m = re.search(r"(?<![a-z0-9])" + re.escape(name) + r"(?![a-z0-9])", text)
    return m.start() if m else -1


def _month(m: re.Match[str]) -> int:
    return next(i for i, name in enumerate(_MONTHS, 1) if name.startswith(m.group(1)[:3]))


def _chinese_date(m: re.Match[str]) -> str:
    """``September 2024`` -> ``2024年9月``, the way Chinese articles write dates."""
    month = _month(m)
    day = f"{m.group(2)}日" if m.group(2) else ""
    return f"{m.group(3) + '年' if m.group(3) else ''}{month}月{day}"


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
