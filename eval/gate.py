"""The CI gate: current metrics must not fall below the committed baseline (``eval/baseline.json``).

Raising the baseline is a deliberate change reviewed like code: run ``python -m eval.gate --write``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eval.questions import load_questions
from eval.run import evaluate, grouped

BASELINE_PATH = Path(__file__).resolve().parent / "baseline.json"
GATED = {"zh": ("R@5", "MRR@10"), "zh-Hant": ("R@5", "MRR@10"), "en": ("R@5", "MRR@10"),
         "all": ("abstain_recall", "answered_rate", "key_hit")}


def gate_failures(summary: dict[str, dict[str, float]], baseline: dict[str, dict[str, float]]) -> list[str]:
    """Every gated metric that dropped below its baseline, as readable lines."""
    failures = []
    for group, metrics in baseline.items():
        for name, floor in metrics.items():
            value = summary.get(group, {}).get(name)
            if value is None or value + 1e-9 < floor:
                failures.append(f"{group} {name}: {value if value is None else round(value, 4)} < baseline {floor}")
    return failures


def current_summary() -> dict[str, dict[str, float]]:
    """Full-system metrics per language on the whole question set, with the real model."""
    from qa.api import get_pipeline

    results = evaluate(get_pipeline(), load_questions(), progress=False)
    return grouped(results, lambda r: r.lang)


def main(argv: list[str] | None = None) -> int:
    """Check against the baseline, or with ``--write`` record the current metrics as the new baseline."""
    args = sys.argv[1:] if argv is None else argv
    summary = current_summary()
    if "--write" in args:
        baseline = {g: {m: float(int(summary[g][m] * 1000) / 1000) for m in ms} for g, ms in GATED.items()}
        BASELINE_PATH.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {BASELINE_PATH}")
        return 0
    failures = gate_failures(summary, json.loads(BASELINE_PATH.read_text(encoding="utf-8")))
    print("\n".join(failures) or "all gated metrics at or above the baseline")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
