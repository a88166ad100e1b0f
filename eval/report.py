"""Console table and a self-contained HTML report (plots embedded as PNG data URIs)."""

from __future__ import annotations

import base64
import html
import io

from eval.run import QuestionResult

METRICS = ("R@1", "R@5", "R@10", "MRR@10", "nDCG@10")
ANSWER_METRICS = ("abstain_precision", "abstain_recall", "answered_rate", "key_hit", "citation_precision",
                  "citation_recall", "citation_support", "quotes_per_factoid", "latency_p50_ms", "latency_p95_ms")


def console_table(summary: dict[str, dict[str, dict[str, float]]], columns: tuple[str, ...] = METRICS) -> str:
    """A fixed-width table: one row per configuration and group."""
    first = max([len("configuration"), *(len(c) for c in summary)]) + 2
    second = max([len("group"), *(len(g) for groups in summary.values() for g in groups)]) + 2
    widths = [max(len(c), 7) + 2 for c in columns]
    header = f"{'configuration':<{first}}{'group':<{second}}{'n':>5}" + "".join(
        f"{c:>{w}}" for c, w in zip(columns, widths, strict=True))
    lines = [header, "-" * len(header)]
    for config, groups in summary.items():
        for group, m in groups.items():
            cells = "".join(f"{m.get(c, 0.0):>{w}.1f}" if c.endswith("_ms") else f"{m.get(c, 0.0):>{w}.3f}"
                            for c, w in zip(columns, widths, strict=True))
            lines.append(f"{config:<{first}}{group:<{second}}{int(m['n']):>5}{cells}")
    return "\n".join(lines)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _plots(main: list[QuestionResult]) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from eval.metrics import recall_at

    plots = []
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for lang in sorted({r.lang for r in main}):
        rs = [r for r in main if r.lang == lang and r.answerable]
        ks = list(range(1, 11))
        ax.plot(ks, [sum(recall_at(r.relevant, k) for r in rs) / max(len(rs), 1) for k in ks], marker="o",
                label=f"{lang} (n={len(rs)})")
    ax.set_xlabel("k")
    ax.set_ylabel("Recall@k")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Recall@k per question language")
    plots.append(("Recall@k per language", _png(fig)))
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.hist([r.latency_ms for r in main], bins=30, color="#4a7bd0")
    ax.set_xlabel("ask() latency (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency per question")
    plots.append(("Latency histogram", _png(fig)))
    plt.close(fig)
    return plots


def _table(summary: dict[str, dict[str, dict[str, float]]], columns: tuple[str, ...]) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(c)}</th>" for c in ("configuration", "group", "n", *columns))
    rows = []
    for config, groups in summary.items():
        for group, m in groups.items():
            cells = "".join(f"<td>{m.get(c, 0):.1f}</td>" if c.endswith("_ms") else f"<td>{m.get(c, 0):.3f}</td>"
                            for c in columns)
            rows.append(f"<tr><td>{esc(config)}</td><td>{esc(group)}</td><td>{int(m['n'])}</td>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def html_report(summary: dict[str, dict[str, dict[str, float]]], ablations: dict[str, dict[str, dict[str, float]]],
                main: list[QuestionResult], meta: dict) -> str:
    """Render the full report as one HTML page with no external resources.

    ``summary`` holds configurations whose answers were scored; ``ablations`` retrieval-only ones.
    """
    esc = html.escape
    failures = []
    for r in main:
        missed = r.answerable and not any(r.relevant[:5])
        wrong_abstain = r.abstained != (not r.answerable)
        if not (missed or wrong_abstain):
            continue
        why = "gold passage not in top 5" if missed else ("abstained" if r.abstained else "answered unanswerable")
        got = "".join(f"<li>{esc(t)}</li>" for t in r.retrieved_text)
        failures.append(f"<details><summary><b>{esc(r.id)}</b> [{esc(r.lang)}/{esc(r.type)}] {esc(r.question)} "
                        f"— <i>{why}</i></summary><p>Answer: <pre>{esc(r.answer)}</pre></p>"
                        f"<p>Retrieved instead:</p><ol>{got}</ol></details>")
    images = "".join(f'<figure><img alt="{esc(t)}" src="{src}"><figcaption>{esc(t)}</figcaption></figure>'
                     for t, src in _plots(main))
    meta_rows = "".join(f"<tr><th>{esc(str(k))}</th><td>{esc(str(v))}</td></tr>" for k, v in meta.items())
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Evaluation report</title><style>
body{{font-family:system-ui,'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;margin:2rem;color:#222}}
table{{border-collapse:collapse;font-size:13px;margin-bottom:1.5rem}}
td,th{{border:1px solid #ccc;padding:3px 7px;text-align:right}} td:nth-child(-n+2),th{{text-align:left}}
tr:nth-child(even){{background:#f5f7fa}} figure{{display:inline-block;margin:0 1rem 1rem 0}}
details{{margin:.3rem 0}} pre{{white-space:pre-wrap;background:#f6f6f6;padding:.4rem}}
</style></head><body><h1>Evaluation report</h1><table>{meta_rows}</table>
<h2>Retrieval</h2>{_table(summary | ablations, METRICS)}
<h2>Answers</h2>{_table(summary, ANSWER_METRICS)}
<h2>Plots</h2>{images}
<h2>Failed questions ({len(failures)})</h2>{"".join(failures) or "<p>None.</p>"}
</body></html>"""
