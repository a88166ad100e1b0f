"""Turn a raw article (front matter, markdown, raw HTML, OCR debris) into clean readable text."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date, datetime

import yaml
from selectolax.lexbor import LexborHTMLParser, LexborNode

from common.patterns import PINYIN_READING

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
# Mis-encoded closing punctuation ("。”" after a bad round trip, sometimes with a stray "</p>").
_BROKEN_PUNCT = re.compile(r"\?!\?/p>|\?!")
_HTML_HINT = re.compile(r"<(?:p|div|table|tr|td|br|img|span|strong|a|h[1-6]|ul|ol|li|script|style)\b", re.I)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:https?://|/)[^)]*\)")
_MD_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SETEXT_RULE = re.compile(r"^\s*(?:-{3,}|={3,}|\*{3,})\s*$", re.M)
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
_TREE_CHARS = re.compile(r"[├└│─]")
_BLANK_RUNS = re.compile(r"\n{3,}")
# "1.1.3 月之暗面": an entry of a slide deck's navigation bar, repeated on every page of a section.
_OUTLINE_ENTRY = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\s+\S.{0,30}$")
_URL_DATE = re.compile(r"/(20\d\d)[/-](\d\d)[/-](\d\d)/")

_BLOCK_TAGS = {"p", "div", "table", "tbody", "thead", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
               "section", "article", "blockquote", "figure", "figcaption", "header", "footer"}
_DROP_TAGS = {"script", "style", "noscript", "iframe", "svg", "head", "colgroup", "col"}
# Real articles nest a few dozen elements deep; broken or hostile pages nest thousands, which would
# exhaust Python's recursion limit. Below this depth a subtree is kept as plain text.
MAX_HTML_DEPTH = 150


def split_front_matter(raw: str) -> tuple[dict[str, object], str, str | None]:
    """Split YAML front matter from the body.

    Returns ``(metadata, body, problem)``; ``problem`` describes unparseable front matter, which is
    dropped so the article text itself is still indexed.
    """
    match = _FRONT_MATTER.match(raw)
    if not match:
        return {}, raw, None
    body = raw[match.end():]
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return {}, body, f"front matter is not valid YAML ({first_line}); ignored it"
    if not isinstance(meta, dict):
        return {}, body, "front matter is not a mapping; ignored it"
    return meta, body, None


def meta_str(meta: dict[str, object], *keys: str) -> str | None:
    """First non-empty metadata value among ``keys`` as a string (dates as ISO dates)."""
    for key in keys:
        value = meta.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def date_from_url(url: str | None) -> str | None:
    """Publication date embedded in a news URL such as ``/2025/02/04/``."""
    match = _URL_DATE.search(url or "")
    return "-".join(match.groups()) if match else None


def remove_pinyin(text: str) -> str:
    """Drop inline pinyin annotations such as ``個(gè)`` -> ``個``."""
    return PINYIN_READING.sub("", text)


def repair_punctuation(text: str) -> str:
    """Repair mis-encoded closing punctuation and drop replacement characters."""
    text = _BROKEN_PUNCT.sub("。”", text)
    return text.replace("\ufffd", "")


def html_to_text(body: str) -> str:
    """Render HTML fragments as plain text: blocks become lines, table rows become ``a | b`` lines."""
    if not _HTML_HINT.search(body):
        return body
    tree = LexborHTMLParser(f"<div>{body}</div>")
    root = tree.body or tree.root
    if root is None:
        return body
    parts: list[str] = []
    _render(root, parts)
    return "".join(parts)


def _render(node: LexborNode, out: list[str], depth: int = 0) -> None:
    if depth > MAX_HTML_DEPTH:
        out.append(node.text(deep=True, separator="\n") or "")
        return
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            out.append(child.text_content or "")
        elif tag in _DROP_TAGS or tag in {"-comment", "img"}:
            # Images carry no text a reader could quote; their alt text is usually empty or a file name.
            continue
        elif tag == "br":
            out.append("\n")
        elif tag == "table":
            out.append("\n" + _render_table(child) + "\n")
        elif tag in _BLOCK_TAGS:
            inner: list[str] = []
            _render(child, inner, depth + 1)
            text = "".join(inner).strip()
            if text:
                if tag == "p" and _is_bold_only(child, text):
                    # A paragraph that is only bold text works as a subheading in these articles.
                    text = f"### {text}"
                elif tag.startswith("h") and tag[1:].isdigit():
                    text = "#" * int(tag[1:]) + " " + text
                out.append("\n" + text + "\n")
        else:
            _render(child, out, depth + 1)


def _is_bold_only(node: LexborNode, text: str) -> bool:
    bold = "".join((b.text() or "") for b in node.css("strong, b")).strip()
    return bool(bold) and bold == text and len(text) <= 40


def _render_table(table: LexborNode) -> str:
    rows = []
    for tr in table.css("tr"):
        cells = [" ".join(td.text(separator=" ").split()) for td in tr.css("th, td")]
        if any(cells):
            rows.append(" | ".join(c for c in cells if c))
    return "\n".join(rows)


def _drop_tree_fences(text: str) -> str:
    # Box-drawing outlines repeat the headings; as text they only add keyword noise to retrieval.
    return _FENCE.sub(lambda m: "" if _TREE_CHARS.search(m.group(1)) else m.group(1), text)


def drop_navigation(text: str) -> str:
    """Remove a slide deck's navigation bars, which name every company on every page.

    Only in a document whose outline entries repeat (the bar, page after page): there every entry goes,
    the current page's marker ("1.1.3 月之暗面：") too. Elsewhere a numbered heading is part of the
    article, and a timeline's dates (``2023.07.17 深度求索成立``) are never outline numbers.
    """
    lines = text.split("\n")
    entries = Counter(line for line in lines if _OUTLINE_ENTRY.match(line))
    if not entries or max(entries.values()) < 2:
        return text
    return "\n".join(line for line in lines if not _OUTLINE_ENTRY.match(line))


def clean_text(body: str) -> str:
    """Full cleaning pipeline for an article body; the result is what users see and cite."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _HTML_COMMENT.sub("", text)
    text = html_to_text(text)
    text = text.replace("\xa0", " ").replace("\u3000", " ")
    text = remove_pinyin(text)
    text = repair_punctuation(text)
    text = _drop_tree_fences(text)
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
    text = _SETEXT_RULE.sub("", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = drop_navigation(text)
    return _BLANK_RUNS.sub("\n\n", text).strip()
