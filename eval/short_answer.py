"""Short-answer exact match and F1 on a benchmark folder (SQuAD / CMRC 2018 convention).

``python -m eval.short_answer --corpus DIR --questions FILE`` indexes ``DIR`` in its own data folder, asks
every question and scores:

- ``em`` / ``f1``: the short answer against the gold spans, the best over them. Chinese is compared
  character by character, Latin words and numbers as whole tokens, punctuation and spaces dropped
  (CMRC 2018's ``mixed_segmentation``). A declined answerable question scores 0. ``*_shown`` scores what a
  reader sees first: the short answer of a factoid question, else the first quoted sentence; ``*_span``
  scores the span extracted from the first quoted sentence for every question, lists and explanations
  included.
- ``first_quote_has_gold``: share of answered questions whose first quoted sentence holds a gold span.
  ``first_quote_in_gold`` also counts a first quote that is itself one sentence of a gold answer several
  sentences long (CMRC's "why" and "what is" answers), which no single sentence can hold.
- for English questions with ``answers_en``: whether the English rendering of the short answer contains
  an English gold answer (``en_render_match``), counted over questions whose gold has a digit
  (numbers and dates) and over all.
- ``declined``: share of unanswerable questions declined.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import re
import string
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from common.patterns import CJK_CHAR
from common.settings import ROOT, get_settings
from common.textnorm import compact

BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
_PUNCT = set("，。！？；：、,.!?;:（）()「」『』“”\"'《》〈〉【】[]…—-·|/ ～~" + string.punctuation)


def segments(text: str) -> list[str]:
    """CMRC's mixed segmentation: one token per Chinese character, Latin words and numbers whole."""
    out: list[str] = []
    word = ""
    for ch in compact_keep_case(text):
        if ch in _PUNCT or ch.isspace() or CJK_CHAR.match(ch):
            if word:
                out.append(word)
                word = ""
            if CJK_CHAR.match(ch):
                out.append(ch)
        else:
            word += ch
    if word:
        out.append(word)
    return out


def compact_keep_case(text: str) -> str:
    """Lower-cased, Simplified, NFKC text with spaces kept between Latin words."""
    from common.textnorm import normalize

    return normalize(text)


def f1_score(prediction: str, gold: str) -> float:
    """Token F1 of ``prediction`` against one gold span, over :func:`segments`."""
    pred, ref = segments(prediction), segments(gold)
    common = collections.Counter(pred) & collections.Counter(ref)
    same = sum(common.values())
    if not same:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def exact_match(prediction: str, gold: str) -> float:
    """1.0 when both are the same after dropping punctuation, spaces and case."""
    return float(bool(segments(gold)) and "".join(segments(prediction)) == "".join(segments(gold)))


def best(metric: object, prediction: str, golds: Iterable[str]) -> float:
    """The best score of ``prediction`` over the gold spans (0 when there are none)."""
    return max((metric(prediction, g) for g in golds if g.strip()), default=0.0)  # type: ignore[operator]


def english_match(rendered: str, golds_en: Iterable[str]) -> bool:
    """Whether an English gold answer occurs in the rendered short answer (case, commas, spaces aside)."""
    def flat(s: str) -> str:
        return re.sub(r"[\s,]+", "", s.lower()).replace("us$", "$")

    shown = flat(rendered)
    return any(flat(g) and flat(g) in shown for g in golds_en)


@dataclass
class Row:
    """One question's outcome."""

    id: str
    lang: str
    question: str
    answerable: bool
    abstained: bool
    kind: str
    short_answer: str
    english: str
    first_quote: str
    span: str
    answers: list[str]
    answers_en: list[str]


def run(corpus: Path, questions: Path, data_dir: Path | None = None, langs: tuple[str, ...] = ("zh", "en"),
        limit: int = 0, k: int = 5) -> list[Row]:
    """Index ``corpus`` (in its own data folder) and answer every question of ``questions`` in ``langs``."""
    from qa.api import Pipeline
    from qa.shortanswer import ENTITY, extract_span

    base = get_settings()
    settings = base.with_(corpus_dir=corpus, data_dir=data_dir or base.data_dir / "eval" / corpus.parent.name)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not settings.models_dir.exists() and base.models_dir.exists():
        settings.models_dir.symlink_to(base.models_dir.resolve())  # reuse the converted model
    pipeline = Pipeline.load(settings)
    renderer = pipeline._answer_context().renderer
    rows: list[Row] = []
    items = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [q for q in items if q.get("lang", "zh") in langs]
    if limit:
        items = items[:limit]
    for q in items:
        answer = pipeline.ask(q["question"], k=k)
        first = answer.citations[0].sentence if answer.citations else ""
        span = answer.short_answer
        if not span and first:
            found = extract_span(q["question"], first, ENTITY)
            span = found.text if found else ""
        english = renderer.render(answer.short_answer, person=answer.answer_kind == "person", sentence=first) \
            if answer.short_answer else ""
        rows.append(Row(q["id"], q.get("lang", "zh"), q["question"], bool(q.get("answerable", True)),
                        answer.abstained, answer.answer_kind, answer.short_answer, english, first, span,
                        list(q.get("answers", [])), list(q.get("answers_en", []))))
    return rows


def _overlaps(quote: str, gold: str) -> bool:
    """Whether ``quote`` holds ``gold``, or is (without its closing punctuation) a part of a longer ``gold``."""
    quote, gold = compact(quote), compact(gold)
    core = quote.rstrip("。！？；.!?;")
    return bool(gold) and (gold in quote or (len(core) >= 8 and core in gold))


def summarize(rows: list[Row]) -> dict[str, float]:
    """The scores of one group of questions."""
    answerable = [r for r in rows if r.answerable]
    answered = [r for r in answerable if not r.abstained]
    unanswerable = [r for r in rows if not r.answerable]

    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 4) if values else 0.0

    def shown(r: Row) -> str:
        return "" if r.abstained else r.short_answer or r.first_quote

    out = {
        "n": len(rows),
        "answerable": len(answerable),
        "answered_rate": mean([0.0 if r.abstained else 1.0 for r in answerable]),
        "declined": mean([1.0 if r.abstained else 0.0 for r in unanswerable]),
        "with_short_answer": mean([1.0 if r.short_answer else 0.0 for r in answered]),
        "first_quote_has_gold": mean([1.0 if any(compact(a) in compact(r.first_quote) for a in r.answers if a.strip())
                                      else 0.0 for r in answered]),
        "first_quote_in_gold": mean([1.0 if any(_overlaps(r.first_quote, a) for a in r.answers if a.strip())
                                     else 0.0 for r in answered]),
    }
    zh = [r for r in answerable if r.lang != "en"]
    if zh:
        out |= {
            "em_shown": mean([0.0 if r.abstained else best(exact_match, shown(r), r.answers) for r in zh]),
            "f1_shown": mean([0.0 if r.abstained else best(f1_score, shown(r), r.answers) for r in zh]),
            "em_span": mean([0.0 if r.abstained else best(exact_match, r.span, r.answers) for r in zh]),
            "f1_span": mean([0.0 if r.abstained else best(f1_score, r.span, r.answers) for r in zh]),
            "f1_span_answered": mean([best(f1_score, r.span, r.answers) for r in zh if not r.abstained]),
        }
    en = [r for r in answered if r.lang == "en" and r.answers_en]
    if en:
        numeric = [r for r in en if any(re.search(r"\d", a) for a in r.answers_en)]
        out |= {
            "en_numeric": len(numeric),
            "en_render_match_numeric": mean([1.0 if english_match(r.english, r.answers_en) else 0.0 for r in numeric]),
            "en_render_match": mean([1.0 if english_match(r.english, r.answers_en) else 0.0 for r in en]),
            "en_zh_span_f1": mean([best(f1_score, r.short_answer, r.answers) for r in en]),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    """Score one benchmark and print a table per language; write every row to ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m eval.short_answer", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=BENCHMARKS / "cmrc2018-trial" / "corpus")
    parser.add_argument("--questions", type=Path, default=None, help="default: questions.jsonl beside the corpus")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="index folder (default var/eval/<set>, as `python -m eval`)")
    parser.add_argument("--lang", choices=["zh", "en", "all"], default="all")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    parser.add_argument("--out", type=Path, default=None, help="JSON file for the rows and scores")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    questions = args.questions or args.corpus.parent / "questions.jsonl"
    langs = ("zh", "en") if args.lang == "all" else (args.lang,)
    rows = run(args.corpus, questions, args.data_dir, langs, args.limit)
    scores = {"all": summarize(rows)}
    for lang in sorted({r.lang for r in rows}):
        scores[lang] = summarize([r for r in rows if r.lang == lang])
    for name, values in scores.items():
        print(f"[{name}] " + "  ".join(f"{k}={v}" for k, v in values.items()))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        payload = {"scores": scores, "rows": [r.__dict__ for r in rows]}
        args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
