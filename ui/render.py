"""HTML for the chat: questions, answers with citation cards, errors, the retrieval trace and the source viewer.

Every piece of text that comes from a document, a question or an answer is HTML-escaped here, and the
only links made from document data are ``http(s)`` URLs. The chatbot sanitizes messages again as a second
line of defence, which also strips ``data-*`` attributes: what the page script needs travels in ``href``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from common.settings import ROOT
from qa.tables import is_row, row_header, row_html, tables_to_html
from qa.types import Answer
from retrieve.passage import Passage
from ui.text import t, ui_language

VIEW_PREFIX = "#qa-src?"
_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\]")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_BULLET = re.compile(r"^\s*[-*•]\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_HEADING_LINE = re.compile(r"(^|\n)#{1,6} ([^\n<]+)(?=\n|$)")
_BLANK_LINES = re.compile(r"\n[ \t\u3000]*(?:\n[ \t\u3000]*)+")
_HTML_LANG = {"zh": "zh-Hans", "zh-Hant": "zh-Hant", "en": "en"}
# The checker appends " ⚠" to an LLM answer sentence its cited passages do not support; the sentence
# starts after the previous sentence end (with its markers) on the same line.
_FLAG = re.compile(r"\s*⚠")
_SENTENCE_END = re.compile(r"(?:[。！？!?]|\.(?=\s|$))(?:\s*\[\d{1,3}(?:\s*[,，、]\s*\d{1,3})*\])*\s*")
_LINE_START = re.compile(r"\s*(?:[-*•]\s+|#{1,6}\s+)?")
_OPEN_FLAG, _CLOSE_FLAG = "\ue000", "\ue001"  # private-use placeholders, replaced after escaping


class Document(Protocol):
    """What the viewer needs of a cleaned article (``index.documents[doc_id]``)."""

    title: str
    source: str
    date: str | None
    text: str


def esc(value: object) -> str:
    """HTML-escape any value, quotes included, so it is safe in text and in quoted attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def is_web_url(source: str | None) -> bool:
    """True only for absolute ``http``/``https`` URLs with a host; nothing else may become a link."""
    if not source or any(c.isspace() or c in "\"'<>`" for c in source.strip()):
        return False
    parts = urlsplit(source.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def display_source(source: str | None) -> str:
    """A short readable form: host and path for URLs, the path relative to the project for files."""
    if not source:
        return ""
    if is_web_url(source):
        parts = urlsplit(source.strip())
        shown = (parts.hostname or "") + parts.path.rstrip("/")
        return shown if len(shown) <= 60 else shown[:57] + "…"
    try:
        return str(Path(source).resolve().relative_to(ROOT))
    except (ValueError, OSError):
        return source


def source_html(source: str | None, language: str) -> str:
    """The source as a safe link for http(s) URLs, or as plain (escaped) text for paths and anything else."""
    if not source:
        return ""
    if is_web_url(source):
        url = source.strip()
        return (f'<a class="qa-link" href="{esc(url)}" target="_blank" rel="noopener noreferrer nofollow" '
                f'title="{esc(url)}">{esc(display_source(url))}</a>')
    return f'<span class="qa-path" title="{esc(source)}">{esc(display_source(source))}</span>'


def _merge(spans: Iterable[tuple[int, int, str]], length: int) -> list[tuple[int, int, str]]:
    """Clamp, sort and de-overlap ``(start, end, css_class)`` spans; an earlier span wins a tie."""
    out: list[tuple[int, int, str]] = []
    for start, end, cls in sorted((max(0, s), min(length, e), c) for s, e, c in spans):
        if out and start < out[-1][1]:
            start = out[-1][1]
        if start < end:
            out.append((start, end, cls))
    return out


def highlight(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """Escape ``text`` and wrap each ``(start, end, css_class)`` character span in ``<mark>``."""
    parts: list[str] = []
    pos = 0
    for start, end, cls in _merge(spans, len(text)):
        parts.append(esc(text[pos:start]))
        parts.append(f'<mark class="{esc(cls)}">{esc(text[start:end])}</mark>')
        pos = end
    parts.append(esc(text[pos:]))
    return "".join(parts)


def find_spans(text: str, sentences: Iterable[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """Where each ``(sentence, css_class)`` first occurs verbatim in ``text``; sentences not found are skipped."""
    spans = []
    for sentence, cls in sentences:
        at = text.find(sentence) if sentence else -1
        if at >= 0:
            spans.append((at, at + len(sentence), cls))
    return spans


def card_id(turn: int, number: int) -> str:
    """The element id of citation card ``number`` of answer ``turn``; markers link to it."""
    return f"qa-t{turn}-c{number}"


def viewer_href(doc_id: str, start: int, end: int, marks: Sequence[tuple[int, int]], language: str) -> str:
    """The link that opens the source viewer; the page script reads it (no data attributes survive)."""
    query = {"d": doc_id, "s": int(start), "e": int(end), "l": ui_language(language)}
    if marks:
        query["h"] = ",".join(f"{int(a)}-{int(b)}" for a, b in marks)
    return VIEW_PREFIX + urlencode(query, quote_via=quote)


def parse_viewer_href(href: str) -> tuple[str, int, int, list[tuple[int, int]], str]:
    """Inverse of :func:`viewer_href`: doc id, passage start and end, sentence spans, interface language."""
    query = parse_qs(href.split("?", 1)[-1])

    def one(key: str, default: str = "") -> str:
        return query.get(key, [default])[0]

    return one("d"), _int(one("s")), _int(one("e")), parse_marks(one("h")), ui_language(one("l", "en"))


def parse_marks(value: str) -> list[tuple[int, int]]:
    """``"3-9,20-31"`` into ``[(3, 9), (20, 31)]``, ignoring anything malformed."""
    marks = []
    for item in (value or "").split(",")[:20]:
        a, _, b = item.partition("-")
        if a.strip().isdigit() and b.strip().isdigit():
            marks.append((int(a), int(b)))
    return marks


def _int(value: object) -> int:
    try:
        return int(float(str(value)))
    except (TypeError, ValueError):
        return 0


def _lang_attr(language: str) -> str:
    return _HTML_LANG.get(language, "en")


# ---------------------------------------------------------------------------------------------- chat


def render_question(question: str, language: str) -> str:
    """The user's message, shown as literal text (markup in it is never interpreted)."""
    text = question.strip()
    if not text:
        return f'<div class="qa-q qa-muted">{esc(t("empty_question", language))}</div>'
    lines = "<br>".join(esc(line) for line in text.splitlines())
    return f'<div class="qa-q">{lines}</div>'


def render_pending(language: str) -> str:
    """Shown in the assistant bubble until the first partial answer arrives."""
    return f'<div class="qa-answer qa-pending"><span class="qa-dots"></span>{esc(t("searching", language))}</div>'


def render_error(message: str, language: str, *, invalid: bool = False) -> str:
    """A readable error in the chat (never a traceback)."""
    lead = t("invalid_question" if invalid else "error", language)
    return f'<div class="qa-error" role="alert"><span class="qa-error-icon">⚠</span>{esc(lead)}{esc(message)}</div>'


def render_notice(key: str, language: str) -> str:
    """A problem with the page's own settings (an interface string), shown in the chat like an error."""
    return f'<div class="qa-error" role="alert"><span class="qa-error-icon">⚠</span>{esc(t(key, language))}</div>'


def render_internal_error(language: str) -> str:
    """The message for an unexpected exception; the details go to the log only."""
    message = esc(t("internal_error", language))
    return f'<div class="qa-error" role="alert"><span class="qa-error-icon">⚠</span>{message}</div>'


def _link_markers(escaped_line: str, count: int, turn: int) -> str:
    def link(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*[,，、]\s*", match.group(1))]
        if not all(1 <= n <= count for n in numbers):
            return match.group(0)
        return "".join(f'<a class="qa-ref" href="#{card_id(turn, n)}">[{n}]</a>' for n in numbers)

    return _MARKER.sub(link, escaped_line)


def _mark_flagged(line: str) -> str:
    """Wrap each sentence of one line followed by ``⚠`` in placeholders (raw text; escaping comes later)."""
    out: list[str] = []
    pos = 0
    for flag in _FLAG.finditer(line):
        segment = line[pos:flag.start()]
        starts = [m.end() for m in _SENTENCE_END.finditer(segment) if m.end() < len(segment)]
        start = starts[-1] if starts else _LINE_START.match(segment).end() if pos == 0 else 0
        out.append(f"{segment[:start]}{_OPEN_FLAG}{segment[start:]}{_CLOSE_FLAG}")
        pos = flag.end()
    out.append(line[pos:])
    return "".join(out)


def render_answer_text(text: str, passage_count: int, turn: int, *, flagged: bool = False,
                       language: str = "en") -> str:
    """The answer's lines as paragraphs and lists, escaped, with ``[n]`` markers linking to the cards.

    With ``flagged`` (the answer has unsupported citations) sentences marked ``⚠`` are styled as unsupported.
    """
    text = text.replace(_OPEN_FLAG, "").replace(_CLOSE_FLAG, "")
    blocks: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if items:
            blocks.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
            items.clear()

    for raw in text.split("\n"):
        if not raw.strip():
            flush()
            continue
        if flagged:
            raw = _mark_flagged(raw)
        bullet = _BULLET.match(raw)
        line = raw[bullet.end():] if bullet else _HEADING.sub("", raw).strip()
        line = _BOLD.sub(r"<strong>\1</strong>", esc(line))
        line = _link_markers(line, passage_count, turn)
        if bullet:
            items.append(line)
        else:
            flush()
            blocks.append(f"<p>{line}</p>")
    flush()
    out = "".join(blocks)
    if flagged:
        title = esc(t("unsupported", language))
        out = (out.replace(_OPEN_FLAG, f'<span class="qa-unsupported" title="{title}">')
               .replace(_CLOSE_FLAG, f'</span> <span class="qa-flag" title="{title}">⚠</span>'))
    return out


def _document_marks(passage: Passage, sentences: Sequence[str], documents: Mapping[str, Document] | None,
                    ) -> list[tuple[int, int]]:
    """Offsets of the cited sentences in the whole article (for the viewer), inside the passage's span."""
    doc = documents.get(passage.doc_id) if documents else None
    if doc is None:
        return []
    span = doc.text[passage.start:passage.end]
    return [(passage.start + a, passage.start + b) for a, b, _ in find_spans(span, ((s, "") for s in sentences))]


def _cited_rows(passage: Passage, sentences: Sequence[str], documents: Mapping[str, Document] | None) -> str:
    """Each quoted table row with its header, as a small table above the passage."""
    doc = documents.get(passage.doc_id) if documents else None
    tables = [row_html(row_header(s, passage.text, doc.text if doc else ""), s, mark=True)
              for s in sentences if is_row(s)]
    return "".join(f'<div class="qa-row qa-scroll">{table}</div>' for table in tables if table)


def render_card(answer: Answer, number: int, turn: int, language: str,
                documents: Mapping[str, Document] | None = None) -> str:
    """Citation card ``number``: title, date, section, source, the passage with cited sentences marked."""
    passage = answer.passages[number - 1]
    # An LLM answer's sentences keep their "[n]" markers; a sentence it quoted is found without them.
    cited = [(_MARKER.sub("", c.sentence).strip(), "qa-cite" if c.supported else "qa-cite qa-weak")
             for c in answer.citations if c.number == number]
    # Paragraph breaks inside a short passage only add height; one line break reads better in a card.
    body = tables_to_html(_BLANK_LINES.sub("\n", highlight(passage.text, find_spans(passage.text, cited)).strip()))
    rows = _cited_rows(passage, [s for s, _ in cited], documents)
    date = passage.date or t("undated", language)
    flag = ""
    if any(not c.supported for c in answer.citations if c.number == number):
        flag = f'<span class="qa-flag" title="{esc(t("card_unsupported", language))}">⚠</span>'
    meta = [f'<span class="qa-date">{esc(date)}</span>']
    if passage.section and passage.section != passage.title:
        meta.append(f'<span class="qa-section">{esc(passage.section)}</span>')
    source = source_html(passage.source, language)
    href = viewer_href(passage.doc_id, passage.start, passage.end,
                       _document_marks(passage, [s for s, _ in cited], documents), language)
    return (
        f'<div class="qa-card" id="{card_id(turn, number)}">'
        f'<div class="qa-card-head"><span class="qa-num">{number}</span>'
        f'<span class="qa-title">{esc(passage.title)}</span>{flag}</div>'
        f'<div class="qa-meta">{"<span class=qa-dot>·</span>".join(meta)}</div>'
        f'{rows}<div class="qa-passage">{body}</div>'
        f'<div class="qa-card-foot"><span class="qa-source">{source}</span>'
        f'<a class="qa-view" href="{esc(href)}">{esc(t("view_source", language))} →</a></div>'
        "</div>"
    )


def render_answer(answer: Answer, turn: int, language: str,
                  documents: Mapping[str, Document] | None = None) -> str:
    """A whole assistant message: the answer text, any notes, then the numbered citation cards."""
    lang = _lang_attr(answer.language)
    notes = ""
    if answer.notes:
        notes = '<div class="qa-notes" role="note">' + "".join(f"<p>ⓘ {esc(n)}</p>" for n in answer.notes) + "</div>"
    if answer.abstained:
        return f'<div class="qa-answer qa-abstain" lang="{lang}"><p>{esc(answer.text.strip())}</p>{notes}</div>'
    flagged = any(not c.supported for c in answer.citations)
    # Streaming answers are marked busy so assistive technology (and tests) wait for the final one.
    busy = "" if answer.complete else ' qa-streaming" aria-busy="true'
    parts = [f'<div class="qa-answer{busy}" lang="{lang}">',
             render_answer_text(answer.text, len(answer.passages), turn, flagged=flagged, language=language), notes]
    if answer.passages:
        parts.append(f'<div class="qa-cards"><div class="qa-cards-head">{esc(t("sources", language))}</div>')
        parts.extend(render_card(answer, n, turn, language, documents) for n in range(1, len(answer.passages) + 1))
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


# --------------------------------------------------------------------------------------------- trace


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(_fmt(v) for v in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "—" if value is None or value == "" else str(value)


def _cell(value: object) -> str:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return f"<td{' class=qa-n' if numeric else ''}>{esc(_fmt(value))}</td>"


def render_trace(answer: Answer | None, language: str, question: str = "") -> str:
    """The retrieval trace of the latest answer: query variants, per-passage scores and timings."""
    if answer is None:
        return f'<div class="qa-trace qa-muted">{esc(t("trace_empty", language))}</div>'
    trace = answer.trace or {}
    rows = [
        ("trace_for", trace.get("question", question)),
        ("trace_query", trace.get("retrieval_query")),
        ("trace_language", answer.language),
        ("trace_variants", trace.get("query_variants")),
        ("trace_entities", trace.get("entities")),
        ("trace_evidence", trace.get("answerable_probability")),
    ]
    parts = ['<div class="qa-trace"><table class="qa-kv">']
    parts.extend(f"<tr><th>{esc(t(key, language))}</th><td>{esc(_fmt(value))}</td></tr>" for key, value in rows)
    parts.append("</table>")
    timings = dict(trace.get("timings_ms") or {}) if isinstance(trace.get("timings_ms"), dict) else {}
    if "answer_ms" in trace:
        timings["answer_ms"] = trace["answer_ms"]
    if timings:
        parts.append(f"<h4>{esc(t('trace_timings', language))}</h4><table class='qa-kv'>")
        parts.extend(f"<tr><th>{esc(k)}</th><td>{esc(_fmt(v))}</td></tr>" for k, v in timings.items())
        parts.append("</table>")
    ranks = [r for r in trace.get("ranks") or () if isinstance(r, dict)]
    if ranks:
        cited = {p.chunk_id for p in answer.passages}
        columns = list(dict.fromkeys(k for r in ranks for k in r))
        parts.append(f"<h4>{esc(t('trace_ranks', language))}</h4><div class='qa-scroll'><table class='qa-ranks'>")
        parts.append("<tr><th>#</th>" + "".join(f"<th>{esc(c)}</th>" for c in columns) + "<th></th></tr>")
        for i, r in enumerate(ranks, 1):
            mark = esc(t("trace_cited", language)) if r.get("chunk_id") in cited else ""
            cells = "".join(_cell(r.get(c)) for c in columns)
            parts.append(f"<tr><td>{i}</td>{cells}<td class='qa-cited'>{mark}</td></tr>")
        parts.append("</table></div>")
    raw = json.dumps(trace, ensure_ascii=False, indent=1, default=str)
    parts.append(f"<details><summary>{esc(t('trace_raw', language))}</summary><pre>{esc(raw)}</pre></details>")
    parts.append("</div>")
    return "".join(parts)


# ------------------------------------------------------------------------------------ source viewer


def render_source(doc: Document | None, start: int, end: int, marks: Sequence[tuple[int, int]],
                  language: str) -> str:
    """The whole cleaned article with the passage ``[start, end)`` highlighted (``id="qa-hit"``).

    ``marks`` are the cited sentences (article offsets) inside the passage, marked more strongly.
    """
    if doc is None:
        return f'<div class="qa-source-view"><p class="qa-muted">{esc(t("viewer_missing", language))}</p></div>'
    text = doc.text
    start = max(0, min(int(start), len(text)))
    end = max(start, min(int(end), len(text)))
    head = (f'<div class="qa-sv-head"><div class="qa-sv-title">{esc(doc.title)}</div>'
            f'<div class="qa-meta"><span class="qa-date">{esc(doc.date or t("undated", language))}</span>'
            f'<span class="qa-dot">·</span><span class="qa-source">{source_html(doc.source, language)}</span></div>')
    if end > start:
        head += f'<div class="qa-sv-hint">{esc(t("viewer_hint", language))}</div>'
    head += "</div>"
    if end <= start:
        body = tables_to_html(esc(text))
        return f'<div class="qa-source-view">{head}<div class="qa-sv-text">{_headings(body)}</div></div>'
    inner = [(a - start, b - start, "qa-cite") for a, b in marks if start <= a < b <= end]
    body = (esc(text[:start]) + '<mark class="qa-hit" id="qa-hit">' + highlight(text[start:end], inner)
            + "</mark>" + esc(text[end:]))
    # Markdown tables read as tables; the highlight stays on the cells it covered.
    return f'<div class="qa-source-view">{head}<div class="qa-sv-text">{_headings(tables_to_html(body))}</div></div>'


def _headings(body: str) -> str:
    """Show markdown heading lines of the cleaned text (``### Title``) as bold lines; text is unchanged otherwise."""
    return _HEADING_LINE.sub(lambda m: f'{m.group(1)}<b class="qa-h">{m.group(2)}</b>', body)


def render_articles(documents: Mapping[str, Document], language: str) -> str:
    """The list of articles, each opening in the source viewer."""
    items = []
    for doc_id, doc in documents.items():
        href = viewer_href(doc_id, 0, 0, (), language)
        date = doc.date or t("undated", language)
        items.append(f'<li><a class="qa-view" href="{esc(href)}">{esc(doc.title)}</a>'
                     f' <span class="qa-muted">{esc(date)}</span> {source_html(doc.source, language)}</li>')
    return f'<ol class="qa-articles">{"".join(items)}</ol>'
