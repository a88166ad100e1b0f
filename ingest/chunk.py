"""Heading-aware chunking with character offsets into the cleaned document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from common.patterns import CJK, CJK_CHAR
from common.textnorm import compact
from ingest.documents import Document, is_caption

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]*-{3,}[\s:|-]*\|?\s*$")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_ENDS_SENTENCE = re.compile(r"[。！？!?；;.,，、:：]$")
_SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "!", "?", ". ", "，", ",", " ", ""]
MIN_CHUNK_CHARS = 12
MAX_GUESSED_PATH = 2  # guessed headings kept in a section path


@dataclass(frozen=True)
class Chunk:
    """A citable passage: ``text`` is shown to users, ``start``/``end`` locate it in the document."""

    chunk_id: str
    doc_id: str
    title: str
    source: str
    date: str | None
    section: str
    text: str
    start: int
    end: int

    def context_text(self) -> str:
        """Text to index: title and heading path first, so a table row still knows its company."""
        head = " / ".join(p for p in (self.title, self.section) if p)
        return f"{head}\n{self.text}" if head else self.text


@dataclass(frozen=True)
class _Block:
    path: tuple[str, ...]
    start: int
    end: int
    is_table: bool


def _lines(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def _plain_heading(line: str, prev_blank: bool, next_blank: bool) -> bool:
    """Guess headings in plain-text articles that have no markdown markup (OCR reports, wire copy)."""
    s = line.strip()
    if not s or len(s) > 40 or _ENDS_SENTENCE.search(s) or s[0].isdigit() or s.startswith(("|", "-", "*")):
        return False
    if is_caption(s):
        return False
    if len(CJK_CHAR.findall(s)) < 2 and len(_LATIN_WORD.findall(s)) < 2:
        return False
    # Paragraph-separated text marks headings with blank lines; line-per-paragraph text can't, so
    # only very short lines count there.
    return (prev_blank and next_blank) or len(s) <= 16


def _blocks(text: str) -> list[_Block]:
    """Split ``text`` into heading-labelled blocks of prose or table, small neighbours merged."""
    scanner = _BlockScanner(text)
    blocks = _merge_small(scanner.scan(), text)
    return blocks if scanner.markdown else _nest_tables(blocks)


class _BlockScanner:
    """One pass over the lines, keeping the heading path and the block being read.

    Markdown headings only label blocks. In text without markdown, guessed headings may be short lines of
    content ("赠送总价值4万元的Tokens"), so they stay in the text of the block they open.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = list(_lines(text))
        self.markdown = any(_MD_HEADING.match(line) for _, line in self.lines)
        self.blank_separated = sum(1 for _, line in self.lines if not line.strip()) > len(self.lines) * 0.2
        self.path: list[tuple[int, str]] = []  # (level, heading) in force
        self.blocks: list[_Block] = []
        self.start: int | None = None  # where the open block starts (None: no block open)
        self.table = False  # whether the open block is a table
        self.body = False  # whether the open block has more than guessed headings
        self.opened_under: tuple[str, ...] = ()  # the headings in force where the open block starts
        self.run: list[str] = []  # the guessed headings that open it

    def scan(self) -> list[_Block]:
        for i, (pos, line) in enumerate(self.lines):
            md = _MD_HEADING.match(line)
            if md:
                self._close(pos)
                self._enter((len(md.group(1)), md.group(2).strip()))
            elif not self.markdown and self._guessed_heading(i, line):
                self._guessed(pos, line.strip())
            else:
                self._content(pos, line)
        self._close(len(self.text))
        return self.blocks

    def _guessed_heading(self, i: int, line: str) -> bool:
        prev_blank = i == 0 or not self.lines[i - 1][1].strip()
        next_blank = i + 1 >= len(self.lines) or not self.lines[i + 1][1].strip()
        loose = not self.blank_separated
        return _plain_heading(line, prev_blank or loose, next_blank or loose)

    def _enter(self, heading: tuple[int, str]) -> None:
        self.path = [h for h in self.path if h[0] < heading[0]] + [heading]

    def _guessed(self, pos: int, heading: str) -> None:
        if self.body or self.table:
            self._close(pos)
        self._enter((1, heading))
        if self.start is None:
            self._open(pos, False)
        self.run.append(heading)  # a run of guessed headings opens one block

    def _content(self, pos: int, line: str) -> None:
        is_table = bool(_TABLE_ROW.match(line))
        if not line.strip():
            if self.table:
                self._close(pos)
            return
        if self.start is not None and is_table and not self.table and not self.body:
            self.table = True  # guessed headings right above a table are its caption
        if self.start is not None and is_table != self.table:
            self._close(pos)
        if self.start is None:
            self._open(pos, is_table)
        self.body = True

    def _open(self, pos: int, is_table: bool) -> None:
        self.start, self.table, self.opened_under = pos, is_table, tuple(h for _, h in self.path)

    def _close(self, end: int) -> None:
        if self.start is not None and self.text[self.start:end].strip():
            # A run of guessed headings mixes slide labels ("API 开放平台") with the real title
            # ("MiniMax——融资 & 团队"); the last few, nearest the text, make its section.
            section = tuple(self.run[-MAX_GUESSED_PATH:]) if self.run else self.opened_under
            self.blocks.append(_Block(section, self.start, end, self.table))
        self.start, self.body = None, False
        self.run.clear()


def _nest_tables(blocks: list[_Block]) -> list[_Block]:
    """Put a table under the section of the text before it.

    A slide titled "融资历程" below "MiniMax——融资 & 团队" is MiniMax's funding history, and its rows
    never name MiniMax.
    """
    nested = list(blocks)
    for i, block in enumerate(blocks[1:], 1):
        outer = blocks[i - 1].path
        if block.is_table and outer and block.path and outer[-1] not in block.path:
            nested[i] = _Block((outer[-1], *block.path[-1:]), block.start, block.end, True)
    return nested


def _merge_small(blocks: list[_Block], text: str, small: int = 40, fragment: int = 200) -> list[_Block]:
    """Join short prose blocks (a slide's "服务企业客户 / 30 万+") to the next one instead of losing them.

    Fragments of labels and figures too thin to be a passage alone join too, up to ``fragment`` characters;
    longer ones (an OCR'd table of contents) are still dropped as noise.
    """
    def short_prose(b: _Block) -> bool:
        size = len(compact(text[b.start:b.end]))
        return not b.is_table and (size < small or (size < fragment and not _is_meaningful(text[b.start:b.end])))

    merged: list[_Block] = []
    for block in blocks:
        prev = merged[-1] if merged else None
        if prev and short_prose(prev) and not text[prev.end:block.start].strip():
            # Before a table, the short text becomes its caption (see ``_table_pieces``).
            merged[-1] = _Block(block.path, prev.start, block.end, block.is_table)
        else:
            merged.append(block)
    if len(merged) >= 2 and short_prose(merged[-1]) and not merged[-2].is_table \
            and not text[merged[-2].end:merged[-1].start].strip():
        last = merged.pop()  # a closing line ("(來源:上海證券報)") joins the paragraph before it
        merged[-1] = _Block(merged[-1].path, merged[-1].start, last.end, False)
    return merged


def _table_pieces(text: str, block: _Block, size: int) -> Iterator[tuple[str, int, int]]:
    """Split a markdown table by rows, repeating the header row in every piece; a caption opens the first."""
    rows = [(pos + block.start, line) for pos, line in _lines(text[block.start:block.end]) if line.strip()]
    lead = next((n for n, (_, line) in enumerate(rows) if _TABLE_ROW.match(line)), len(rows))
    caption, rows = rows[:lead], rows[lead:]
    if caption:
        # The caption opens the first piece only: it may hold figures of its own, and repeating them would
        # make every piece look alike. A blank line keeps it from reading as part of the table.
        pieces = _table_pieces_of(rows, block, size - sum(len(r) + 1 for _, r in caption))
        first = next(pieces, None)
        if first is not None:
            yield "\n".join(r for _, r in caption) + "\n\n" + first[0], caption[0][0], first[2]
            yield from pieces
        return
    yield from _table_pieces_of(rows, block, size)


def _table_pieces_of(rows: list[tuple[int, str]], block: _Block, size: int) -> Iterator[tuple[str, int, int]]:
    header: list[str] = []
    body = rows
    if len(rows) >= 2 and _TABLE_RULE.match(rows[1][1]):
        # A short rule keeps the markdown valid without spending the size budget on dashes.
        columns = max(rows[0][1].strip().count("|") - 1, 1)
        header, body = [rows[0][1], "|" + " --- |" * columns], rows[2:]
    elif rows:
        header, body = [rows[0][1]], rows[1:]
    body = [(p, r) for p, r in body if not _TABLE_RULE.match(r)]
    if not body:
        if header:
            yield "\n".join(header), block.start, block.end
        return
    head_text = "\n".join(header)
    piece: list[tuple[int, str]] = []
    for pos, row in body:
        if piece and len(head_text) + sum(len(r) + 1 for _, r in piece) + len(row) > size:
            yield head_text + "\n" + "\n".join(r for _, r in piece), piece[0][0], piece[-1][0] + len(piece[-1][1])
            piece = []
        piece.append((pos, row))
    yield head_text + "\n" + "\n".join(r for _, r in piece), piece[0][0], piece[-1][0] + len(piece[-1][1])


_CJK_SENTENCE = re.compile(f"[{CJK}]{{6,}}")
_WORDS = re.compile(r"[A-Za-z]{2,}")


def _is_meaningful(text: str) -> bool:
    """Near-empty chunks (page numbers, OCR'd tables of contents) would only crowd out real passages."""
    letters = sum(1 for c in compact(text) if c.isalnum())
    if letters < MIN_CHUNK_CHARS:
        return False
    is_table = any(_TABLE_ROW.match(line) for line in text.split("\n"))
    return is_table or bool(_CJK_SENTENCE.search(text)) or len(_WORDS.findall(text)) >= 6


def chunk_document(doc: Document, chunk_size: int = 400, chunk_overlap: int = 60) -> list[Chunk]:
    """Split a document into short citable chunks that know their title, heading path and offsets."""
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        separators=_SEPARATORS,
        keep_separator="end",
        add_start_index=True,
    )
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for block in _blocks(doc.text):
        section = " > ".join(block.path)
        if block.is_table:
            pieces = list(_table_pieces(doc.text, block, chunk_size))
        else:
            span = doc.text[block.start:block.end]
            pieces = [
                (d.page_content, block.start + d.metadata["start_index"],
                 block.start + d.metadata["start_index"] + len(d.page_content))
                for d in splitter.create_documents([span])
            ]
        for text, start, end in pieces:
            key = compact(text)
            if key in seen or not _is_meaningful(text):
                continue
            seen.add(key)
            chunks.append(Chunk(
                chunk_id=f"{doc.doc_id}#{len(chunks)}",
                doc_id=doc.doc_id,
                title=doc.title,
                source=doc.source,
                date=doc.date,
                section=section,
                text=text,
                start=start,
                end=end,
            ))
    return chunks
