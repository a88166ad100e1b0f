"""Sentence vectors: split once per index, kept beside it, and a chunk scores as its best sentence."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from common.sentences import split_sentences
from retrieve.sentences import SentenceVectors, split


def test_split_keeps_sentences_and_drops_table_rows_and_fragments():
    text = ("华沙是波兰的首都和最大的城市，位于维斯瓦河畔。\n| 2023/05 | B+ 轮 | 约 4 亿美元融资 |\n是的。\n"
            "- 第二句话也足够长，应当保留下来。")
    assert split(text) == ["华沙是波兰的首都和最大的城市，位于维斯瓦河畔。", "第二句话也足够长，应当保留下来。"]


def test_best_is_each_chunks_best_sentence_and_the_fallback_without_any():
    vectors = np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    store = SentenceVectors(vectors, np.array([0, 2, 2, 3]))  # chunk 1 has no sentences
    best = store.best(np.array([1.0, 0.0]), fallback=np.array([0.1, 0.2, 0.3], dtype=np.float32))
    assert np.allclose(best, [1.0, 0.2, 0.6])


class CountingEmbedder:
    def __init__(self) -> None:
        self.calls = 0
        self.seen: list[list[str]] = []

    def embed_passages(self, texts, *, progress=False):
        self.calls += 1
        self.seen.append(list(texts))
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)


def _index(path, *texts):
    chunks = [SimpleNamespace(chunk_id=f"c{i}", text=t) for i, t in enumerate(texts)]
    return SimpleNamespace(path=path, chunks=chunks, manifest=SimpleNamespace(model="m"),
                           dense=SimpleNamespace(dim=2))


def test_vectors_are_built_once_and_rebuilt_when_the_chunks_change(tmp_path):
    embedder = CountingEmbedder()
    index = _index(tmp_path, "第一段里有一句足够长的句子，用来检查。", "太短。")
    first = SentenceVectors.for_index(index, embedder)
    again = SentenceVectors.for_index(index, embedder)
    assert embedder.calls == 1 and list(again.offsets) == [0, 1, 1]
    assert np.array_equal(first.vectors, again.vectors)
    SentenceVectors.for_index(_index(tmp_path, "另一段里也有一句足够长的句子，用来检查。"), embedder)
    assert embedder.calls == 2


def test_a_rebuilt_index_embeds_only_sentences_the_cache_has_not_seen(tmp_path):
    embedder = CountingEmbedder()
    cache = tmp_path / "sentence_cache.sqlite3"
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    kept = "第一段里有一句足够长的句子，用来检查。"
    first = SentenceVectors.for_index(_index(old, kept), embedder, cache)
    rebuilt = SentenceVectors.for_index(_index(new, kept, "另一段里也有一句足够长的句子，用来检查。"), embedder, cache)
    assert embedder.calls == 2 and np.array_equal(rebuilt.vectors[:1], first.vectors)
    # The second build asked only for its new sentence.
    assert embedder.seen[-1] == ["另一段里也有一句足够长的句子，用来检查。"]


def test_cosines_give_each_sentence_of_a_chunk_its_score_and_nothing_when_the_split_differs():
    text = "华沙是波兰的首都和最大的城市，位于维斯瓦河畔。第二句话也足够长，应当保留下来。"
    store = SentenceVectors(np.array([[1, 0], [0.6, 0.8], [0, 1]], dtype=np.float32), np.array([0, 2, 3]))
    scores = store.cosines(0, text, np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert list(scores) == split(text)
    assert np.allclose(scores[split(text)[0]], [1.0, 0.0]) and np.allclose(scores[split(text)[1]], [0.6, 0.8])
    assert store.cosines(1, text, np.array([[1.0, 0.0]])) == {}  # one vector kept, two sentences now


def test_a_line_broken_into_lone_characters_says_nothing_but_a_table_row_does():
    from common.sentences import says_something

    assert not says_something("DeepSeek 同名网页端主 作为免费调用模型 力 公 入 存 ， 有 出 小程序 能 很多优化。")
    assert says_something("苏格兰 和 英格兰 在 1707 年合并。")  # a few spaced words are still a sentence
    assert says_something("| 2023/07 | B+ 轮 | 约 3 亿 | 40 亿 | 美团 |")


def test_a_quotation_and_who_said_it_are_one_sentence():
    text = ("“不要因为追随DeepSeek，而错过下一个DeepSeek。”复旦大学教授肖仰华告诉记者。"
            "在他看来，DeepSeek的崛起是必然。“它背后的母公司很强。”")
    assert split_sentences(text) == ("“不要因为追随DeepSeek，而错过下一个DeepSeek。”复旦大学教授肖仰华告诉记者。",
                                     "在他看来，DeepSeek的崛起是必然。", "“它背后的母公司很强。”")
    # A new quotation, or a long sentence after the quote, is a sentence of its own.
    assert len(split_sentences("“这是第一句话。”“这是第二句话。”")) == 2
    assert len(split_sentences("“这是一句引语。”" + "随后他又补充说明了很多很多别的事情" * 3 + "。")) == 2
