"""The public Python API: :func:`retrieve` and :func:`ask`, loading the index and model once."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from common.embedder import Embedder
from common.errors import LLMError
from common.lang import detect_language
from common.messages import message
from common.patterns import CJK
from common.settings import Settings, get_settings
from common.textnorm import normalize
from embed import embedder_name, get_embedder, get_query_embedder
from index import IndexData, ensure_index
from llm.client import RETRY_BACKOFF_S, LLMClient, WaitBudget, llm_configured
from llm.prompts import render
from qa.abstain import AbstainPolicy
from qa.english import NameRenderer
from qa.evidence import NAMES, quoted_subjects
from qa.extractive import AnswerContext, extractive_answer
from qa.focus import ATTRIBUTES, FocusCheck
from qa.generate import llm_answer_stream, status_answer
from qa.shortanswer import question_kind, requested_topic
from qa.types import Answer
from qa.validate import clean_question
from retrieve.coverage import TermRarity, weigh
from retrieve.expand import GLOSSARY, TERMS, QueryExpander
from retrieve.hybrid import HybridRetriever, Retrieval, named_share
from retrieve.names import mine_name_pairs
from retrieve.passage import Passage
from retrieve.rerank import CrossEncoderReranker

log = logging.getLogger(__name__)
_SPELLED = ("pinyin", "sound")  # renderings of a name by how the question spells it
History = Sequence[dict[str, str]] | Sequence[tuple[str, str]] | None
LEAD_IN_CHARS = 300  # article text before a passage that still says what it is about


@dataclass
class Pipeline:
    """Everything loaded for one settings object: index, embedder, expander and retriever."""

    settings: Settings
    index: IndexData
    embedder: Embedder
    retriever: HybridRetriever
    policy: AbstainPolicy = field(default_factory=AbstainPolicy)
    llm: LLMClient | None = None
    # Chinese -> English names mined from the corpus's bracketed originals, for answers in English.
    mined_names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Connect the LLM when one is configured."""
        if self.llm is None and llm_configured(self.settings):
            self.llm = LLMClient(self.settings)

    @classmethod
    def load(cls, settings: Settings) -> Pipeline:
        """Load (building the index first when needed) the whole retrieval stack."""
        settings.check()
        # The passage model is loaded only when the index has to be (re)built.
        index = ensure_index(settings, lambda: get_embedder(settings), embedder_name(settings), progress=True)
        embedder = get_query_embedder(settings)
        rarity = TermRarity(index)
        texts = [doc.text for doc in index.documents.values()]
        names = mine_name_pairs(texts)
        expander = QueryExpander(rarity.doc_freq, settings.data_dir / "cache", settings.corpus_file(GLOSSARY),
                                 settings.corpus_file(TERMS), names.to_chinese, texts)
        reranker = CrossEncoderReranker(settings.reranker, settings.threads) if settings.reranker else None
        retriever = HybridRetriever(index, embedder, expander, reranker=reranker,
                                    rerank_candidates=settings.rerank_candidates, rarity=rarity,
                                    sentence_cache=settings.sentence_cache_path)
        retriever.sentences  # noqa: B018 - read or embed them now, not during the first question
        return cls(settings, index, embedder, retriever,
                   AbstainPolicy(focus=FocusCheck.load(settings.corpus_file(ATTRIBUTES))),
                   mined_names=names.to_english)

    def search(self, question: str, k: int, history: History = None,
               budget: WaitBudget | None = None) -> Retrieval:
        """Validate, condense with the conversation, and retrieve (LLM rewriting spends from ``budget``)."""
        question = clean_question(question, self.settings.max_question_chars)
        language = detect_language(question)
        query, translation = self._rewrite(requested_topic(question), language, history,
                                           budget or WaitBudget(self.llm_budget_s()))
        retrieval = self.retriever.search(query, k=k, language=language, translation=translation)
        retrieval.trace["question"] = question
        retrieval.trace["retrieval_query"] = query
        return retrieval

    def _rewrite(self, question: str, language: str, history: History,
                 budget: WaitBudget) -> tuple[str, str | None]:
        """The query to search with and, for English questions, an LLM translation into Chinese."""
        if self.llm is None:
            return self._with_context(question, history), None
        query = self._with_context(question, history)
        try:
            turns = _turns_text(history)
            if turns:
                with budget.call() as deadline:
                    query = self.llm.complete([{"role": "user", "content": render(
                        "condense", language, history=turns, question=question)}], deadline) or query
            translation = None
            if language == "en":
                with budget.call() as deadline:
                    translation = self.llm.complete([{"role": "user", "content": render(
                        "translate_query", "en", question=query)}], deadline) or None
            return query[: self.settings.max_question_chars], translation
        except LLMError as exc:
            log.warning("query rewriting skipped: %s", exc)
            return query, None

    def _with_context(self, question: str, history: History) -> str:
        """Name the subject of the conversation so far, when a follow-up refers back to it.

        The subject is what the previous answer was about: the company or person the last question that
        named one asked about, or, when the follow-up says "he" or "she" and the previous answer was a
        person ("Who founded MiniMax?" → 闫俊杰), that person. Both the Chinese and the English name are
        added, so the follow-up finds its passages in either language.
        """
        expander = self.retriever.expander
        if history and _only_names(expander, question):
            # "那零一万物呢？" asks the last question again, of another subject: "零一万物 专注于什么？".
            asked = _asked_before(expander, history, detect_language(question))
            return f"{_named_part(question)} {asked}" if asked else question
        if not history or not _refers_back(question):
            return question
        person = bool(_PERSON_PRONOUN.search(question))
        named = _subjects(expander, question)
        if named and not person:
            return question
        subject, answered_person = _conversation_subject(expander, history, person=person)
        if named and not answered_person:
            return question  # "他" with no person answered before: the question's own names say enough
        subject = [s for s in subject if s not in named]
        if not subject:
            return question
        names = list(dict.fromkeys(n for forms in subject for n in forms[:1] + forms[-1:]))
        return f"{' '.join(names)} {question}"

    def ask(self, question: str, k: int = 5, history: History = None) -> Answer:
        """Answer with quoted, cited sentences, or abstain."""
        *_, answer = self.ask_stream(question, k, history)
        return answer

    def llm_budget_s(self) -> float:
        """The longest a question waits for the LLM: one timeout, the retry's backoff and one more timeout."""
        return 2 * self.settings.llm_timeout + RETRY_BACKOFF_S

    def ask_stream(self, question: str, k: int = 5, history: History = None) -> Iterator[Answer]:
        """Yield growing partial answers (``complete=False``), then the final one.

        With an LLM, the first partial answers only carry a ``status`` in their trace (rewriting the question,
        waiting for the model); all LLM calls of one question share one wait budget (:meth:`llm_budget_s`).
        """
        budget = WaitBudget(self.llm_budget_s())
        if self.llm is not None:
            language = detect_language(clean_question(question, self.settings.max_question_chars))
            if history or language == "en":
                yield status_answer(language, "status_llm_rewrite")
        retrieval, answer = self._offline_answer(question, k, history, budget)
        if self.llm is not None and not answer.abstained:
            yield from llm_answer_stream(self.llm, str(retrieval.trace["question"]), retrieval, answer,
                                         self.embedder, budget)
            return
        lines = answer.text.split("\n")
        for n in range(1, len(lines)):
            yield replace(answer, text="\n".join(lines[:n]), citations=(), complete=False)
        yield answer

    def answer_and_rank(self, question: str, k: int, depth: int) -> tuple[Retrieval, Answer]:
        """The offline answer from the best ``k`` passages and the ranking ``depth`` deep, from one search.

        For evaluation, which scores the ranking and the answer of every question.
        """
        return self._offline_answer(question, k, None, depth=depth)

    def _offline_answer(self, question: str, k: int, history: History,
                        budget: WaitBudget | None = None, depth: int = 0) -> tuple[Retrieval, Answer]:
        started = time.perf_counter()
        if question_kind(clean_question(question, self.settings.max_question_chars)) == "list":
            k = max(k, self.settings.list_passages)
        ranked = self.search(question, max(k, depth), history, budget=budget)
        retrieval = replace(ranked, passages=ranked.passages[:k])
        trace = retrieval.trace
        clean = str(trace["question"])
        query = str(trace.get("retrieval_query", clean))
        if history and _only_names(self.retriever.expander, clean):
            clean = query  # "那零一万物呢？" is answered as the question it stands for
        trace["asks_for"] = [a.name for a in self.policy.focus.asked(query)]
        lead_in = self.lead_in(retrieval.passages)
        decision = self.policy.decide(query, retrieval, self.retriever.rarity, lead_in)
        if decision.abstain:
            answer = Answer(message("abstain", retrieval.language), (), True, retrieval.language, trace=trace)
        else:
            context = self._answer_context()
            context = replace(context, names=quoted_subjects(clean, retrieval.expansion), lead_in=lead_in,
                              similarity=retrieval.sentence_scores, sure_share=self._sure_share(retrieval),
                              renderer=context.renderer.with_names(spelled_names(clean, retrieval)))
            answer = extractive_answer(clean, retrieval.language, retrieval.passages,
                                       retrieval.expansion.worded, self.retriever.rarity, trace, context=context)
        trace["top_dense"] = round(retrieval.top_dense, 4)
        trace["answerable_probability"] = round(decision.probability, 4)
        trace["evidence"] = {k: round(v, 4) for k, v in zip(NAMES, decision.evidence.vector(), strict=True)}
        trace["decision"] = decision.reason
        trace["answer_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return ranked, answer

    def _answer_context(self) -> AnswerContext:
        """What the answerer needs besides the passages, built once: documents, known people, names in English."""
        if getattr(self, "_context", None) is None:
            expander = self.retriever.expander

            def entities_in(text: str) -> list[tuple[str, ...]]:
                return [e.zh + e.en for e in expander.find_entities(text) if e.kind in _SUBJECT_KINDS]

            people = tuple(n for e in expander.entities if e.kind == "person" for n in e.zh)
            self._context = AnswerContext(documents=self.index.documents, people=people, entities_in=entities_in,
                                          renderer=NameRenderer.from_entities(expander.entities, self.mined_names))
        return self._context

    def _sure_share(self, retrieval: Retrieval) -> float:
        """How much of the question reaches the articles word for word.

        All of a Chinese question; of an English one, the share that names, glossary terms and dates render
        (the dictionary's renderings of plain words are guesses).
        """
        if retrieval.language != "en":
            return 1.0
        expansion = retrieval.expansion
        return named_share(expansion, expansion.concepts, weigh(expansion.concepts, self.retriever.rarity))

    def lead_in(self, passages: list[Passage], chars: int = LEAD_IN_CHARS) -> dict[str, str]:
        """The article text just before each passage, where a table's company is usually named."""
        out = {}
        for p in passages:
            doc = self.index.documents.get(p.doc_id)
            if doc is not None:
                out[p.chunk_id] = doc.text[max(0, p.start - chars): p.start]
        return out


_REFERENCE = re.compile(
    r"\b(?:it|its|it's|they|them|their|theirs|he|she|his|her|this|that|these|those|the company|the firm)\b|"
    r"它|其|该公司|該公司|这家|這家|那家|此公司|他们|他們|她们|她們|他|她|呢[？?]?$", re.I)


_PERSON_PRONOUN = re.compile(r"\b(?:he|she|him|his|her|hers)\b|他|她", re.I)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_SUBJECT_KINDS = ("company", "person", "product", "other")


def _subjects(expander: QueryExpander, text: str) -> list[tuple[str, ...]]:
    """The companies, people, products and groups ``text`` names, as (first Chinese name, first English name)."""
    return [(e.zh[0] if e.zh else e.en[0], e.en[0] if e.en else e.zh[0])
            for e in expander.find_entities(text) if e.kind in _SUBJECT_KINDS]


def _answer_person(expander: QueryExpander, answer: str) -> tuple[str, ...] | None:
    """The person a previous answer's short answer names (its first bold span), if any."""
    first = _BOLD.search(answer.split("\n", 1)[0])
    if not first:
        return None
    people = [e for e in expander.find_entities(first.group(1)) if e.kind == "person"]
    if people:
        return (people[0].zh[0] if people[0].zh else people[0].en[0], people[0].en[0] if people[0].en else "")
    # A name the glossary lacks: "马可" alone, or "Ma Ke (马可)" in an English answer.
    name = re.fullmatch(rf"(?:[A-Z][a-z]+(?: [A-Z][a-z]+)* \()?([{CJK}]{{2,4}})\)?", first.group(1).strip())
    return (name.group(1),) if name else None


def _conversation_subject(expander: QueryExpander, history: History, *,
                          person: bool) -> tuple[list[tuple[str, ...]], bool]:
    """What the conversation is about after ``history``, and whether that is the person last answered.

    Each turn keeps the subject unless it names another; with ``person`` (the follow-up says "he" or
    "she"), a person the previous answer named is the subject.
    """
    subject: list[tuple[str, ...]] = []
    answered: tuple[str, ...] | None = None
    for question, answer in _exchanges(history):
        named = _subjects(expander, question)
        if named:
            subject = named[:2]
        elif not _refers_back(question):
            subject = []  # a new question about nothing we know of ends the old subject
        answered = _answer_person(expander, answer)
    if person and answered:
        return [answered], True
    return subject, False


# "那零一万物呢？", "What about Zhipu?", "And MiniMax?": a subject and nothing asked of it.
_WHAT_ABOUT = re.compile(r"(?:那么?|那麼)?(?P<zh>.{1,30}?)(?:呢|怎么样|怎麼樣)|(?:what|how) about (?P<en>.+?)|"
                         r"and (?P<and>.+?)", re.I)


def _without_names(expander: QueryExpander, text: str) -> str:
    """``text`` (normalised) without the names of the companies, people and products it names."""
    text = normalize(text)
    for entity in expander.find_entities(text):
        for alias in sorted(entity.zh + entity.en, key=len, reverse=True):
            text = text.replace(normalize(alias), " ")
    return " ".join(text.split())


def _named_part(question: str) -> str:
    """What a "what about X?" question names: X."""
    about = _WHAT_ABOUT.fullmatch(question.strip().rstrip("?？ "))
    return next((g.strip() for g in about.groups() if g), "") if about else ""


def _only_names(expander: QueryExpander, question: str) -> bool:
    """Whether ``question`` only names a subject it knows, in a "what about X?" form, and asks nothing of its own."""
    named = _named_part(question)
    return bool(named) and bool(expander.find_entities(named)) and \
        not re.sub(r"[\s的之和与及、,，]|\bthe\b", "", _without_names(expander, named))


# An English question asked again in Chinese: its rendered words and the Chinese question word for its kind.
_ASKING_ZH = {"person": "是谁", "time": "是什么时候", "number": "是多少", "place": "在哪里", "entity": "是什么"}


def _asked_before(expander: QueryExpander, history: History, language: str) -> str:
    """The last question of ``history`` that asked something of its own, without the subjects it named.

    An English question asked again of a subject in a Chinese follow-up is put in Chinese words.
    """
    question = next((q for q, _ in reversed(_exchanges(history)) if not _only_names(expander, q)), "")
    if not question or (language == "en") == (detect_language(question) == "en"):
        return _without_names(expander, question)
    if language == "en":
        return ""  # a Chinese question is not put in English offline: the follow-up is searched as it is
    rendered = expander.expand(_without_names(expander, question), "en").translation
    return f"{rendered}{_ASKING_ZH.get(question_kind(question), '')}" if rendered else ""


def _exchanges(history: History) -> list[tuple[str, str]]:
    """(question, answer) pairs of the conversation, in order; an unanswered question has ""."""
    pairs: list[tuple[str, str]] = []
    for item in history or ():
        if isinstance(item, dict):
            content = item.get("content")
            if not isinstance(content, str):
                continue
            if item.get("role") == "user":
                pairs.append((content, ""))
            elif item.get("role") == "assistant" and pairs:
                pairs[-1] = (pairs[-1][0], content)
        elif isinstance(item, list | tuple) and item and isinstance(item[0], str):
            pairs.append((item[0], str(item[1]) if len(item) > 1 and item[1] else ""))
    return pairs


def _refers_back(question: str) -> bool:
    """A follow-up points at an earlier subject with a pronoun, or is a short elliptical question."""
    return bool(_REFERENCE.search(question)) or (len(question.split()) <= 3 and len(question) <= 12)


def spelled_names(question: str, retrieval: Retrieval) -> dict[str, str]:
    """Chinese names an English question spells (in pinyin or by sound), each to the spelling it was asked with.

    Only names one corpus word alone matched: an English reader then sees "Iqbal" beside 伊克巴勒, as they wrote it.
    """
    if retrieval.language != "en":
        return {}
    names = {}
    for r in retrieval.expansion.renderings:
        sure = r.source in _SPELLED and r.confidence == 1.0
        written = re.search(re.escape(r.text), question, re.I) if sure else None
        if written:
            names.update(dict.fromkeys(r.chinese, written.group(0)))
    return names


def _turns_text(history: History, last: int = 6) -> str:
    """The recent conversation as plain ``role: text`` lines for the condense prompt."""
    lines = []
    for item in list(history or ())[-last:]:
        if isinstance(item, dict) and isinstance(item.get("content"), str):
            lines.append(f"{item.get('role', 'user')}: {item['content'][:1000]}")
        elif isinstance(item, list | tuple) and len(item) == 2:
            lines.extend(f"{role}: {str(text)[:1000]}" for role, text in zip(("user", "assistant"), item, strict=True)
                         if text)
    return "\n".join(lines)


_lock = threading.Lock()
_pipelines: dict[Settings, Pipeline] = {}


def get_pipeline(settings: Settings | None = None) -> Pipeline:
    """The pipeline for ``settings`` (default: the environment), loaded once per process."""
    settings = settings or get_settings()
    with _lock:
        if settings not in _pipelines:
            _pipelines[settings] = Pipeline.load(settings)
        return _pipelines[settings]


def retrieve(question: str, k: int = 5, *, history: History = None, settings: Settings | None = None) -> list[Passage]:
    """The ``k`` passages that best match ``question``, best first."""
    return get_pipeline(settings).search(question, k, history).passages


def ask(question: str, k: int = 5, history: History = None, *, settings: Settings | None = None) -> Answer:
    """Answer ``question`` in its own language with citations, or abstain when the articles can't answer."""
    return get_pipeline(settings).ask(question, k, history)


def ask_stream(question: str, k: int = 5, history: History = None, *,
               settings: Settings | None = None) -> Iterator[Answer]:
    """Like :func:`ask`, yielding partial answers as the text grows; the last one is complete."""
    return get_pipeline(settings).ask_stream(question, k, history)
