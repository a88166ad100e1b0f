"""Question sets: our own (gold quotes, splits) and public benchmarks (gold paragraph, answer spans).

Both load into :class:`Question`; :meth:`Question.hit` says whether a retrieved passage is relevant under
the set's own rule, so every metric and ablation runs unchanged on any corpus.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from common.textnorm import compact
from eval.jsonl import read_rows
from eval.metrics import contains_quote

QUESTIONS_PATH = Path(__file__).resolve().parent / "questions.jsonl"
BENCHMARKS_DIR = Path(__file__).resolve().parent / "benchmarks"
# A passage overlaps the gold paragraph when they share this many characters in a row (compact form):
# longer than any stock phrase, shorter than the chunk overlap, so a piece of the paragraph always counts.
OVERLAP_CHARS = 20


@dataclass(frozen=True)
class Question:
    """One evaluation question with its gold evidence and short answer keys.

    Our own questions carry gold ``evidence`` quotes; benchmark questions a ``gold_paragraph`` instead.
    """

    id: str
    split: str
    lang: str
    type: str
    question: str
    answerable: bool
    evidence: tuple[tuple[str, str], ...] = ()
    answers: tuple[str, ...] = ()
    gold_paragraph: str = ""
    answers_en: tuple[str, ...] = ()

    @property
    def quotes(self) -> list[str]:
        """All acceptable gold quotes."""
        return [quote for _, quote in self.evidence]

    @cached_property
    def _gold_windows(self) -> frozenset[str]:
        gold = compact(self.gold_paragraph)
        width = min(OVERLAP_CHARS, len(gold))
        return frozenset(gold[i: i + width] for i in range(len(gold) - width + 1)) if gold else frozenset()

    def hit(self, text: str) -> bool:
        """Whether a passage with ``text`` is relevant to this question.

        With gold quotes: it holds one. With a gold paragraph (the benchmarks' rule): it overlaps the
        paragraph and holds one of the answer spans, so a neighbour sharing only the chunk overlap, or
        another paragraph that happens to name the answer, does not count.
        """
        if self.evidence:
            return contains_quote(text, self.quotes)
        if not self.gold_paragraph:
            return False
        haystack = compact(text)
        width = min(OVERLAP_CHARS, len(compact(self.gold_paragraph)))
        overlaps = any(haystack[i: i + width] in self._gold_windows for i in range(len(haystack) - width + 1))
        return overlaps and (not self.answers or contains_quote(text, self.answers))


def load_questions(path: Path = QUESTIONS_PATH, split: str = "all") -> list[Question]:
    """Read a question file, keeping one split (``dev``, ``test``) or ``all``.

    Benchmark rows (no ``split`` field) are all ``dev``: the held-out halves live elsewhere.
    """
    def build(row: dict) -> Question:
        return Question(row["id"], row.get("split", "dev"), row["lang"], row.get("type", "benchmark"),
                        row["question"], bool(row["answerable"]),
                        tuple((e["doc_id"], e["quote"]) for e in row.get("evidence", [])),
                        tuple(row.get("answers", [])), row.get("gold_paragraph", ""),
                        tuple(row.get("answers_en", [])))

    return [q for q in read_rows(path, build, "a question row") if split in ("all", q.split)]
