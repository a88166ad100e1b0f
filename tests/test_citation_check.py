"""check_citations: each cited sentence of an LLM answer is judged against the passages it cites."""

from __future__ import annotations

import zlib

import numpy as np

from llm.answer import check_citations
from retrieve.passage import Passage


def _passage(text: str, n: int = 1) -> Passage:
    return Passage(chunk_id=f"c{n}", doc_id=f"d{n}", title="Moonshot AI", source="test", date=None, section="",
                   text=text, start=0, end=len(text), score=1.0)


MOONSHOT = _passage("Moonshot AI was founded in 2023 by Yang Zhilin. It raised US$1 billion in its latest round.")
MINIMAX = _passage("MiniMax was founded in 2021 in Shanghai.", 2)


class _Unrelated:
    """An embedder giving every text its own random direction, so no two texts mean the same."""

    name, dim = "unrelated", 256

    def embed_queries(self, texts):
        rows = [np.random.default_rng(zlib.crc32(t.encode())).standard_normal(self.dim) for t in texts]
        vectors = np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-9)

    embed_passages = embed_queries


def _verdicts(text: str, passages=(MOONSHOT, MINIMAX), embedder=None):
    return {c.sentence: (c.supported, c.reason) for c in check_citations(text, list(passages), embedder)}


def test_a_sentence_restating_its_passage_is_supported():
    assert _verdicts("Moonshot AI was founded in 2023 by Yang Zhilin [1].") == {
        "Moonshot AI was founded in 2023 by Yang Zhilin [1].": (True, "")}


def test_a_figure_the_passage_does_not_give_is_flagged():
    ((supported, reason),) = _verdicts("Moonshot AI raised US$3 billion in its latest round [1].").values()
    assert not supported and reason == "figure"


def test_a_marker_beyond_the_passages_given_is_flagged():
    ((supported, reason),) = _verdicts("Moonshot AI was founded in 2023 [7].").values()
    assert not supported and reason == "marker"


def test_a_sentence_citing_the_wrong_passage_is_flagged():
    ((supported, _),) = _verdicts("Moonshot AI was founded in 2023 by Yang Zhilin [2].").values()
    assert not supported


def test_sentences_without_markers_are_not_judged_and_each_sentence_keeps_its_own_markers():
    checked = check_citations("Here is what I found. Moonshot AI was founded in 2023 [1]. MiniMax was founded "
                              "in 2021 in Shanghai [2].", [MOONSHOT, MINIMAX], None)
    assert [(c.numbers, c.supported) for c in checked] == [((), True), ((1,), True), ((2,), True)]


def test_unrelated_words_need_the_meaning_check_to_pass():
    # Same figures and names, other words: without a meaning match it is not backed.
    ((supported, reason),) = _verdicts("Yang Zhilin enjoys painting landscapes on weekends [1].",
                                       embedder=_Unrelated()).values()
    assert not supported and reason in {"meaning", "name"}
