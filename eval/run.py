"""Run the question set through the pipeline and score retrieval and answers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from tqdm import tqdm

from eval.metrics import contains_quote, mean, ndcg_at, percentile, recall_at, reciprocal_rank
from eval.questions import Question
from qa.api import Pipeline
from qa.shortanswer import is_factoid

K_RETRIEVE = 10


@dataclass
class QuestionResult:
    """Everything measured for one question in one configuration."""

    id: str
    split: str
    lang: str
    type: str
    question: str
    answerable: bool
    relevant: list[bool]
    n_relevant: int
    retrieved: list[str]
    retrieved_text: list[str]
    latency_ms: float
    answer: str = ""
    abstained: bool = False
    key_hit: bool = False
    cited_relevant: list[bool] = field(default_factory=list)
    citations_supported: list[bool] = field(default_factory=list)
    top_dense: float = 0.0
    quotes: int = 0  # sentences the answer quotes
    factoid: bool = False  # the answer leads with a short span (who, when, how much ...)


def _n_relevant(pipeline: Pipeline, q: Question) -> int:
    return sum(1 for c in pipeline.index.chunks if q.hit(c.text))


def evaluate(pipeline: Pipeline, questions: Iterable[Question], *, answers: bool = True,
             progress: bool = True, label: str = "") -> list[QuestionResult]:
    """Score each question: retrieval at ``K_RETRIEVE`` and, with ``answers``, the full ``ask()`` answer."""
    questions = list(questions)
    results = []
    for q in tqdm(questions, desc=label or "full", disable=not progress, leave=False):
        started = time.perf_counter()
        answer = None
        if answers and pipeline.llm is None:
            retrieval, answer = pipeline.answer_and_rank(q.question, k=5, depth=K_RETRIEVE)  # one search for both
        else:
            retrieval = pipeline.search(q.question, K_RETRIEVE)
        latency = (time.perf_counter() - started) * 1000
        result = QuestionResult(
            q.id, q.split, q.lang, q.type, q.question, q.answerable,
            relevant=[q.hit(p.text) for p in retrieval.passages],
            n_relevant=_n_relevant(pipeline, q),
            retrieved=[p.chunk_id for p in retrieval.passages],
            retrieved_text=[p.text[:160] for p in retrieval.passages[:3]],
            latency_ms=latency,
            top_dense=retrieval.top_dense,
        )
        if answers:
            if answer is None:
                started = time.perf_counter()
                answer = pipeline.ask(q.question, k=5)
                result.latency_ms = (time.perf_counter() - started) * 1000
            result.answer = answer.text
            result.abstained = answer.abstained
            keys = q.answers + q.answers_en
            result.key_hit = bool(keys) and not answer.abstained and contains_quote(answer.text, keys)
            result.cited_relevant = [q.hit(p.text) for p in answer.passages]
            result.citations_supported = [c.supported for c in answer.citations]
            result.quotes = len(answer.citations)
            result.factoid = is_factoid(answer.answer_kind)
        results.append(result)
    return results


def summarize(results: list[QuestionResult]) -> dict[str, float]:
    """Aggregate metrics for a group of results (retrieval metrics over answerable questions only)."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    abstained = [r for r in results if r.abstained]
    answered = [r for r in answerable if not r.abstained]
    cited = [rel for r in answered for rel in r.cited_relevant]
    factoids = [r for r in answered if r.factoid]
    return {
        "n": len(results),
        "n_answerable": len(answerable),
        "R@1": mean([recall_at(r.relevant, 1) for r in answerable]),
        "R@5": mean([recall_at(r.relevant, 5) for r in answerable]),
        "R@10": mean([recall_at(r.relevant, 10) for r in answerable]),
        "MRR@10": mean([reciprocal_rank(r.relevant, 10) for r in answerable]),
        "nDCG@10": mean([ndcg_at(r.relevant, r.n_relevant, 10) for r in answerable]),
        "abstain_precision": (sum(1 for r in abstained if not r.answerable) / len(abstained)) if abstained else 1.0,
        "abstain_recall": (sum(1 for r in unanswerable if r.abstained) / len(unanswerable)) if unanswerable else 1.0,
        "answered_rate": len(answered) / len(answerable) if answerable else 0.0,
        "key_hit": mean([1.0 if r.key_hit else 0.0 for r in answerable]),
        "citation_precision": mean([1.0 if c else 0.0 for c in cited]),
        "citation_recall": mean([1.0 if any(r.cited_relevant) else 0.0 for r in answered]),
        # Faithfulness: share of cited sentences their passage supports (always 1 for quoted answers).
        "citation_support": mean([1.0 if s else 0.0 for r in answered for s in r.citations_supported]),
        "quotes_per_factoid": mean([float(r.quotes) for r in factoids]),
        "latency_p50_ms": percentile([r.latency_ms for r in results], 50),
        "latency_p95_ms": percentile([r.latency_ms for r in results], 95),
    }


def grouped(results: list[QuestionResult], key: Callable[[QuestionResult], str]) -> dict[str, dict[str, float]]:
    """Summaries per group (e.g. per language), plus ``all``."""
    groups: dict[str, list[QuestionResult]] = {"all": results}
    for r in results:
        groups.setdefault(key(r), []).append(r)
    return {name: summarize(rs) for name, rs in groups.items()}


def as_dicts(results: list[QuestionResult]) -> list[dict[str, object]]:
    """JSON-ready rows."""
    return [asdict(r) for r in results]
