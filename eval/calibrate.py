"""``python -m eval.calibrate``: fit the answer/decline model on the dev splits of every evaluation set.

Each question of each dev set is retrieved once; its evidence signals and whether it is answerable train a
logistic regression per language group, every (set, answerable) group weighing the same so that no corpus
or class dominates. The threshold is the highest that still answers ``ANSWER_TARGET`` of the answerable
questions of every set. Writes
``qa/answerability.json`` and prints the answered/declined curve per set.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from common.settings import get_settings
from eval.sets import EvalSet, dev_sets
from qa.abstain import MODEL_PATH, language_group
from qa.api import Pipeline
from qa.evidence import NAMES, signals

ANSWER_TARGET = 0.92  # answerable questions answered, on every dev set
L2 = 1.0  # ridge penalty on standardised weights: few signals, but sets differ in how they spread
CURVE = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
# Signals a group's model leaves out (weight 0). How clearly the best passage wins helps English questions,
# whose words reach the passages only through renderings (XQuAD en declined .646 → .760), but for Chinese ones
# the margins bought one XQuAD decline (.979 → .990) and cost two table answers of our articles (answered
# .984 → .953); the coverage margin alone cost our articles answered .984 → .969 and declined .741 → .704.
LEFT_OUT = {"en": (), "zh": ("margin", "first_dense", "coverage_margin")}


@dataclass(frozen=True)
class Sample:
    """One question's signals and label."""

    set_name: str
    group: str
    answerable: bool
    x: tuple[float, ...]


def collect(eval_set: EvalSet, pipeline: Pipeline, k: int = 5) -> list[Sample]:
    """Retrieve every dev question of ``eval_set`` and measure its evidence."""
    out = []
    for q in tqdm(eval_set.questions("dev"), desc=eval_set.name, leave=False):
        retrieval = pipeline.search(q.question, k)
        evidence = signals(q.question, retrieval, pipeline.retriever.rarity,
                           lead_in=pipeline.lead_in(retrieval.passages))
        out.append(Sample(eval_set.name, language_group(retrieval.language), q.answerable, tuple(evidence.vector())))
    return out


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = L2) -> tuple[np.ndarray, float]:
    """Weighted, ridge-penalised logistic regression by Newton's method; weights for the raw signals."""
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd < 1e-9] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mu) / sd])
    beta = np.zeros(z.shape[1])
    penalty = np.diag([0.0] + [l2] * x.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z @ beta, -60, 60)))
        grad = z.T @ (w * (p - y)) + penalty @ beta
        hess = (z * (w * p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = beta[1:] / sd
    return weights, float(beta[0] - (beta[1:] * mu / sd).sum())


def rates(samples: list[Sample], probs: np.ndarray, threshold: float) -> dict[str, tuple[float, float]]:
    """Per set: (answerable answered, unanswerable declined); NaN where a set has none of a kind."""
    out = {}
    for name in dict.fromkeys(s.set_name for s in samples):
        idx = [i for i, s in enumerate(samples) if s.set_name == name]
        ans = [probs[i] >= threshold for i in idx if samples[i].answerable]
        dec = [probs[i] < threshold for i in idx if not samples[i].answerable]
        out[name] = (float(np.mean(ans)) if ans else float("nan"), float(np.mean(dec)) if dec else float("nan"))
    return out


def best_threshold(samples: list[Sample], probs: np.ndarray, target: float = ANSWER_TARGET) -> float:
    """The highest threshold at which every set still answers ``target`` of its answerable questions.

    Declining an answerable question costs a user the answer, and the evidence signals cannot tell every
    near miss from a real question, so the product answers first and declines what is left.
    """
    best = 0.0
    for t in np.unique(np.round(probs, 4)):
        answered = [a for a, _ in rates(samples, probs, float(t)).values() if a == a]
        if answered and min(answered) >= target:
            best = max(best, float(t))
    return best


GROUPS = ("en", "zh")


def kept_group(previous: dict, group: str) -> dict[str, object]:
    """``group``'s part of a ``previous`` model file, its weights moved to the current signal order.

    A signal the previous model did not have gets weight 0, which is what a group that leaves it out
    (:data:`LEFT_OUT`) would fit.
    """
    by_name = dict(zip(previous["signals"], previous["weights"][group], strict=True))
    if set(by_name) - set(NAMES) or set(NAMES) - set(by_name) - set(LEFT_OUT[group]):
        raise SystemExit(f"the shipped model's {group} signals differ from today's; refit every group")
    return {"weights": [by_name.get(name, 0.0) for name in NAMES], "bias": previous["bias"][group],
            "threshold": previous["threshold"][group], "fitted_on": previous["fitted_on"][group]}


def calibrate(samples: list[Sample], groups: tuple[str, ...] = GROUPS,
              previous: dict | None = None) -> dict[str, object]:
    """Fit one model per language group in ``groups`` and choose its threshold; keep the others from ``previous``."""
    model: dict[str, object] = {"signals": list(NAMES), "weights": {}, "bias": {}, "threshold": {}, "fitted_on": {}}
    for group in GROUPS:
        if group not in groups:
            for key, value in kept_group(previous or {}, group).items():
                model[key][group] = value  # type: ignore[index]
            continue
        part = [s for s in samples if s.group == group]
        used = [i for i, name in enumerate(NAMES) if name not in LEFT_OUT[group]]
        x = np.array([[s.x[i] for i in used] for s in part], dtype=float)
        y = np.array([1.0 if s.answerable else 0.0 for s in part])
        sizes: dict[tuple[str, bool], int] = {}
        for s in part:
            sizes[(s.set_name, s.answerable)] = sizes.get((s.set_name, s.answerable), 0) + 1
        w = np.array([1.0 / sizes[(s.set_name, s.answerable)] for s in part])
        weights, bias = fit_logistic(x, y, w * len(sizes))
        probs = 1 / (1 + np.exp(-(x @ weights + bias)))
        threshold = best_threshold(part, probs)
        full = np.zeros(len(NAMES))
        full[used] = weights
        model["weights"][group] = [round(float(v), 6) for v in full]  # type: ignore[index]
        model["bias"][group] = round(bias, 6)  # type: ignore[index]
        model["threshold"][group] = round(threshold, 4)  # type: ignore[index]
        model["fitted_on"][group] = {f"{n} {'answerable' if a else 'unanswerable'}": c  # type: ignore[index]
                                     for (n, a), c in sorted(sizes.items())}
        print(f"\n{group}: threshold {threshold:.3f}; answered / declined per set")
        for t in (*CURVE, threshold):
            cells = "  ".join(f"{n} {a:.3f}/{d:.3f}" for n, (a, d) in rates(part, probs, t).items())
            print(f"  p >= {t:.3f}: {cells}")
    return model


def main(argv: list[str] | None = None) -> int:
    """Collect signals on every dev set, fit, and write the model (``--dry-run`` only prints)."""
    parser = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__)
    parser.add_argument("--dry-run", action="store_true", help="print the fit without writing it")
    parser.add_argument("--group", action="append", choices=GROUPS,
                        help="refit only this language group (repeatable); the others keep the shipped model's fit")
    args = parser.parse_args(argv)
    groups = tuple(args.group or GROUPS)
    previous = json.loads(MODEL_PATH.read_text(encoding="utf-8")) if set(groups) != set(GROUPS) else None
    base = get_settings()
    samples: list[Sample] = []
    for eval_set in dev_sets():
        samples += collect(eval_set, Pipeline.load(eval_set.settings(base)))
    model = calibrate(samples, groups, previous)
    if not args.dry_run:
        MODEL_PATH.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
