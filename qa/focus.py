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

from common.settings import ROOT
from common.textnorm import compact, normalize
from retrieve.hybrid import Retrieval
from retrieve.passage import Passage

ATTRIBUTES_PATH = ROOT / "data" / "attributes.tsv"
_LATIN = re.compile(r"[a-z]")


@dataclass(frozen=True)
class Attribute:
    """Something a question can ask about a company, with the words a passage must use to give it."""

    name: str
    asks: re.Pattern[str]
    evidence: tuple[str, ...]


def _pattern(forms: list[str]) -> re.Pattern[str]:
    # English forms must be whole words ("cost" is not "costume"); Chinese forms match anywhere.
    parts = [rf"\b{re.escape(f)}\b" if _LATIN.search(f) else re.escape(f)
             for f in sorted(forms, key=len, reverse=True)]
    return re.compile("|".join(parts))


@lru_cache(maxsize=4)
def load_attributes(path: Path = ATTRIBUTES_PATH) -> tuple[Attribute, ...]:
    """Read ``attributes.tsv``: name, the forms a question asks with, the forms evidence must contain."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if n == 0 or not line.strip() or line.startswith("#"):
            continue  # the first line is the header
        name, asks, evidence = (c.strip() for c in line.split("\t"))
        ask_forms = [normalize(f) for f in asks.split("|") if f.strip()]
        rows.append(Attribute(name, _pattern(ask_forms), tuple(compact(f) for f in evidence.split("|") if f.strip())))
    return tuple(rows)


@dataclass(frozen=True)
class FocusCheck:
    """Checks that one of the best ``top_n`` passages names every entity and every attribute asked."""

    attributes: tuple[Attribute, ...]
    top_n: int = 3

    @classmethod
    def load(cls, path: Path = ATTRIBUTES_PATH, top_n: int = 3) -> FocusCheck:
        """The check with the attributes from ``path``."""
        return cls(load_attributes(path), top_n)

    def asked(self, question: str) -> list[Attribute]:
        """The attributes ``question`` asks about."""
        text = normalize(question)
        return [a for a in self.attributes if a.asks.search(text)]

    def covered(self, question: str, retrieval: Retrieval) -> bool:
        """False when the question asks for an attribute and no top passage names it with the entities."""
        asked = self.asked(question)
        if not asked:
            return True
        names = [[c for c in map(compact, e.zh + e.en) if c] for e in retrieval.expansion.entities]
        return any(all(any(n in text for n in entity) for entity in names)
                   and all(any(f in text for f in a.evidence) for a in asked)
                   for text in _windows(retrieval.passages[: self.top_n]))


def _windows(passages: list[Passage]) -> list[str]:
    """Each passage joined with retrieved neighbours from the same article.

    A table piece rarely repeats the company its section is about; the paragraph before it does.
    """
    position = {p.chunk_id: (p.doc_id, _number(p.chunk_id)) for p in passages}
    windows = []
    for p in passages:
        doc, n = position[p.chunk_id]
        near = [q for q in passages
                if q is p or (position[q.chunk_id][0] == doc and abs(position[q.chunk_id][1] - n) <= 1)]
        windows.append(compact(" ".join(f"{q.title} {q.section} {q.text}" for q in near)))
    return windows


def _number(chunk_id: str) -> float:
    tail = chunk_id.rsplit("#", 1)[-1]
    return int(tail) if tail.isdigit() else float("nan")  # nan is nobody's neighbour
