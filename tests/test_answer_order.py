"""Which quoted sentence comes first: the one that answers, not the one that repeats the subject (no model)."""

from __future__ import annotations

from qa.extractive import extractive_answer
from retrieve.passage import Passage


class _FlatRarity:
    """Every word equally rare, so only the answerer's own ordering decides."""

    def idf(self, text: str) -> float:
        return 1.0


def _passage(title: str, text: str, rank: int = 0) -> Passage:
    return Passage(f"doc{rank}", f"doc{rank}#0", title, "", None, "", text, 0, len(text), 1.0 - rank / 10)


def _first_quote(question: str, concepts: list[list[str]], passages: list[Passage]) -> str:
    answer = extractive_answer(question, "zh", passages, concepts, _FlatRarity(), {})
    return answer.citations[0].sentence


def test_a_sentence_calling_the_subject_it_answers_over_ones_naming_the_subject():
    text = ("大果西番莲是西番莲属的植物中，果实最大的一种。大果西番莲有时候会在温室中种植。"
            "它的根部可用来当作催吐剂与麻醉药品。")
    passage = _passage("大果西番莲", text)
    first = _first_quote("大果西番莲的根部有什么作用？", [["大果西番莲"], ["根部"], ["作用"]], [passage])
    assert first == "它的根部可用来当作催吐剂与麻醉药品。"


def test_the_subject_in_the_title_does_not_pull_in_another_articles_sentence():
    about = _passage("尤金袋鼠", "尤金袋鼠共有三个亚种。它的体重约只有8公斤，适合饲养。")
    other = _passage("袋鼠", "红袋鼠的体重可达90公斤。", rank=1)
    first = _first_quote("尤金袋鼠的体重是多少？", [["尤金袋鼠"], ["体重"]], [about, other])
    assert first == "它的体重约只有8公斤，适合饲养。"
