"""The tab-separated vocabulary files that may live beside a corpus (glossary, terms, attributes)."""

from __future__ import annotations

from pathlib import Path


def read_rows(path: Path) -> list[list[str]]:
    """The stripped cells of each row; the first line is the header, blank and ``#`` lines are skipped."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if n == 0 or not line.strip() or line.startswith("#"):
            continue
        rows.append([cell.strip() for cell in line.split("\t")])
    return rows


def alternatives(cell: str) -> list[str]:
    """The ``|``-separated forms of a cell, without empty ones."""
    return [form.strip() for form in cell.split("|") if form.strip()]
