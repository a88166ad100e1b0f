"""The fixed question set: loading and filtering."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

QUESTIONS_PATH = Path(__file__).resolve().parent / "questions.jsonl"


@dataclass(frozen=True)
class Question:
    """One evaluation question with its gold evidence quotes and short answer keys."""

    id: str
    split: str
    lang: str
    type: str
    question: str
    answerable: bool
    evidence: tuple[tuple[str, str], ...]
    answers: tuple[str, ...]

    @property
    def quotes(self) -> list[str]:
        """All acceptable gold quotes."""
        return [quote for _, quote in self.evidence]


def load_questions(path: Path = QUESTIONS_PATH, split: str = "all") -> list[Question]:
    """Read the question file, keeping one split (``dev``, ``test``) or ``all``."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        q = Question(row["id"], row["split"], row["lang"], row["type"], row["question"], bool(row["answerable"]),
                     tuple((e["doc_id"], e["quote"]) for e in row.get("evidence", [])),
                     tuple(row.get("answers", [])))
        if split in ("all", q.split):
            out.append(q)
    return out
