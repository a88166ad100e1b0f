"""The ablations: the product with its search stages switched off one by one, to measure what each adds."""

from __future__ import annotations

from dataclasses import replace

from qa.api import Pipeline
from retrieve.hybrid import HybridRetriever

# Each adds a stage to the one before it ("bm25" is the lexical side alone); "full" is what users get.
ABLATIONS: dict[str, dict[str, object]] = {
    "dense": {"lexical": False, "expand": False, "rerank": False, "sentence_weight": 0.0},
    "bm25": {"dense": False, "expand": False, "rerank": False, "sentence_weight": 0.0},
    "hybrid": {"expand": False, "rerank": False, "sentence_weight": 0.0},
    "expanded": {"rerank": False, "sentence_weight": 0.0},
    "full": {},
}


def ablated(pipeline: Pipeline, name: str) -> Pipeline:
    """``pipeline`` searching with the stages of ablation ``name`` only."""
    r = pipeline.retriever
    config = replace(r.config, **ABLATIONS[name])
    return replace(pipeline, retriever=HybridRetriever(r.index, r.embedder, r.expander, config, reranker=r.reranker,
                                                       rerank_candidates=r.rerank_candidates, rarity=r.rarity,
                                                       sentence_cache=r.sentence_cache))
