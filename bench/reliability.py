"""Reliability numbers: 20 concurrent ``ask()`` callers against serial answers, and bad-input fuzzing.

``python -m bench.reliability [--threads 20] [--fuzz 1000]`` prints the numbers as JSON; ``python -m bench``
includes the same sections.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bench.fuzz import fuzz_questions
from common.errors import InvalidQuestionError
from eval.metrics import percentile
from qa.api import Pipeline, get_pipeline
from qa.types import Answer


def answer_key(answer: Answer) -> tuple:
    """What must not depend on concurrency: the text, the abstention and the cited passages."""
    return (answer.text, answer.abstained, answer.language, tuple(p.chunk_id for p in answer.passages),
            tuple((c.number, c.sentence) for c in answer.citations))


@dataclass
class ConcurrencyResult:
    """Answers from parallel callers compared with serial ones, with their latencies."""

    callers: int
    requests: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    def summary(self) -> dict[str, object]:
        """The numbers for a report."""
        return {"callers": self.callers, "requests": self.requests, "errors": len(self.errors),
                "answers_differing_from_serial": len(self.mismatches),
                "p50_ms": round(percentile(self.latencies_ms, 50), 1) if self.latencies_ms else None,
                "p95_ms": round(percentile(self.latencies_ms, 95), 1) if self.latencies_ms else None,
                "wall_s": round(self.wall_s, 2)}


def concurrent_ask(pipeline: Pipeline, questions: list[str], callers: int = 20, rounds: int = 1) -> ConcurrencyResult:
    """Ask every question serially, then ``rounds`` times from ``callers`` threads at once; compare answers."""
    serial = {q: answer_key(pipeline.ask(q)) for q in questions}
    jobs = [q for _ in range(rounds) for q in questions]
    result = ConcurrencyResult(callers, len(jobs))

    def one(question: str) -> tuple[str, float, Answer | None, str | None]:
        began = time.perf_counter()
        try:
            answer = pipeline.ask(question)
        except Exception as exc:  # any failure is what this measures
            return question, 0.0, None, "".join(traceback.format_exception_only(exc)).strip()
        return question, (time.perf_counter() - began) * 1000, answer, None

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=callers) as pool:
        for question, ms, answer, error in pool.map(one, jobs):
            if error is not None or answer is None:
                result.errors.append(f"{question!r}: {error}")
                continue
            result.latencies_ms.append(ms)
            if answer_key(answer) != serial[question]:
                result.mismatches.append(question)
    result.wall_s = time.perf_counter() - began
    return result


def fuzz_ask(pipeline: Pipeline, questions: list[object]) -> dict[str, object]:
    """Send every question through ``ask``; count answers, typed rejections and anything else (crashes)."""
    counts: Counter[str] = Counter()
    crashes: list[str] = []
    for question in questions:
        try:
            answer = pipeline.ask(question)  # type: ignore[arg-type]
        except InvalidQuestionError:
            counts["rejected"] += 1
            continue
        except Exception as exc:  # anything but the typed rejection is a crash
            crashes.append(f"{str(question)[:60]!r}: {type(exc).__name__}: {exc}")
            continue
        counts["answered" if isinstance(answer, Answer) else "not_an_answer"] += 1
    return {"questions": len(questions), "answered": counts["answered"], "rejected": counts["rejected"],
            "crashes": len(crashes) + counts["not_an_answer"], "crash_examples": crashes[:5]}


def main(argv: list[str] | None = None) -> int:
    """Run the concurrency and fuzz checks over the real pipeline and print the numbers."""
    from eval.questions import load_questions

    parser = argparse.ArgumentParser(prog="python -m bench.reliability", description=__doc__)
    parser.add_argument("--threads", type=int, default=20, help="concurrent ask() callers")
    parser.add_argument("--rounds", type=int, default=3, help="times each question is asked in parallel")
    parser.add_argument("--fuzz", type=int, default=1000, help="generated bad questions")
    args = parser.parse_args(argv)
    pipeline = get_pipeline()
    questions = [q.question for q in load_questions()][:20]
    results = {"concurrent_ask": concurrent_ask(pipeline, questions, args.threads, args.rounds).summary(),
               "fuzz_ask": fuzz_ask(pipeline, fuzz_questions(args.fuzz, seed=0))}
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 1 if results["concurrent_ask"]["errors"] or results["fuzz_ask"]["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
