"""Questions that ask for a figure or a role of a named company need one passage that gives both.

The articles cover the companies well, so a question about a revenue they never report still retrieves
passages about the right company; what gives it away is that no passage names the company together
with the thing asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from common.textnorm import compact, normalize
from common.tsv import alternatives, read_rows
from retrieve.hybrid import Retrieval
from retrieve.passage import Passage

ATTRIBUTES = "attributes.tsv"  # optional, beside the corpus (see ``Settings.corpus_file``)
_LATIN = re.compile(r"[a-z]")
_CONJUNCTION = re.compile(r"[和与及跟、]|\b(?:and|or|vs|versus)\b")
_REGEX = "re:"  # an evidence form with this prefix is a regular expression over compact text
_TABLE_RULE = "|---"  # a markdown table's rule row, in compact form
NEAR = 100  # characters between a name and the figure asked about in prose; dev answers need at most 36


@dataclass(frozen=True)
class Attribute:
    """Something a question can ask about a company, with the words a passage must use to give it."""

    name: str
    asks: re.Pattern[str]
    evidence: tuple[str, ...]
    # Evidence that a plain word can't pin down, such as a headcount ("150 人"), as regular expressions.
    evidence_patterns: tuple[re.Pattern[str], ...] = ()
    kind: str = "figure"  # or "role": a post such as CEO, which a question naming a person only describes

    def given_in(self, text: str) -> bool:
        """Whether ``text`` (in compact form) holds evidence for this attribute."""
        return any(f in text for f in self.evidence) or any(p.search(text) for p in self.evidence_patterns)

    def positions(self, text: str) -> list[int]:
        """Where in ``text`` (compact form) the evidence for this attribute starts."""
        found = [m.start() for f in self.evidence for m in re.finditer(re.escape(f), text)]
        return found + [m.start() for p in self.evidence_patterns for m in p.finditer(text)]


def _pattern(forms: list[str]) -> re.Pattern[str]:
    # English forms must be whole words ("cost" is not "costume"); Chinese forms match anywhere.
    parts = [rf"\b{re.escape(f)}\b" if _LATIN.search(f) else re.escape(f)
             for f in sorted(forms, key=len, reverse=True)]
    return re.compile("|".join(parts))


@lru_cache(maxsize=4)
def load_attributes(path: Path) -> tuple[Attribute, ...]:
    """Read ``attributes.tsv``: name, the forms a question asks with, the forms evidence must contain.

    Evidence forms starting with ``re:`` are regular expressions over compact text (no spaces, lower case,
    Simplified script).
    """
    rows = []
    for name, asks, evidence, *rest in read_rows(path):
        ask_forms = [normalize(f) for f in alternatives(asks)]
        forms = alternatives(evidence)
        rows.append(Attribute(name, _pattern(ask_forms),
                              tuple(compact(f) for f in forms if not f.startswith(_REGEX)),
                              tuple(re.compile(f[len(_REGEX):]) for f in forms if f.startswith(_REGEX)),
                              rest[0] if rest and rest[0] else "figure"))
    return tuple(rows)


@dataclass(frozen=True)
class FocusCheck:
    """Checks that one of the best ``top_n`` passages names every entity and every attribute asked."""

    attributes: tuple[Attribute, ...]
    top_n: int = 3

    @classmethod
    def load(cls, path: Path | None, top_n: int = 3) -> FocusCheck:
        """The check with the attributes from ``path`` (none without a file: every question passes)."""
        return cls(load_attributes(path) if path else (), top_n)

    def asked(self, question: str) -> list[Attribute]:
        """The attributes ``question`` asks about."""
        text = normalize(question)
        return [a for a in self.attributes if a.asks.search(text)]

    def covered(self, question: str, retrieval: Retrieval, lead_in: dict[str, str] | None = None) -> bool:
        """False when the question asks for an attribute and no top passage names it with the entities.

        A publisher the question names as its source ("量子位报告里...") need not appear in the passage, nor
        the company of a product it names. Entities joined by "and"/"or" ("智谱和阶跃星辰的团队规模") may
        each be answered by a different passage; otherwise ("SoftBank's stake in Zhipu") one passage must
        name them all.
        """
        entities = [e for e in retrieval.expansion.entities if e.kind != "media"]
        if any(e.kind == "product" for e in entities):
            # "MiniMax 的 Talkie": the product says which company; passages about it rarely repeat both.
            entities = [e for e in entities if e.kind != "company"]
        names_person = any(e.kind == "person" for e in entities)
        asked = [a for a in self.asked(question) if not (a.kind == "role" and names_person)]
        if not asked:
            return True
        names = [[c for c in map(compact, e.zh + e.en) if c] for e in entities]
        windows = [w for w in _windows(retrieval.passages[: self.top_n], lead_in or {})
                   if all(a.given_in(w.text) for a in asked)]
        groups = [[n] for n in names] if len(names) >= 2 and _CONJUNCTION.search(normalize(question)) else [names]
        return all(any(_answers(w, group, asked) for w in windows) for group in groups)


def _answers(window: _Window, entities: list[list[str]], asked: list[Attribute]) -> bool:
    """Whether ``window`` names every entity, each close to the evidence of every asked attribute.

    Prose must say it within about a sentence: a passage that gives Baichuan's valuation and, further on,
    mentions Character.AI says nothing of Character.AI's valuation. A company in the heading is what the
    whole passage is about, and a table piece may name its company only in the paragraph before it, so
    there anywhere counts.
    """
    text = window.text
    if not all(any(n in text for n in entity) for entity in entities):
        return False
    if _TABLE_RULE in text:
        return True
    evidence = [a.positions(text) for a in asked]
    for entity in entities:
        if any(n in window.headings for n in entity):
            continue
        mentions = [m.start() for n in entity for m in re.finditer(re.escape(n), text)]
        if not all(any(abs(m - e) <= NEAR for m in mentions for e in spots) for spots in evidence):
            return False
    return True


@dataclass(frozen=True)
class _Window:
    """A passage with its retrieved neighbours, in compact form, and their headings apart."""

    text: str
    headings: str


def _windows(passages: list[Passage], lead_in: dict[str, str]) -> list[_Window]:
    """Each passage joined with retrieved neighbours from the same article.

    A table piece rarely repeats the company its section is about; the paragraph before it does, so
    a table piece also brings the article text just before it (``lead_in``, by chunk id).
    """
    position = {p.chunk_id: (p.doc_id, _number(p.chunk_id)) for p in passages}
    windows = []
    for p in passages:
        doc, n = position[p.chunk_id]
        near = [q for q in passages
                if q is p or (position[q.chunk_id][0] == doc and abs(position[q.chunk_id][1] - n) <= 1)]
        before = lead_in.get(p.chunk_id, "") if _TABLE_RULE in compact(p.text) else ""
        windows.append(_Window(compact(" ".join([before] + [f"{q.title} {q.section} {q.text}" for q in near])),
                               compact(" ".join(q.section for q in near))))
    return windows


def _number(chunk_id: str) -> float:
    tail = chunk_id.rsplit("#", 1)[-1]
    return int(tail) if tail.isdigit() else float("nan")  # nan is nobody's neighbour
