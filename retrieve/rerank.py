"""Optional cross-encoder reranking (``QA_RERANKER``), for users who have a reranker model locally."""

from __future__ import annotations

from dataclasses import replace

from common.errors import EmbedderError
from retrieve.passage import Passage


class CrossEncoderReranker:
    """Re-scores (question, passage) pairs with a sentence-transformers ``CrossEncoder``."""

    def __init__(self, model: str, threads: int = 2) -> None:
        """Load ``model`` (a local folder or a cached hub name) without touching the network."""
        try:
            import torch
            from sentence_transformers import CrossEncoder

            torch.set_num_threads(threads)
            self._model = CrossEncoder(model, device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            raise EmbedderError(
                f"cannot load the reranker {model!r} offline ({type(exc).__name__}); put the model in a local "
                "folder and set QA_RERANKER to that path, or unset QA_RERANKER"
            ) from exc
        self.name = model

    def rerank(self, question: str, passages: list[Passage], k: int) -> list[Passage]:
        """The ``k`` best passages by cross-encoder score (which replaces ``Passage.score``)."""
        if not passages:
            return []
        scores = self._model.predict([(question, p.text) for p in passages], show_progress_bar=False)
        ranked = sorted(zip(scores, passages, strict=True), key=lambda x: -float(x[0]))
        return [replace(p, score=round(float(s), 4)) for s, p in ranked[:k]]
