"""The offline answerer: quote the sentences from the top passages that answer the question."""

from __future__ import annotations

import re
from dataclasses import dataclass

from common.messages import message
from common.textnorm import compact, normalize
from qa.types import Answer, Citation
from retrieve.coverage import TermRarity, coverage, weigh
from retrieve.passage import Passage

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*[”’」』\"]?|\n")
_DIGIT = re.compile(r"\d")
_NUMERIC_QUESTION = re.compile(
    r"多少|几|幾|哪年|何时|何時|什么时候|什麼時候|日期|估值|金额|金額|价格|價格|收入|how (?:much|many)|when|what year|"
    r"valuation|price|revenue|worth|amount|date|score", re.I)
_TIME_QUESTION = re.compile(
    r"哪年|哪一年|哪天|哪一天|哪个月|哪個月|何时|何時|什么时候|什麼時候|when|what year|date", re.I)
_DATE = re.compile(r"(?:19|20)\d\d\s*(?:年|\.|-|/)|\d{1,2}\s*月")
_AMOUNT = re.compile(r"\d[\d,.]*\s*(?:亿|億|万|萬)?\s*(?:美元|元|人民币|人民幣)")
MAX_QUOTES = 3


@dataclass(frozen=True)
class _Candidate:
    passage_rank: int
    passage: Passage
    sentence: str
    score: float


def split_sentences(text: str) -> list[str]:
    """Sentences (or table rows) of a passage, each an exact substring of it."""
    out = []
    for m in _SENTENCE.finditer(text):
        s = m.group(0).strip()
        if len(s) >= 6 and any(c.isalnum() for c in s) and not set(s) <= set("|-: "):
            out.append(s)
    return out


def _about(passages: list[Passage], names: list[list[str]], lead_in: dict[str, str]) -> list[tuple[int, Passage]]:
    """The ranked passages that name something the question names (all of them if none does).

    A sentence that matches the question's other words in a passage about another company
    ("盘古大模型专注 ToB，赋能行业" for "百川智能专注于哪个行业？") is not an answer. The text just before a
    passage (``lead_in``) counts: a table piece names its company in the paragraph above it.
    """
    ranked = list(enumerate(passages))
    forms = [compact(n) for entity in names for n in entity if compact(n)]
    if not forms:
        return ranked
    about = [(r, p) for r, p in ranked
             if any(f in compact(f"{p.title} {p.section} {lead_in.get(p.chunk_id, '')} {p.text}") for f in forms)]
    return about or ranked


def _candidates(question: str, passages: list[Passage], concepts: list[list[str]],
                rarity: TermRarity, names: list[list[str]], lead_in: dict[str, str]) -> list[_Candidate]:
    wants_number = bool(_NUMERIC_QUESTION.search(question))
    wants_date = bool(_TIME_QUESTION.search(question))
    weighted = weigh(concepts, rarity)
    out = []
    for rank, passage in _about(passages, names, lead_in):
        head = f"{passage.title} {passage.section}"
        header = next((line for line in passage.text.split("\n") if line.startswith("|")), "")
        for sentence in split_sentences(passage.text):
            if sentence == header.strip():
                continue  # column names alone answer nothing
            if sentence.startswith("|"):
                # A table row means what its column headers and the text above the table say: "12 亿美元"
                # is MiniMax's valuation only through them, so they count in full.
                context = f"{head} {lead_in.get(passage.chunk_id, '')} {header}"
                score = 1.2 * coverage(weighted, f"{context} {sentence}")
            else:
                # Rare question words decide (IDF-weighted coverage); the heading counts a little.
                score = coverage(weighted, sentence) + 0.2 * coverage(weighted, f"{head} {sentence}")
            score += 0.1 / (1 + rank)  # higher-ranked passages break ties
            if wants_number and _DIGIT.search(sentence):
                score += 0.1
            if wants_date and _DATE.search(sentence):
                score += 0.2
            out.append(_Candidate(rank, passage, sentence, score))
    return sorted(out, key=lambda c: -c.score)


def _select(candidates: list[_Candidate]) -> list[_Candidate]:
    if not candidates:
        return []
    best = candidates[0].score
    chosen: list[_Candidate] = []
    for c in candidates:
        if len(chosen) == MAX_QUOTES or c.score < 0.75 * best:
            break
        key = normalize(c.sentence)
        if any(key in normalize(x.sentence) or normalize(x.sentence) in key for x in chosen):
            continue
        chosen.append(c)
    # Read in the order the retriever ranked the passages, and within a passage in text order.
    return sorted(chosen, key=lambda c: (c.passage_rank, c.passage.text.find(c.sentence)))


def _sources_disagree(chosen: list[_Candidate]) -> bool:
    amounts = {(c.passage.doc_id, a) for c in chosen for a in _AMOUNT.findall(c.sentence)}
    docs = {d for d, _ in amounts}
    return len(docs) >= 2 and len({a for _, a in amounts}) >= 2


def extractive_answer(question: str, language: str, passages: list[Passage], concepts: list[list[str]],
                      rarity: TermRarity, trace: dict[str, object], names: list[list[str]] | None = None,
                      lead_in: dict[str, str] | None = None) -> Answer:
    """Build a cited answer from quoted sentences; every quote occurs verbatim in its passage.

    ``names`` are the aliases of each company, person or product the question names: quotes come from
    passages that mention one of them, in the passage or in its ``lead_in`` (the article text just
    before it, by chunk id).
    """
    chosen = _select(_candidates(question, passages, concepts, rarity, names or [], lead_in or {}))
    if not chosen:
        return Answer(message("abstain", language), (), True, language, trace=trace)
    numbers: dict[str, int] = {}
    cited: list[Passage] = []
    citations: list[Citation] = []
    for c in chosen:
        if c.passage.chunk_id not in numbers:
            cited.append(c.passage)
            numbers[c.passage.chunk_id] = len(cited)
        citations.append(Citation(numbers[c.passage.chunk_id], c.passage, c.sentence))
    multi_doc = len({c.passage.doc_id for c in citations}) > 1
    lines = []
    for citation in citations:
        origin = ""
        if multi_doc:
            origin = message("source_prefix", language, title=citation.passage.title,
                             date=citation.passage.date or message("undated", language))
        lines.append(f"{origin}{citation.sentence} [{citation.number}]")
    lead = message("conflict_lead" if _sources_disagree(chosen) else "lead", language)
    text = lead + "\n" + "\n".join(f"- {line}" for line in lines)
    return Answer(text, tuple(cited), False, language, tuple(citations), trace=trace)
