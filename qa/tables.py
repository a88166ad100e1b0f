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


def row_header(row: str, passage_text: str, document_text: str = "") -> list[str]:
    """The header of ``row``, from the whole article when it holds the row, else from the passage.

    A table split across passages repeats only its first header row in each piece, while the article
    keeps a second one (column names under categories) too.
    """
    at = document_text.find(row) if document_text else -1
    header = header_before(document_text, at) if at >= 0 else []
    if not header:
        at = passage_text.find(row)
        header = header_before(passage_text, at) if at >= 0 else []
    return header


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


_TAG = re.compile(r"</?mark\b[^>]*>")
_EDGE_SPACE = re.compile(r"(<mark\b[^>]*>)\s+|\s+(?=</mark>)")
_ID = re.compile(r'\s+id="[^"]*"')


def _balanced(fragment: str, open_tags: list[str]) -> tuple[str, list[str]]:
    """``fragment`` with the marks open before it reopened and those still open at its end closed."""
    stack = list(open_tags)
    for tag in _TAG.findall(fragment):
        if tag.startswith("</"):
            if stack:
                stack.pop()
        else:
            stack.append(tag)
    # A reopened copy must not repeat an element id.
    reopened = "".join(_ID.sub("", tag) for tag in open_tags)
    return reopened + fragment + "</mark>" * len(stack), stack


def _cells_of(line: str) -> list[str]:
    """The cell fragments of an escaped table row, outer pipes dropped (tags stay with their cell)."""
    parts = line.strip().split("|")
    if parts and _TAG.sub("", parts[0]).strip() == "":
        parts[1] = parts[0] + parts[1] if len(parts) > 1 else parts[0]
        parts = parts[1:]
    if len(parts) > 1 and _TAG.sub("", parts[-1]).strip() == "":
        parts[-2] = parts[-2] + parts[-1]
        parts = parts[:-1]
    return parts


def tables_to_html(escaped: str) -> str:
    """Turn the Markdown tables of already escaped HTML text into ``<table>`` elements.

    The text may hold ``<mark>`` highlights that open before a table or in one row and close rows later;
    they are closed before the table, each cell gets its own balanced copy (so the highlight stays on
    the same cells), and whatever is still open is reopened after it. Other lines are left as they are.
    """
    lines = escaped.split("\n")
    out: list[str] = []
    i = 0
    open_tags: list[str] = []
    while i < len(lines):
        if not _is_table_line(lines[i]):
            _, open_tags = _balanced(lines[i], open_tags)
            out.append(lines[i])
            i += 1
            continue
        before = "</mark>" * len(open_tags)
        rows: list[str] = []
        header_done = False
        while i < len(lines) and _is_table_line(lines[i]):
            line = lines[i]
            i += 1
            if _RULE.match(_TAG.sub("", line).strip()):
                _, open_tags = _balanced(line, open_tags)  # only its tags matter
                header_done = True
                continue
            cells_html = []
            for part in _cells_of(line):
                cell, open_tags = _balanced(part.strip(), open_tags)
                cells_html.append(_EDGE_SPACE.sub(lambda m: m.group(1) or "", cell))
            tag = "th" if not header_done and not rows else "td"
            rows.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells_html) + "</tr>")
        after = "".join(_ID.sub("", tag) for tag in open_tags)
        out.append(f'{before}<div class="qa-scroll"><table class="qa-md-table">{"".join(rows)}</table></div>{after}')
    return "\n".join(out)


def _is_table_line(line: str) -> bool:
    plain = _TAG.sub("", line).strip()
    return plain.startswith("|") and plain.count("|") >= 2
