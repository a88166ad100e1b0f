"""When to say "not in the articles": a calibrated model over general evidence signals.

The model (``qa/answerability.json``, written by ``python -m eval.calibrate``) is a logistic regression per
question language over :class:`qa.evidence.EvidenceSignals`, fitted on the dev splits of every evaluation
set at once, so one decision serves any corpus. A corpus may add ``attributes.tsv`` beside its articles:
then a question asking a figure of a named company also needs a top passage that names both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from common.errors import IndexCorruptError
from qa.evidence import NAMES, EvidenceSignals, logistic, signals
from qa.focus import FocusCheck
from retrieve.coverage import TermRarity
from retrieve.hybrid import Retrieval

MODEL_PATH = Path(__file__).resolve().parent / "answerability.json"


def language_group(language: str) -> str:
    """Traditional and Simplified questions share one model: they read the same passages."""
    return "en" if language == "en" else "zh"


@dataclass(frozen=True)
class AnswerabilityModel:
    """Per language group: weights over the signals (in :data:`qa.evidence.NAMES` order), bias, threshold."""

    weights: dict[str, list[float]]
    bias: dict[str, float]
    threshold: dict[str, float]

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> AnswerabilityModel:
        """Read the calibrated model; a file that does not match the signals is an error, not a guess."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            model = cls(data["weights"], data["bias"], data["threshold"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(f"answerability model {path} is unreadable ({exc}); "
                                    "recreate it with `python -m eval.calibrate`") from exc
        if data.get("signals") != list(NAMES) or any(len(w) != len(NAMES) for w in model.weights.values()):
            raise IndexCorruptError(f"answerability model {path} was fitted on other signals; "
                                    "recreate it with `python -m eval.calibrate`")
        return model

    def probability(self, language: str, evidence: EvidenceSignals) -> float:
        """How likely the passages answer the question."""
        group = language_group(language)
        return logistic(self.weights[group], self.bias[group], evidence.vector())


@dataclass(frozen=True)
class Decision:
    """The answer decision with what it was made from, for the trace and the evaluation."""

    abstain: bool
    probability: float
    evidence: EvidenceSignals
    reason: str  # "answerable", "weak evidence", "not given with its subject" or "no passages"


@lru_cache(maxsize=1)
def shipped_model() -> AnswerabilityModel:
    """The model in :data:`MODEL_PATH`, read once per process."""
    return AnswerabilityModel.load()


@dataclass(frozen=True)
class AbstainPolicy:
    """Answer only when the calibrated model trusts the passages (and the corpus's attribute check passes).

    Without a ``model`` the shipped one is read at the first decision, not when the policy is made: fitting a
    new model (``python -m eval.calibrate``) loads pipelines while the old file may not match the signals.
    """

    model: AnswerabilityModel | None = None
    focus: FocusCheck = field(default_factory=lambda: FocusCheck(()))

    @property
    def answer_model(self) -> AnswerabilityModel:
        """The given model, or the shipped one."""
        return self.model or shipped_model()

    def decide(self, question: str, retrieval: Retrieval, rarity: TermRarity,
               lead_in: dict[str, str] | None = None) -> Decision:
        """Decide for ``question``; ``lead_in`` holds the article text before each passage (by chunk id)."""
        evidence = signals(question, retrieval, rarity, lead_in=lead_in)
        if not retrieval.passages:
            return Decision(True, 0.0, evidence, "no passages")
        model = self.answer_model
        probability = model.probability(retrieval.language, evidence)
        if probability < model.threshold[language_group(retrieval.language)]:
            return Decision(True, probability, evidence, "weak evidence")
        if not self.focus.covered(question, retrieval, lead_in):
            return Decision(True, probability, evidence, "not given with its subject")
        return Decision(False, probability, evidence, "answerable")
