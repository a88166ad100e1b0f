"""``python -m eval.citations``: how well the citation check separates backed from wrong answer sentences.

Reads the labelled sentence–passage pairs in ``eval/citation_pairs.jsonl`` (written by hand from the
articles: correct English and Chinese paraphrases, and sentences with a wrong figure, date, company, name
or place, or an unrelated claim), runs :class:`llm.support.SupportJudge` on each and prints, per sentence
language, the share of correct sentences that pass and of wrong ones that are flagged. ``--calibrate``
also sweeps the meaning threshold per language pair and checks it with two-fold cross-validation (half the
passages choose the threshold, the other half are scored with it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from common.settings import get_settings
from eval.jsonl import read_rows
from llm.support import OVERLAP_WEIGHT, SURE_OVERLAP, SupportJudge, Verdict, pair_key

PAIRS_PATH = Path(__file__).resolve().parent / "citation_pairs.jsonl"
KINDS = ("paraphrase", "figure", "date", "year", "company", "name", "place", "unrelated")


@dataclass(frozen=True)
class Pair:
    """One labelled pair: whether ``passage`` backs ``sentence``."""

    id: int
    passage_id: str
    lang: str
    supported: bool
    kind: str
    sentence: str
    passage: str


def load_pairs(path: Path = PAIRS_PATH) -> list[Pair]:
    """Read and validate the pairs file; a malformed row raises ``ValueError`` naming its line."""
    def build(row: dict) -> Pair:
        if row["lang"] not in ("en", "zh") or row["kind"] not in KINDS or row["label"] not in ("supported",
                                                                                            "unsupported"):
            raise ValueError("unknown lang, kind or label")
        return Pair(int(row["id"]), str(row["passage_id"]), str(row["lang"]), row["label"] == "supported",
                    str(row["kind"]), str(row["sentence"]), str(row["passage"]))

    return read_rows(path, build, "a labelled pair")


def judge_all(pairs: Iterable[Pair], judge: SupportJudge) -> list[tuple[Pair, Verdict]]:
    """The verdict for every pair (each passage's evidence is prepared once)."""
    evidence = {}
    out = []
    for pair in pairs:
        if pair.passage_id not in evidence:
            evidence[pair.passage_id] = judge.evidence([pair.passage])
        out.append((pair, judge.judge(pair.sentence, evidence[pair.passage_id])))
    return out


def table(results: list[tuple[Pair, Verdict]]) -> dict[str, dict[str, float]]:
    """Per sentence language (and overall): correct passed, wrong flagged, and the flag's precision."""
    rows: dict[str, dict[str, float]] = {}
    for lang in ("en", "zh", "all"):
        chosen = [(p, v) for p, v in results if lang in ("all", p.lang)]
        good = [v.supported for p, v in chosen if p.supported]
        bad = [not v.supported for p, v in chosen if not p.supported]
        flagged = [not p.supported for p, v in chosen if not v.supported]
        rows[lang] = {"pairs": len(chosen), "correct": len(good), "wrong": len(bad),
                      "correct_passed": sum(good) / max(1, len(good)),
                      "wrong_flagged": sum(bad) / max(1, len(bad)),
                      "flag_precision": sum(flagged) / max(1, len(flagged))}
    return rows


def by_kind(results: list[tuple[Pair, Verdict]]) -> dict[str, str]:
    """Per kind of sentence: how many got the right verdict."""
    out = {}
    for kind in KINDS:
        chosen = [(p, v) for p, v in results if p.kind == kind]
        if chosen:
            right = sum(1 for p, v in chosen if v.supported == p.supported)
            out[kind] = f"{right}/{len(chosen)}"
    return out


def _meaning_score(verdict: Verdict) -> float:
    return verdict.cosine + OVERLAP_WEIGHT * verdict.overlap


def _fixed(verdict: Verdict) -> bool:
    """Decided before the meaning threshold: a wrong figure or name, or words that are the passage's."""
    return verdict.reason in ("figure", "name") or (verdict.supported and verdict.overlap >= SURE_OVERLAP)


def best_threshold(results: list[tuple[Pair, Verdict]], key: str) -> float | None:
    """The meaning threshold for language pair ``key`` with the best worse-of-both-rates on ``results``.

    Only sentences the meaning threshold decides can move; the rest stay as judged (:func:`_fixed`).
    """
    chosen = [(p, v) for p, v in results if pair_key(p.lang, "zh") == key]
    if not chosen:
        return None
    candidates = sorted({round(_meaning_score(v), 3) for _, v in chosen if not _fixed(v)})
    best, best_rate = None, -1.0
    for threshold in candidates:
        good = [v.supported if _fixed(v) else _meaning_score(v) >= threshold for p, v in chosen if p.supported]
        bad = [not v.supported if _fixed(v) else _meaning_score(v) < threshold for p, v in chosen if not p.supported]
        rate = min(sum(good) / max(1, len(good)), sum(bad) / max(1, len(bad)))
        if rate > best_rate:
            best, best_rate = threshold, rate
    return best


def cross_validate(results: list[tuple[Pair, Verdict]]) -> dict[str, dict[str, float]]:
    """Two folds by passage: thresholds chosen on one half's pairs, rates measured on the other's."""
    ids = sorted({p.passage_id for p, _ in results})
    folds = [set(ids[0::2]), set(ids[1::2])]
    rescored: list[tuple[Pair, Verdict]] = []
    for i, test_ids in enumerate(folds):
        train = [(p, v) for p, v in results if p.passage_id in folds[1 - i]]
        thresholds = {key: best_threshold(train, key) for key in ("en-zh", "zh-zh")}
        for p, v in results:
            if p.passage_id not in test_ids:
                continue
            threshold = thresholds.get(pair_key(p.lang, "zh"))
            if _fixed(v) or threshold is None:
                rescored.append((p, v))
            else:
                rescored.append((p, Verdict(_meaning_score(v) >= threshold, "", "", v.cosine, v.overlap)))
    return table(rescored)


def _print_table(title: str, rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'lang':<5} {'pairs':>5} {'correct':>7} {'wrong':>5}  {'correct passed':>14}  {'wrong flagged':>13}"
          f"  {'flag precision':>14}")
    for lang, r in rows.items():
        print(f"  {lang:<5} {r['pairs']:>5} {r['correct']:>7} {r['wrong']:>5}  {r['correct_passed']:>14.3f}  "
              f"{r['wrong_flagged']:>13.3f}  {r['flag_precision']:>14.3f}")


def main(argv: list[str] | None = None) -> int:
    """Judge every pair, print the table (and misses with ``-v``); exit 1 below the 0.95 targets."""
    parser = argparse.ArgumentParser(prog="python -m eval.citations", description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS_PATH, help="labelled pairs (JSON lines)")
    parser.add_argument("--calibrate", action="store_true", help="sweep the thresholds, with cross-validation")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every wrong verdict")
    args = parser.parse_args(argv)
    from embed import get_query_embedder

    settings = get_settings()
    try:
        pairs = load_pairs(args.pairs)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results = judge_all(pairs, SupportJudge(get_query_embedder(settings), settings))
    rows = table(results)
    print(f"Citation check on {len(pairs)} labelled pairs ({args.pairs.name}); thresholds "
          f"{settings.support_threshold_spec}")
    _print_table("Per sentence language (passages are the Chinese articles)", rows)
    print("\n  right verdicts per kind: " + ", ".join(f"{k} {v}" for k, v in by_kind(results).items()))
    if args.verbose:
        for p, v in results:
            if v.supported != p.supported:
                print(f"  miss #{p.id} {p.lang} {p.kind}: {p.sentence[:80]!r} -> {v.reason or 'passed'} "
                      f"(cosine {v.cosine:.3f}, terms {v.overlap:.2f})")
    if args.calibrate:
        print("\n  best threshold on all pairs: " + ", ".join(
            f"{key}={best_threshold(results, key)}" for key in ("en-zh", "zh-zh")))
        _print_table("Two-fold cross-validation by passage (threshold chosen on the other half)",
                     cross_validate(results))
    ok = all(r["correct_passed"] >= 0.95 and r["wrong_flagged"] >= 0.95 for r in rows.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
