"""Markdown table rows: what is a row, its cells, and whether it holds figures (shared by ingest and qa)."""

from __future__ import annotations

import re

RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def is_row(line: str) -> bool:
    """Whether ``line`` is a Markdown table row (not its rule line)."""
    line = line.strip()
    return line.startswith("|") and line.count("|") >= 2 and not RULE.match(line)


def cells(row: str) -> list[str]:
    """The cells of a Markdown table row, stripped (empty cells kept, so columns line up)."""
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|"):
        row = row[:-1]
    return [c.strip() for c in row.split("|")]


def is_numeric_row(line: str) -> bool:
    """A row of figures: at least half of its non-empty cells are numbers ("78.7", "8.77*", "40%")."""
    values = [c for c in cells(line) if c]
    return bool(values) and sum(bool(re.fullmatch(r"[\d.,%*+~\-\s]+", c)) for c in values) * 2 >= len(values)
