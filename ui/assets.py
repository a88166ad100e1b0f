"""Look and behaviour of the page: the theme, the stylesheet and the source-viewer script."""

from __future__ import annotations

import gradio as gr

# Local fonts only (the app runs offline): system UI fonts first, then the common CJK families.
FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "PingFang SC",
         "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
         "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "WenQuanYi Micro Hei Mono", "monospace"]


def theme() -> gr.themes.Base:
    """A calm theme with local CJK-capable fonts (no web fonts are fetched)."""
    return gr.themes.Soft(primary_hue="indigo", secondary_hue="slate", neutral_hue="slate",
                          font=FONTS, font_mono=MONO_FONTS)


CSS = """
.gradio-container { max-width: 1000px !important; margin: 0 auto !important; }
/* Gradio scopes rules inside @media to the app's content, so the page padding is set here, fluidly. */
.gradio-container > .main { padding-left: clamp(8px, 2.5vw, 32px) !important;
  padding-right: clamp(8px, 2.5vw, 32px) !important; }
.gradio-container, .gradio-container button, .gradio-container textarea, .gradio-container input {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", "Hiragino Sans GB",
    "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif;
}
#qa-header h1 { font-size: 1.6rem; margin: 0.2rem 0 0.3rem; line-height: 1.3; }
#qa-header p { margin: 0; color: var(--body-text-color-subdued); line-height: 1.6; }
#qa-topbar { align-items: flex-end; gap: 12px; }
#qa-lang { flex-grow: 0 !important; min-width: 190px !important; }
#qa-chat .message-content, #qa-chat .message { line-height: 1.7; }
#qa-chat .message-row.bot-row { max-width: 100% !important; margin-left: 12px !important;
  margin-right: 12px !important; }
#qa-chat .message-row.bot-row .message.bot { width: 100%; box-sizing: border-box; }
/* The chatbot's own trash icon sits on top of the messages; the "Clear chat" button does the same job. */
#qa-chat .icon-button-wrapper.top-panel { display: none !important; }
#qa-input textarea { font-size: 1rem; }
#qa-send { min-width: 88px; }

.qa-q { white-space: normal; overflow-wrap: anywhere; }
.qa-muted { color: var(--body-text-color-subdued); }
.qa-answer { overflow-wrap: anywhere; }
.qa-answer p { margin: 0 0 0.4em; }
.qa-answer ul { margin: 0.2em 0 0.6em; padding-left: 1.3em; }
.qa-answer li { margin: 0.25em 0; }
.qa-abstain p { margin: 0; }
.qa-pending { color: var(--body-text-color-subdued); font-style: italic; }
.qa-ref { text-decoration: none !important; font-weight: 600; font-size: 0.85em; vertical-align: 0.15em;
  color: var(--color-accent) !important; padding: 0 1px; cursor: pointer; }
.qa-ref:hover { text-decoration: underline !important; }
.qa-notes { font-size: 0.88em; margin: 0.5em 0; padding: 6px 10px; border-left: 3px solid #f59e0b;
  background: rgba(245, 158, 11, 0.1); border-radius: 4px; }
.qa-notes p { margin: 0.15em 0; }
.qa-unsupported { background: rgba(245, 158, 11, 0.16); text-decoration: underline wavy #d97706;
  text-decoration-thickness: 1px; text-underline-offset: 3px; border-radius: 2px; }
.qa-flag { color: #b45309; font-weight: 700; cursor: help; margin-left: 2px; }
.qa-card-head .qa-flag { margin-left: auto; flex: none; }
#qa-llm-hint, #qa-llm-hint p { font-size: 0.85rem; color: var(--body-text-color-subdued); line-height: 1.6;
  margin: 0; }
.qa-error { border-left: 4px solid #dc2626; background: rgba(220, 38, 38, 0.08); padding: 8px 12px;
  border-radius: 6px; overflow-wrap: anywhere; }
.qa-error-icon { margin-right: 6px; color: #dc2626; }

.qa-cards { margin-top: 0.8em; display: flex; flex-direction: column; gap: 10px; }
.qa-cards-head { font-size: 0.8em; font-weight: 600; letter-spacing: 0.04em; text-transform: uppercase;
  color: var(--body-text-color-subdued); }
.qa-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 12px;
  background: var(--background-fill-primary); cursor: pointer; min-width: 0; max-width: 100%;
  box-sizing: border-box; transition: box-shadow 0.15s, border-color 0.15s; }
.qa-card:hover { border-color: var(--color-accent); box-shadow: 0 1px 6px rgba(0, 0, 0, 0.08); }
.qa-card.qa-flash { border-color: var(--color-accent); box-shadow: 0 0 0 3px rgba(99, 102, 241, 0.35); }
.qa-card-head { display: flex; gap: 8px; align-items: baseline; }
.qa-num { flex: none; display: inline-flex; align-items: center; justify-content: center; min-width: 1.5em;
  height: 1.5em; border-radius: 999px; background: var(--color-accent); color: #fff; font-size: 0.8em;
  font-weight: 700; }
.qa-title { font-weight: 600; line-height: 1.45; overflow-wrap: anywhere; }
.qa-meta { font-size: 0.82em; color: var(--body-text-color-subdued); margin: 2px 0 6px;
  overflow-wrap: anywhere; }
.qa-dot { margin: 0 6px; }
.qa-passage { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.92em; line-height: 1.7;
  background: var(--background-fill-secondary); border-left: 3px solid var(--color-accent-soft, #c7d2fe);
  padding: 6px 10px; border-radius: 4px; max-height: 16em; overflow-y: auto; }
.qa-card-foot { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 4px 12px;
  margin-top: 6px; font-size: 0.85em; }
.qa-source { min-width: 0; overflow-wrap: anywhere; color: var(--body-text-color-subdued); }
.qa-path { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.95em; }
.qa-view { font-weight: 600; white-space: nowrap; text-decoration: none !important; }
.qa-view:hover { text-decoration: underline !important; }
mark.qa-cite, mark.qa-hit .qa-cite { background: #fde68a; color: #1f2937; border-radius: 2px; padding: 0 1px; }
mark.qa-weak { background: #e5e7eb; text-decoration: underline dashed #9ca3af; }

.qa-trace { font-size: 0.88em; }
.qa-trace h4 { margin: 0.8em 0 0.3em; font-size: 0.95em; }
.qa-trace table { border-collapse: collapse; width: 100%; }
.qa-trace table, .qa-trace tr { border: none !important; }
.qa-trace th, .qa-trace td { border: none !important; border-bottom: 1px solid var(--border-color-primary) !important;
  padding: 3px 6px;
  text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.qa-kv th { width: 9em; color: var(--body-text-color-subdued); font-weight: 500; }
/* The chat bubble sizes itself to its content: a wide table would widen it past the chat, and the page on a
   phone. Contained, the table's width no longer counts; it scrolls inside the width the rest gives. */
.qa-scroll { overflow-x: auto; max-width: 100%; contain: inline-size; }
.qa-md-table, .qa-row-table { border-collapse: collapse; margin: 0.3em 0; font-size: 0.9em; line-height: 1.5;
  white-space: normal; }
.qa-md-table th, .qa-md-table td, .qa-row-table th, .qa-row-table td {
  border: 1px solid var(--border-color-primary) !important; padding: 2px 6px; text-align: left; vertical-align: top;
  overflow-wrap: normal; word-break: normal; }
.qa-md-table th, .qa-row-table th { background: var(--background-fill-secondary); font-weight: 600; }
.qa-row { margin: 4px 0 6px; }
.qa-row-table tr.qa-cite td { background: rgba(255, 200, 0, 0.22); }
.qa-ranks td, .qa-ranks th { font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.qa-ranks td.qa-n { white-space: nowrap; overflow-wrap: normal; }
#qa-trace, #qa-trace-html, #qa-articles, #qa-articles-html { min-width: 0; max-width: 100%; }
.qa-cited { color: var(--color-accent); font-weight: 600; }
.qa-trace pre { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 24em; overflow: auto; font-size: 0.9em; }
.qa-articles { margin: 0; padding-left: 1.4em; line-height: 1.8; }
.qa-articles .qa-link, .qa-articles .qa-path { font-size: 0.85em; }

#qa-viewer { min-height: 0 !important; padding: 0 !important; margin: 0 !important; }
.qa-viewer { display: none; }
.qa-viewer.qa-open { display: flex; position: fixed; inset: 0; z-index: 1000; background: rgba(15, 23, 42, 0.55);
  align-items: center; justify-content: center; padding: 12px; box-sizing: border-box; }
.qa-viewer-panel { background: var(--background-fill-primary); color: var(--body-text-color); border-radius: 12px;
  width: min(860px, 100%); max-height: 100%; display: flex; flex-direction: column;
  box-shadow: 0 10px 40px rgba(0, 0, 0, 0.3); overflow: hidden; }
.qa-viewer-bar { display: flex; justify-content: flex-end; padding: 6px 8px 0; }
.qa-viewer-close { border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary);
  color: var(--body-text-color); border-radius: 8px; padding: 4px 12px; cursor: pointer; font-size: 0.9rem; }
.qa-viewer-body { overflow-y: auto; padding: 0 18px 18px; overscroll-behavior: contain; }
.qa-sv-head { position: sticky; top: 0; background: var(--background-fill-primary); padding: 4px 0 8px;
  border-bottom: 1px solid var(--border-color-primary); margin-bottom: 10px; }
.qa-sv-title { font-weight: 700; font-size: 1.1rem; line-height: 1.4; overflow-wrap: anywhere; }
.qa-sv-hint { font-size: 0.82em; color: var(--body-text-color-subdued); }
.qa-sv-text { white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.8; font-size: 0.95rem; }
mark.qa-hit { background: #fff6d5; color: #1f2937; border-bottom: 2px solid #f59e0b; padding: 1px 0; }
mark.qa-hit mark.qa-cite { background: #fcd34d; border-radius: 0; padding: 1px 0; }
body.qa-noscroll { overflow: hidden; }

@media (max-width: 640px) {
  #qa-topbar { flex-direction: column; align-items: stretch; gap: 4px; }
  #qa-topbar > * { min-width: 0 !important; width: 100%; }
  #qa-chat .message-row { margin-left: 6px !important; margin-right: 6px !important; }
  #qa-chat .message-row.user-row { max-width: calc(100% - 36px) !important; }
  #qa-send { min-width: 64px !important; }
  #qa-header h1 { font-size: 1.3rem; }
  .qa-card { padding: 8px 9px; }
  .qa-passage { padding: 5px 8px; }
  .qa-viewer.qa-open { padding: 0; }
  .qa-viewer-panel { border-radius: 0; height: 100%; }
  .qa-viewer-body { padding: 0 12px 12px; }
}
"""

VIEWER_HTML = """
<div class="qa-viewer" role="dialog" aria-modal="true" aria-label="source">
  <div class="qa-viewer-panel">
    <div class="qa-viewer-bar"><button type="button" class="qa-viewer-close">✕</button></div>
    <div class="qa-viewer-body"></div>
  </div>
</div>
"""

# Runs once when the viewer component mounts. Clicks anywhere on the page are delegated here:
# "[n]" markers scroll to their card, cards and "view in article" links open the viewer (the server
# renders the escaped article), links to the original pages keep their default behaviour.
VIEWER_JS = """
if (!window.__qaViewer) {
  window.__qaViewer = true;
  const root = element.querySelector('.qa-viewer');
  const body = root.querySelector('.qa-viewer-body');
  const closeBtn = root.querySelector('.qa-viewer-close');
  let last = null;
  const close = () => {
    root.classList.remove('qa-open');
    document.body.classList.remove('qa-noscroll');
    if (last) { last.focus({preventScroll: true}); last = null; }
  };
  const open = async (href, from) => {
    last = from || null;
    const lang = (new URLSearchParams(href.slice(href.indexOf('?') + 1))).get('l') || 'en';
    closeBtn.textContent = lang === 'zh' ? '关闭 ✕' : 'Close ✕';
    body.innerHTML = '';
    const wait = document.createElement('p');
    wait.className = 'qa-muted';
    wait.textContent = lang === 'zh' ? '正在打开文章……' : 'Opening the article…';
    body.appendChild(wait);
    root.classList.add('qa-open');
    document.body.classList.add('qa-noscroll');
    try {
      body.innerHTML = await server.source_view(href);
    } catch (err) {
      body.textContent = lang === 'zh' ? '无法打开这篇文章。' : 'The article could not be opened.';
    }
    const hit = body.querySelector('#qa-hit');
    if (hit) {
      const head = body.querySelector('.qa-sv-head');
      const offset = hit.offsetTop - body.offsetTop - (head ? head.offsetHeight : 0) - 72;
      body.scrollTop = Math.max(0, offset);
    } else {
      body.scrollTop = 0;
    }
    closeBtn.focus({preventScroll: true});
  };
  document.addEventListener('click', (ev) => {
    if (root.classList.contains('qa-open')) {
      if (ev.target === root || ev.target.closest('.qa-viewer-close')) { ev.preventDefault(); close(); }
      return;
    }
    const link = ev.target.closest('a');
    const href = link ? (link.getAttribute('href') || '') : '';
    if (href.startsWith('#qa-src?')) { ev.preventDefault(); open(href, link); return; }
    if (link && link.classList.contains('qa-ref')) {
      ev.preventDefault();
      const card = document.getElementById(href.slice(1));
      if (card) {
        card.scrollIntoView({behavior: 'smooth', block: 'nearest'});
        card.classList.add('qa-flash');
        setTimeout(() => card.classList.remove('qa-flash'), 1400);
      }
      return;
    }
    if (link) return;
    const card = ev.target.closest('.qa-card');
    if (card && !String(window.getSelection() || '')) {
      const view = card.querySelector('a.qa-view');
      if (view) open(view.getAttribute('href'), view);
    }
  }, true);
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && root.classList.contains('qa-open')) close();
  });
  // A new question scrolls to the top of the chat box, so the answer is read from its start
  // (the chatbot's own autoscroll would show the end of the last citation card instead).
  const follow = () => {
    const chat = document.getElementById('qa-chat');
    if (!chat) { setTimeout(follow, 300); return; }
    let seen = 0;
    let target = null;
    const scroller = (el) => {
      for (let node = el.parentElement; node && node !== chat.parentElement; node = node.parentElement) {
        const style = getComputedStyle(node);
        if (/(auto|scroll)/.test(style.overflowY) && node.scrollHeight > node.clientHeight) return node;
      }
      return null;
    };
    new MutationObserver(() => {
      const questions = chat.querySelectorAll('.qa-q');
      if (questions.length > seen) target = questions[questions.length - 1].closest('.message-row');
      seen = questions.length;
      if (!target || !target.isConnected) { target = null; return; }
      const box = scroller(target);
      if (box) box.scrollTop += target.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    }).observe(chat, {childList: true, subtree: true, characterData: true});
    // Once the reader scrolls, the chat stays where they put it.
    for (const kind of ['wheel', 'touchstart', 'mousedown']) {
      chat.addEventListener(kind, () => { target = null; }, {passive: true});
    }
  };
  follow();
}
"""
