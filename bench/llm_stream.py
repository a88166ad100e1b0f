"""``python -m bench.llm_stream``: the LLM path against the local fake server (tests/fake_llm.py).

Measures, over the evaluation questions, how long the final (checked) answer comes after the model's last
token (target p95 <= 300 ms), and how long a stalled server keeps a question waiting before the fallback
note (bound: two timeouts and the retry's backoff). The fake model waits ``--first-delay`` before its first
token and ``--chunk-delay`` between chunks, like a real one; its answers cite two passages in two sentences.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace

from common.settings import get_settings
from eval.metrics import percentile
from eval.questions import load_questions
from llm.client import LLMClient
from qa.api import Pipeline

ANSWER = "{first} [1]\n这也是第二段所说的内容。 [2]"


def _pipeline(base: Pipeline, url: str, timeout: float) -> Pipeline:
    settings = base.settings.with_(llm_base_url=url, llm_model="fake-model", llm_api_key="k", llm_timeout=timeout)
    return replace(base, settings=settings, llm=LLMClient(settings))


def final_after_last_token(base: Pipeline, fake, questions: list[str]) -> dict[str, object]:
    """Milliseconds from the last streamed token to the final answer, per question."""
    pipeline = _pipeline(base, fake.url, 30.0)
    gaps, checks = [], []
    for question in questions:
        last_partial = None
        final = None
        for answer in pipeline.ask_stream(question):
            now = time.perf_counter()
            if answer.complete:
                final = answer
                break
            if answer.text:
                last_partial = now
        if final is None or last_partial is None or final.abstained or "llm_ms" not in final.trace:
            continue  # abstained before the model was asked, or the fallback
        gaps.append((time.perf_counter() - last_partial) * 1000)
        checks.append(float(final.trace.get("final_check_ms", 0.0)))
    return {"answers": len(gaps), "final_after_last_token_p50_ms": round(percentile(gaps, 50), 1),
            "final_after_last_token_p95_ms": round(percentile(gaps, 95), 1),
            "final_after_last_token_max_ms": round(max(gaps), 1),
            "last_sentence_check_p95_ms": round(percentile(checks, 95), 1)}


def stalled_wait(base: Pipeline, fake, timeout: float) -> dict[str, object]:
    """Seconds until the fallback when the server never answers (Chinese and English questions)."""
    pipeline = _pipeline(base, fake.url, timeout)
    out: dict[str, object] = {"timeout_s": timeout, "bound_s": pipeline.llm_budget_s()}
    fake.mode, fake.stall_s = "stall", timeout * 4
    for question in ("月之暗面的创始人是谁？", "Who founded Moonshot AI?"):
        fake.requests.clear()
        started = time.perf_counter()
        answer = pipeline.ask(question)
        key = "zh" if question[0] > "~" else "en"
        out[f"{key}_fallback_after_s"] = round(time.perf_counter() - started, 2)
        out[f"{key}_note"] = answer.notes[-1] if answer.notes else ""
        out[f"{key}_llm_requests"] = len(fake.requests)
    fake.mode = "ok"
    return out


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run both measurements and print them as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.llm_stream", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=40, help="evaluation questions to answer")
    parser.add_argument("--first-delay", type=float, default=0.4, help="fake model: seconds to the first token")
    parser.add_argument("--chunk-delay", type=float, default=0.02, help="fake model: seconds between chunks")
    parser.add_argument("--timeout", type=float, default=2.0, help="LLM timeout for the stalled-server run")
    args = parser.parse_args(argv)
    from tests.fake_llm import FakeLLM

    base = Pipeline.load(get_settings())
    fake = FakeLLM()
    try:
        fake.answer, fake.first_delay, fake.chunk_delay = ANSWER, args.first_delay, args.chunk_delay
        questions = [q.question for q in load_questions() if q.answerable][: args.questions]
        results = {"fake_model": {"first_delay_s": args.first_delay, "chunk_delay_s": args.chunk_delay},
                   "streaming": final_after_last_token(base, fake, questions),
                   "stalled_server": stalled_wait(base, fake, args.timeout)}
    finally:
        fake.close()
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return results


if __name__ == "__main__":
    main()
    sys.exit(0)
