"""The CI gate: dev-split metrics of every evaluation set must not fall below ``eval/baseline.json``.

Only dev splits are gated (our articles' test split is frozen and only reported). Raising the baseline is a
deliberate change reviewed like code: run ``python -m eval.gate --write``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from common.settings import get_settings
from eval.run import evaluate, grouped
from eval.sets import dev_sets

BASELINE_PATH = Path(__file__).resolve().parent / "baseline.json"
RETRIEVAL = ("R@1", "R@5")
ANSWERS = ("abstain_recall", "answered_rate")
Summary = dict[str, dict[str, dict[str, float]]]  # set -> group -> metric -> value


def gate_failures(summary: Summary, baseline: Summary) -> list[str]:
    """Every gated metric that dropped below its baseline, as readable lines."""
    failures = []
    for set_name, groups in baseline.items():
        for group, metrics in groups.items():
            for name, floor in metrics.items():
                value = summary.get(set_name, {}).get(group, {}).get(name)
                if value is None or value + 1e-9 < floor:
                    shown = value if value is None else round(value, 4)
                    failures.append(f"{set_name} {group} {name}: {shown} < baseline {floor}")
    return failures


def current_summary() -> Summary:
    """Full-system metrics per set and language on every dev split, with the real model."""
    from qa.api import Pipeline

    base = get_settings()
    out: Summary = {}
    for eval_set in dev_sets():
        results = evaluate(Pipeline.load(eval_set.settings(base)), eval_set.questions("dev"), progress=False)
        out[eval_set.name] = grouped(results, lambda r: "zh" if r.lang.startswith("zh") else r.lang)
    return out


def floors(summary: Summary) -> Summary:
    """The gated metrics of ``summary``, rounded down to three places, as a new baseline."""
    out: Summary = {}
    for set_name, groups in summary.items():
        out[set_name] = {}
        for group, metrics in groups.items():
            names = ANSWERS if group == "all" else RETRIEVAL
            if group == "all" or metrics.get("n_answerable"):
                out[set_name][group] = {m: float(int(metrics[m] * 1000) / 1000) for m in names}
    return out


def main(argv: list[str] | None = None) -> int:
    """Check against the baseline, or with ``--write`` record the current metrics as the new baseline."""
    args = sys.argv[1:] if argv is None else argv
    summary = current_summary()
    if "--write" in args:
        BASELINE_PATH.write_text(json.dumps(floors(summary), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {BASELINE_PATH}")
        return 0
    failures = gate_failures(summary, json.loads(BASELINE_PATH.read_text(encoding="utf-8")))
    for set_name, groups in summary.items():
        for group, m in groups.items():
            print(f"{set_name:16} {group:4} n={int(m['n']):5} R@1 {m['R@1']:.3f} R@5 {m['R@5']:.3f} "
                  f"answered {m['answered_rate']:.3f} declined {m['abstain_recall']:.3f}")
    print("\n".join(failures) or "all gated metrics at or above the baseline")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
