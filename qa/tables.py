"""Markdown table rows with their header: ``column: value`` pairs for text, a small table for cards."""

from __future__ import annotations

import html
import re

_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def is_row(line: str) -> bool:
    """Whether ``line`` is a Markdown table row (not its rule line)."""
    line = line.strip()
    return line.startswith("|") and line.count("|") >= 2 and not _RULE.match(line)


def cells(row: str) -> list[str]:
    """The cells of a Markdown table row, stripped (empty cells kept, so columns line up)."""
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|"):
        row = row[:-1]
    return [c.strip() for c in row.split("|")]


def _numeric(line: str) -> bool:
    """A row of figures: at least half of its non-empty cells are numbers ("78.7", "8.77*", "40%")."""
    values = [c for c in cells(line) if c]
    return bool(values) and sum(bool(re.fullmatch(r"[\d.,%*+~\-\s]+", c)) for c in values) * 2 >= len(values)


def header_before(text: str, position: int) -> list[str]:
    """The header cells of the table that holds the row at ``position`` in ``text`` (empty if none).

    A header is the row just above a rule line (``|---|---|``). Tables with two header rows (categories
    above the rule, column names below it, then rows of figures) name each column by its lower row,
    falling back to the upper one.
    """
    lines = text[:position].split("\n")
    for i in range(len(lines) - 1, 0, -1):
        line = lines[i].strip()
        if not line.startswith("|"):
            if line:
                return []  # left the table
            continue
        if _RULE.match(line) and is_row(lines[i - 1]):
            header = cells(lines[i - 1])
            below = lines[i + 1].strip() if i + 1 < len(lines) else ""
            rest = text[position:].split("\n", 1)[0]
            if is_row(below) and not _numeric(below) and _numeric(rest):
                lower = cells(below)
                width = max(len(header), len(lower))
                header = [(lower[j] if j < len(lower) and lower[j] else header[j] if j < len(header) else "")
                          for j in range(width)]
            return header
    return []


def is_header(text: str, position: int) -> bool:
    """Whether the row at ``position`` of ``text`` names columns (above the rule, or a second such row)."""
    line = text[position:].split("\n", 1)[0]
    after = text[position + len(line):].lstrip("\n").split("\n", 1)[0]
    if _RULE.match(after.strip()):
        return True
    before = text[:position].rstrip("\n").rsplit("\n", 1)[-1]
    following = after
    return bool(_RULE.match(before.strip())) and not _numeric(line) and is_row(following) and _numeric(following)


def pairs(header: list[str], row: str) -> list[tuple[str, str]]:
    """``(column, value)`` for the row's non-empty cells; a column without a name is left unnamed."""
    values = cells(row)
    out = []
    for i, value in enumerate(values):
        if value and value not in ("-", "—"):
            name = header[i] if i < len(header) else ""
            out.append((name, value))
    return out


def pairs_text(header: list[str], row: str) -> str:
    """The row as ``column: value; column: value`` (a value alone where its column has no name)."""
    return "; ".join(f"{name}: {value}" if name and name != value else value for name, value in pairs(header, row))


def row_html(header: list[str], row: str, *, mark: bool = False) -> str:
    """The row and its header as a small escaped HTML table (``mark`` highlights the row as cited)."""
    found = [(n, v) for n, v in pairs(header, row)]
    if not found:
        return ""
    head = "".join(f"<th>{html.escape(n)}</th>" for n, _ in found)
    body = "".join(f"<td>{html.escape(v)}</td>" for _, v in found)
    cls = ' class="qa-cite"' if mark else ""
    return (f'<table class="qa-row-table"><thead><tr>{head}</tr></thead>'
            f"<tbody><tr{cls}>{body}</tr></tbody></table>")
