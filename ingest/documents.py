"""Read article files from a folder into clean :class:`Document` objects, skipping bad files loudly."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from common.errors import DocumentError
from ingest.clean import clean_text, date_from_url, meta_str, split_front_matter

log = logging.getLogger(__name__)

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
MAX_FILE_BYTES = 20 * 1024 * 1024
_ENCODINGS = ("utf-8-sig", "gb18030", "big5")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)
# The first link that is not an image: articles saved from the web cite their origin near the top.
_FIRST_URL = re.compile(r"(?<!!)\[[^\]]*\]\((https?://[^)\s]+)\)|<(https?://[^>\s]+)>")
_CAPTION = re.compile(r"^.{1,12}(?:制图|制圖|摄|攝|供图|供圖|图|圖)$")
_SENTENCE_END = re.compile(r"[。！？!?]")


@dataclass(frozen=True)
class Document:
    """One cleaned article; ``text`` is what users read and what chunk offsets point into."""

    doc_id: str
    path: str
    title: str
    source: str
    date: str | None
    text: str
    sha256: str


def is_caption(line: str) -> bool:
    """True for short image-credit lines such as ``郭晨凱 制圖``."""
    return bool(_CAPTION.match(line.strip()))


def _decode(data: bytes, name: str) -> str:
    if not data.strip():
        raise DocumentError(f"{name}: file is empty")
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError(f"{name}: looks like a binary file, not text")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DocumentError(f"{name}: has a UTF-16 byte-order mark but is not valid UTF-16") from exc
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\n\r\t\f")
        if controls > len(text[:8192]) * 0.01:
            raise DocumentError(f"{name}: looks like a binary file, not text")
        return text
    raise DocumentError(f"{name}: unknown text encoding (tried {', '.join(_ENCODINGS)})")


def _iso_day(value: str | None) -> str | None:
    """Keep the day of an ISO timestamp: readers compare articles by day, not by second."""
    if value and re.match(r"\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return value


def _derive_title(text: str, fallback: str) -> str:
    """A short first line stands for the title; otherwise the first heading, else the first sentence."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not is_caption(line)]
    if lines and not lines[0].startswith(("#", "-", "*", "|")) and len(lines[0]) <= 80:
        return lines[0]
    match = _HEADING.search(text)
    if match:
        return match.group(2).strip()
    if lines:
        sentence = _SENTENCE_END.split(lines[0].lstrip("#").strip(), maxsplit=1)[0]
        return sentence[:60].strip() or fallback
    return fallback


def load_document(path: Path) -> tuple[Document, list[str]]:
    """Load and clean one file; returns the document and non-fatal warnings.

    Raises :class:`DocumentError` when the file cannot be used at all.
    """
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{name}: cannot read ({exc.strerror or exc})") from exc
    if len(data) > MAX_FILE_BYTES:
        raise DocumentError(f"{name}: larger than {MAX_FILE_BYTES // 2**20} MiB")
    raw = _decode(data, name)
    warnings: list[str] = []
    meta, body, problem = split_front_matter(raw)
    if problem:
        warnings.append(f"{name}: {problem}")
    html_title = None
    if path.suffix.lower() in (".html", ".htm"):
        node = LexborHTMLParser(body).css_first("title")
        html_title = node.text(strip=True) if node else None
    text = clean_text(body)
    if len(text.strip()) < 10:
        raise DocumentError(f"{name}: no readable text after cleaning")
    url_match = _FIRST_URL.search(body[:3000])
    first_url = (url_match.group(1) or url_match.group(2)) if url_match else None
    source = meta_str(meta, "url", "source", "from", "link") or first_url or str(path)
    doc = Document(
        doc_id=path.stem,
        path=str(path),
        title=meta_str(meta, "title") or html_title or _derive_title(text, path.stem),
        source=source,
        date=_iso_day(meta_str(meta, "date", "published", "pubdate")) or date_from_url(source),
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return doc, warnings


def corpus_files(folder: Path) -> list[Path]:
    """The article files under ``folder``, in a stable order."""
    if not folder.is_dir():
        raise DocumentError(f"corpus folder {folder} does not exist")
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def iter_documents(files: Iterable[Path], warnings: list[str]) -> Iterator[Document]:
    """Load ``files`` lazily, one at a time; unusable files are skipped and appended to ``warnings``.

    Only the document being yielded is held, so a folder of any size is read in bounded memory.
    """
    seen: set[str] = set()
    for path in files:
        try:
            doc, doc_warnings = load_document(path)
        except DocumentError as exc:
            _warn(warnings, f"skipped {exc}")
            continue
        if doc.doc_id in seen:
            _warn(warnings, f"skipped {path.name}: another file already has the id {doc.doc_id}")
            continue
        seen.add(doc.doc_id)
        for message in doc_warnings:
            _warn(warnings, message)
        yield doc


def _warn(warnings: list[str], message: str) -> None:
    warnings.append(message)
    log.warning(message)


def load_corpus(folder: Path) -> tuple[list[Document], list[str]]:
    """Load every article under ``folder``; unusable files are skipped and reported as warnings."""
    warnings: list[str] = []
    docs = list(iter_documents(corpus_files(folder), warnings))
    return docs, warnings
