"""``python -m eval.translation``: what LLM query translation adds for English questions over Chinese text.

Runs the English questions of XQuAD-dev (``--bench``, default ``../shared/benchmarks/xquad-dev``) against
its Chinese corpus twice: with the offline rendering of the question (glossary, term list, CC-CEDICT),
and with an LLM that renders it through the ``translate_query`` prompt. The LLM is the local fake server
(tests/fake_llm.py) answering with the parallel Chinese question, a perfect translator: the second run
shows the ceiling of LLM translation, not what a given model reaches. A passage is a hit when it shares
a 20-character stretch with the gold paragraph. Prints Recall@1 and Recall@5 for each.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from common.settings import ROOT, get_settings
from common.textnorm import compact
from llm.client import LLMClient
from qa.api import Pipeline

DEFAULT_BENCH = ROOT.parent / "shared" / "benchmarks" / "xquad-dev"
WINDOW = 20


def hit(passage: str, gold: str) -> bool:
    """The passage shares a ``WINDOW``-character stretch with the gold paragraph (whitespace ignored)."""
    p, g = compact(passage), compact(gold)
    if len(p) < WINDOW or len(g) < WINDOW:
        return bool(p) and (p in g or g in p)
    return any(p[i:i + WINDOW] in g for i in range(0, len(p) - WINDOW + 1, 5))


def load(bench: Path, limit: int) -> list[dict]:
    """English answerable questions, each with its parallel Chinese question."""
    rows = [json.loads(line) for line in (bench / "questions.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    chinese = {r["id"].rsplit("-", 1)[0]: r["question"] for r in rows if r["lang"] == "zh"}
    out = []
    for r in rows:
        stem = r["id"].rsplit("-", 1)[0]
        if r["lang"] == "en" and r["answerable"] and stem in chinese:
            out.append({**r, "zh_question": chinese[stem]})
    return out[:limit] if limit else out


def recall(pipeline: Pipeline, questions: list[dict], fake=None) -> dict[str, float]:
    """Recall@1/@5 of ``pipeline.search`` (the fake, when given, translates each question perfectly)."""
    at1 = at5 = 0
    for q in questions:
        if fake is not None:
            fake.translated = q["zh_question"]
        passages = pipeline.search(q["question"], 5).passages
        hits = [hit(p.text, q["gold_paragraph"]) for p in passages]
        at1 += bool(hits[:1] and hits[0])
        at5 += any(hits)
    n = max(1, len(questions))
    return {"questions": len(questions), "recall@1": round(at1 / n, 3), "recall@5": round(at5 / n, 3)}


def main(argv: list[str] | None = None) -> int:
    """Build (once) the benchmark's index, then compare the two renderings."""
    parser = argparse.ArgumentParser(prog="python -m eval.translation", description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=DEFAULT_BENCH, help="folder with corpus/ and questions.jsonl")
    parser.add_argument("--limit", type=int, default=200, help="English questions to ask (0: all)")
    args = parser.parse_args(argv)
    if not (args.bench / "questions.jsonl").exists() or not (args.bench / "corpus").is_dir():
        print(f"error: {args.bench} has no questions.jsonl and corpus/", file=sys.stderr)
        return 2
    from tests.fake_llm import FakeLLM

    base = get_settings()
    settings = base.with_(corpus_dir=args.bench / "corpus", data_dir=base.data_dir / f"bench-{args.bench.name}")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    models = settings.models_dir
    if not models.exists():
        models.symlink_to(base.models_dir.resolve())  # share the converted model
    offline = Pipeline.load(settings)
    questions = load(args.bench, args.limit)
    fake = FakeLLM()
    try:
        llm_settings = settings.with_(llm_base_url=fake.url, llm_model="fake-translator", llm_timeout=10.0)
        with_llm = replace(offline, settings=llm_settings, llm=LLMClient(llm_settings))
        results = {"offline rendering": recall(offline, questions),
                   "LLM translation (perfect translator)": recall(with_llm, questions, fake)}
    finally:
        fake.close()
    print(f"English questions over the Chinese corpus of {args.bench.name}")
    for name, r in results.items():
        print(f"  {name:<38} n={r['questions']}  Recall@1 {r['recall@1']:.3f}  Recall@5 {r['recall@5']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
