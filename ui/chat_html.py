"""HTML for the chat's states around an answer: what it is waiting for, queued, stopped, and its actions.

Also the page script for "copy with sources" and the trace's passage titles and snippets. Everything from
a question, answer or document is escaped (:func:`ui.render.esc`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from qa.types import Answer
from ui.render import esc
from ui.text import t

SNIPPET_CHARS = 60


def render_status(key: str, language: str) -> str:
    """The assistant bubble while nothing is written yet: searching, rewriting, waiting for the model."""
    return (f'<div class="qa-answer qa-pending" role="status"><span class="qa-dots"></span>'
            f"{esc(t(key, language))}</div>")


def render_queued(position: int, language: str) -> str:
    """Added to a question waiting behind the current answer."""
    return f'<div class="qa-queued" role="status">{esc(t("queued", language, n=position))}</div>'


def stopped_mark(language: str, *, empty: bool) -> str:
    """Appended to an answer the reader stopped (or shown alone when nothing had been written)."""
    return f'<div class="qa-stopped" role="note">■ {esc(t("stopped_empty" if empty else "stopped", language))}</div>'


def actions(language: str) -> str:
    """The links under a finished answer; the page script handles them (the sanitizer keeps only hrefs)."""
    return (f'<div class="qa-actions"><a class="qa-copy" href="#qa-copy" title="{esc(t("copy_title", language))}">'
            f'{esc(t("copy", language))}</a></div>')


def with_titles(answer: Answer, chunk: Callable[[str], object | None]) -> Answer:
    """``answer`` whose trace ranks also show each passage's title and the start of its text."""
    trace = answer.trace or {}
    ranks = trace.get("ranks")
    if not isinstance(ranks, list) or not ranks:
        return answer
    out = []
    for rank in ranks:
        if not isinstance(rank, dict):
            continue
        found = chunk(str(rank.get("chunk_id", "")))
        text = " ".join(str(getattr(found, "text", "")).split())
        extra = {"title": getattr(found, "title", "") or "",
                 "snippet": text[:SNIPPET_CHARS] + ("…" if len(text) > SNIPPET_CHARS else "")}
        out.append({"chunk_id": rank.get("chunk_id"), **extra, **{k: v for k, v in rank.items() if k != "chunk_id"}})
    return replace(answer, trace={**trace, "ranks": out})


# Copies the answer (without its cards) and a numbered list of its sources. Runs once per page.
COPY_JS = """
(() => {
  if (window.__qaCopy) return;
  window.__qaCopy = true;
  const copyText = async (text) => {
    try { await navigator.clipboard.writeText(text); return true; } catch (e) {
      const area = document.createElement('textarea');
      area.value = text; area.style.position = 'fixed'; area.style.opacity = '0';
      document.body.appendChild(area); area.select();
      const ok = document.execCommand('copy'); area.remove(); return ok;
    }
  };
  document.addEventListener('click', async (event) => {
    const link = event.target.closest && event.target.closest('a.qa-copy');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const message = link.closest('.message-content, .message, .bot') || link.parentElement.parentElement;
    const answer = message && message.querySelector('.qa-answer');
    if (!answer) return;
    const parts = [];
    answer.querySelectorAll(':scope > p, :scope > ul > li, :scope > .qa-notes p').forEach((el) => {
      parts.push((el.tagName === 'LI' ? '- ' : '') + el.innerText.trim());
    });
    const cards = answer.querySelectorAll('.qa-card');
    if (cards.length) {
      parts.push('');
      parts.push(answer.querySelector('.qa-cards-head')?.textContent.trim() || 'Sources');
      cards.forEach((card) => {
        const num = card.querySelector('.qa-num')?.innerText.trim();
        const title = card.querySelector('.qa-title')?.innerText.trim();
        const date = card.querySelector('.qa-date')?.innerText.trim();
        const link = card.querySelector('.qa-source a');
        const source = link ? link.getAttribute('href') : (card.querySelector('.qa-source')?.innerText.trim() || '');
        parts.push(`[${num}] ${title} (${date})${source ? ' ' + source : ''}`);
      });
    }
    const ok = await copyText(parts.join('\\n'));
    const label = link.innerText;
    link.innerText = ok ? '✓ ' + label : label;
    link.classList.add('qa-copied');
    setTimeout(() => { link.innerText = label; link.classList.remove('qa-copied'); }, 1500);
  }, true);
})();
"""

CSS = """
.qa-actions { margin-top: 6px; font-size: 0.85em; }
.qa-actions a { text-decoration: none !important; color: var(--body-text-color-subdued) !important;
  border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 2px 8px; }
.qa-actions a:hover, .qa-actions a.qa-copied { color: var(--color-accent) !important;
  border-color: var(--color-accent); }
.qa-stopped { margin-top: 6px; font-size: 0.85em; color: #b45309; }
.qa-queued { font-size: 0.82em; font-style: italic; color: var(--body-text-color-subdued); margin-top: 4px; }
#qa-stop { min-width: 88px; }
#qa-feedback-row { align-items: flex-end; }
@media (max-width: 640px) {
  #qa-header p { display: none; }
  #qa-header h1 { font-size: 1.2rem; margin: 0; }
  #qa-topbar { gap: 4px; }
  #qa-chat { height: 46vh !important; min-height: 240px !important; }
}
"""
