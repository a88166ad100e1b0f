"""The passage record that flows from the retriever to answers, the CLI and the UI."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its provenance; ``text`` is the original text shown to users."""

    doc_id: str
    chunk_id: str
    title: str
    source: str
    date: str | None
    section: str
    text: str
    start: int
    end: int
    score: float
