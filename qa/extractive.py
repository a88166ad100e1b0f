"""The offline answerer: the short answer first, then the quoted sentences that support it."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from common.messages import message
from common.patterns import CJK, CJK_CHAR
from common.sentences import says_something, split_sentences
from common.textnorm import compact, normalize
from qa.english import ASKED_COLUMNS, FIGURE, NameRenderer, date_key, english_column, render_figures
from qa.evidence import relation_words
from qa.shortanswer import (
    PERSON,
    asks_choice,
    extract_span,
    holds_kind,
    is_factoid,
    question_kind,
    reads_as_person,
    requested_topic,
)
from qa.tables import cells, header_before, is_header, is_row, pairs, pairs_text, row_header
from qa.types import Answer, Citation
from retrieve.coverage import TermRarity, WeightedConcepts, coverage, weigh
from retrieve.passage import Passage

_DIGIT = re.compile(r"\d")
_NUMERIC_QUESTION = re.compile(
    r"多少|几|幾|哪年|何时|何時|什么时候|什麼時候|日期|估值|金额|金額|价格|價格|收入|how (?:much|many)|when|what year|"
    r"valuation|price|revenue|worth|amount|date|score", re.I)
_TIME_QUESTION = re.compile(
    r"哪年|哪一年|哪天|哪一天|哪个月|哪個月|何时|何時|什么时候|什麼時候|when|what year|date", re.I)
# Any year a sentence writes with 年 ("1817 年", "880 年代"); one written with a separator only in this era, where
# "2023.04" is a date and "3.14" is not.
_DATE = re.compile(r"(?<!\d)\d{3,4}\s*年|(?:19|20)\d\d\s*[./-]|\d{1,2}\s*月")
_ENUMERATION = re.compile(r"[、,，](?=[^、,，]{1,12}[、,，和及与)）])")
_ASKS_WHY = re.compile(r"为什么|为何|為什麼|為何|原因|缘故|緣故|怎么会|怎麼會|\bwhy\b", re.I)
# A sentence that opens with "therefore" states a consequence; its reasons are in the sentence before.
_CONSEQUENCE = re.compile(r"\s*(?:因此|所以|因而|故此|故而|于是|於是|由此|从而|從而|也因此|正因如此|因为这样|因為這樣)")
_CAUSE = re.compile(r"因|由于|由於|所以|以致|导致|導致")
# "他", "它", "该" and "其" refer back; "此外", "其中" and "其他" only go on.
_PRONOUN_OPENING = re.compile(r"[\s“「『\"（(]*(?:他|她|它|该|該|其(?![他它中实實次余餘])|此(?![外后後时時前]))")
# A Latin word of a column name or a question: "MATH (zero-shot)" is asked for by "zero-shot MATH score".
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")
_BARE_NUMBER = re.compile(r"[\d.,\s]+")
_WH_WORDS = re.compile(r"什么|哪些|哪个|哪里|多少|是谁|为什么|怎么|如何|何时|是否|吗|呢")
OVERLAP_WEIGHT = 1.5  # how much repeating the question's wording adds to a sentence's score
SUBJECT_BONUS = 0.15  # for a sentence naming the question's subject; taken from one naming only others
STATED_BONUS = 0.15  # for one that also holds a word of what is asked of the subject ("创始人" of "谁创立了智谱")
MAX_QUOTES = 3  # sentences quoted for a list or an explanation
MAX_FACTOID_QUOTES = 2  # for a factoid question when no sentence holds a short answer
SHORT_ASIDE = 12  # characters: "肖仰华告诉记者。" says who speaks, not what a pronoun after it means
TYPED_BONUS = 0.2  # for a sentence holding a name, date or figure of the kind the question asks for
SPAN_TRIES = 5  # best sentences searched for a short answer, in score order
SPAN_SCORE = 0.8  # ... as long as they score at least this share of the best
SECOND_SCORE = 0.75  # a factoid answer quotes a second sentence scoring at least this share of the best
# How much a sentence's embedding similarity to the question adds (0..1 times this): SIMILARITY_WEIGHT when the
# question's words meet the articles' own (Chinese questions, names and glossary terms), up to
# UNRENDERED_SIMILARITY_WEIGHT when none do (an English question's words rendered by the dictionary or not at
# all), since then the embedding is what links them. First quote holding the gold answer, dev, without | with:
# XQuAD en .473 | .670, zh .804 | .808; CMRC .814 | .817; our articles en .605 | .605, zh .722 | .741, zh-Hant
# .7 | .6 (one question), without corpus vocabulary en .405 | .500.
SIMILARITY_WEIGHT = 0.5
UNRENDERED_SIMILARITY_WEIGHT = 1.5


@dataclass(frozen=True)
class _Candidate:
    passage_rank: int
    passage: Passage
    sentence: str
    score: float
    about_others: bool = False  # names only companies or people the question does not ask about


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


def _candidates(question: str, passages: list[Passage], weighted: WeightedConcepts, names: list[list[str]],
                lead_in: dict[str, str]) -> list[_Candidate]:
    kind = question_kind(question)
    wants_list = kind == "list"
    describe = requested_topic(question) != question
    wants_number = bool(_NUMERIC_QUESTION.search(question))
    wants_date = bool(_TIME_QUESTION.search(question))
    subject = {compact(n) for entity in names for n in entity if compact(n)}
    out = []
    for rank, passage in _about(passages, names, lead_in):
        head = f"{passage.title} {passage.section}"
        header = next((line for line in passage.text.split("\n") if line.startswith("|")), "")
        headings = {h.strip() for h in passage.section.split(" > ")}
        sentences = split_sentences(passage.text)
        for i, sentence in enumerate(sentences):
            at = passage.text.find(sentence)
            if sentence == header.strip() or (is_row(sentence) and is_header(passage.text, at)):
                continue  # column names alone answer nothing
            if not sentence.startswith("|") and not says_something(sentence):
                continue
            if sentence.strip() in headings:
                continue  # a heading labels what follows; its words count as the passage's framing instead
            if sentence.startswith("|"):
                # A table row means what its column headers and the text above the table say: "12 亿美元"
                # is MiniMax's valuation only through them, so they count in full. The text above names the
                # table's company; what the row says is in its cells and column names ("……Under 35 创始人带队"
                # above a funding table does not make its rows about the founder).
                # A second header row names the columns under the first one's categories (MMMU under 英文通用).
                columns = f"{header} {' '.join(header_before(passage.text, at))}"
                framed = compact(f"{head} {lead_in.get(passage.chunk_id, '')} {columns} {sentence}")
                own = compact(f"{columns} {sentence}")
                # A request to describe something ("Tell me about Kimi") wants prose, not a row of figures.
                score = (0.6 if describe else 1.2) * _split_coverage(weighted, subject, framed, own)
            else:
                # Rare question words decide (IDF-weighted coverage). The article's title names its subject,
                # which its sentences call "it" or leave out ("它的根部可用来当作催吐剂"), so it counts in
                # full; the section heading counts a little.
                # A sentence opening with "he", "it" or "the company" is about what the sentence before it
                # says ("……资助一家电力照明公司。该公司安装了……"), whose words count as the title's do. Its
                # first clause alone missed them: dev first quote, XQuAD zh .812 → .816, en .747 → .749.
                antecedent = _antecedent(sentences, i) if _PRONOUN_OPENING.match(sentence) else ""
                score = coverage(weighted, f"{passage.title} {antecedent} {sentence}") + \
                    0.2 * coverage(weighted, f"{head} {sentence}")
            score += 0.1 / (1 + rank)  # higher-ranked passages break ties
            if wants_number and _DIGIT.search(sentence):
                score += 0.1
            if wants_date and _DATE.search(sentence):
                score += 0.2
            if holds_kind(question, sentence, kind):
                score += TYPED_BONUS
            if wants_list:
                # A list is answered by a sentence that enumerates: "（智谱、月之暗面、百川智能……）".
                score += 0.05 * min(4, len(_ENUMERATION.findall(sentence)))
            out.append(_Candidate(rank, passage, sentence, score))
    out = _add_overlap(question, out, weighted)
    return sorted(out, key=lambda c: -c.score)


def _split_coverage(weighted: WeightedConcepts, subject: set[str], framed: str, own: str) -> float:
    """IDF-weighted coverage: the question's subject may be found in ``framed``, its other words only in ``own``.

    With no known subject every word may be found in ``framed``.
    """
    total = sum(w for w, _ in weighted)
    covered = sum(w for w, forms in weighted
                  if any(f in (framed if not subject or set(forms) & subject else own) for f in forms))
    return covered / total if total else 0.0


def _bigrams(text: str) -> set[str]:
    """Character pairs of the Chinese runs of ``text`` and its Latin words, in compact form."""
    text = compact(text)
    grams = {m.group(0) for m in re.finditer(r"[a-z0-9][a-z0-9.\-]*", text)}
    for run in re.findall(rf"[{CJK}]+", text):
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return grams


def _add_overlap(question: str, candidates: list[_Candidate], weighted: WeightedConcepts) -> list[_Candidate]:
    """Add how closely each sentence repeats the question's own words, the rarest among the candidates first.

    A question often rewords one sentence ("1992年4月，罗保铭担任什么职务？" / "1992年4月，任……副书记"): the
    words it shares with that sentence and few others point at it, while the subject's name, in every
    sentence of the passage, counts little. Both the question's character pairs and its concepts count,
    weighted by inverse frequency over the candidate sentences. A word of the article's title (its
    subject, as a rule) counts for each of its sentences, which name it as "it" or not at all.
    """
    if len(candidates) < 2:
        return candidates
    n = len(candidates)
    asked = _bigrams(_WH_WORDS.sub(" ", normalize(question)))
    titles = {id(c.passage): c.passage.title for c in candidates}
    title_grams = {k: _bigrams(v) & asked for k, v in titles.items()}
    grams = [_bigrams(c.sentence) | title_grams[id(c.passage)] for c in candidates]
    texts = [f"{compact(c.sentence)}|{compact(titles[id(c.passage)])}" for c in candidates]
    pair_weight = {g: math.log(1 + n / (1 + sum(g in s for s in grams))) for g in asked}
    pair_total = sum(pair_weight.values()) or 1.0
    concept_weight = [(w * math.log(1 + n / (1 + sum(any(f in t for f in forms) for t in texts))), forms)
                      for w, forms in weighted if forms]
    concept_total = sum(w for w, _ in concept_weight) or 1.0
    out = []
    for c, s, text in zip(candidates, grams, texts, strict=True):
        pairs_score = sum(pair_weight[g] for g in asked & s) / pair_total
        concept_score = sum(w for w, forms in concept_weight if any(f in text for f in forms)) / concept_total
        out.append(replace(c, score=c.score + OVERLAP_WEIGHT * (pairs_score + concept_score) / 2))
    return out




def _add_similarity(candidates: list[_Candidate], context: AnswerContext) -> list[_Candidate]:
    """Add how close each sentence's embedding is to the question's, from the least to the most similar candidate.

    Cosines of one question's sentences differ by a few hundredths, so they count relative to the other
    candidates (0 for the least similar, 1 for the most). Table rows and short pieces have no vector of their
    own: a row counts as the most similar (its words, not its vector, decide), a short piece as middling.
    """
    weight = SIMILARITY_WEIGHT + (UNRENDERED_SIMILARITY_WEIGHT - SIMILARITY_WEIGHT) * (1 - context.sure_share)
    cosines = [context.similarity.get(c.passage.chunk_id, {}).get(c.sentence) for c in candidates]
    known = [x for x in cosines if x is not None]
    if not known or max(known) - min(known) < 1e-6:
        return candidates
    high, low = max(known), min(known)
    out = []
    for c, x in zip(candidates, cosines, strict=True):
        share = 1.0 if x is None and is_row(c.sentence) else 0.5 if x is None else (x - low) / (high - low)
        out.append(replace(c, score=c.score + weight * share))
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
    # The best sentence first; the others in the order the retriever ranked the passages, and within a
    # passage in text order.
    return chosen[:1] + sorted(chosen[1:], key=lambda c: (c.passage_rank, c.passage.text.find(c.sentence)))


@dataclass(frozen=True)
class AnswerContext:
    """What the answerer knows beyond the passages: names, tables, and how to speak English.

    ``names`` are the aliases of each company, person or product the question names; ``lead_in`` is the
    article text just before each passage (by chunk id), where a table's company is usually named;
    ``documents`` give the whole article (by doc id) so a table row finds its header; ``people`` are
    known person names; ``entities_in`` finds the glossary entities a text names, as alias tuples;
    ``renderer`` renders Chinese names in English; ``similarity`` gives each passage's sentences (by chunk
    id) with their embedding cosine to the question; ``sure_share`` is the share of the question's words
    rendered surely in the articles' language (names, glossary terms, dates; 1 for a Chinese question).
    """

    names: list[list[str]] = field(default_factory=list)
    lead_in: dict[str, str] = field(default_factory=dict)
    documents: Mapping[str, object] | None = None
    people: tuple[str, ...] = ()
    entities_in: Callable[[str], list[tuple[str, ...]]] | None = None
    renderer: NameRenderer = field(default_factory=NameRenderer)
    similarity: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    sure_share: float = 1.0

    @cached_property
    def subject_forms(self) -> set[str]:
        """Every alias of what the question names, in compact form, to compare with what a sentence names."""
        return {compact(a) for entity in self.names for a in entity}


def _header(passage: Passage, sentence: str, context: AnswerContext) -> list[str]:
    """The header cells of the table a quoted row belongs to."""
    doc = context.documents.get(passage.doc_id) if context.documents else None
    return row_header(sentence, passage.text, getattr(doc, "text", "") or "")


def _row_label(row: str) -> str:
    """The first non-empty cell of a table row: what the row is about (a company, a model, a date)."""
    return next((c for c in cells(row) if c), "")


def _row_about_others(sentence: str, context: AnswerContext) -> bool:
    """A table row whose label names companies or people, none of them asked about, is about someone else.

    Only the label counts: a funding row lists investors, which are companies too.
    """
    if not context.names or context.entities_in is None:
        return False
    named = context.entities_in(_row_label(sentence))
    asked = context.subject_forms
    return bool(named) and not any(compact(a) in asked for entity in named for a in entity)


def _by_subject(candidates: list[_Candidate], context: AnswerContext, kind: str = "",
                relation: list[set[str]] | None = None) -> list[_Candidate]:
    """Prefer sentences that name what the question asks about, and avoid those about someone else.

    "一些公司，如Minimax和Moonshot，转而专注于……" answers "what does Baichuan focus on" only in its words.
    The person a "who" question asks for is not someone else, and a sentence naming nobody is about the
    subject its heading names: "创始人唐杰教授是……" answers "智谱的创始人是谁？" under "智谱 AI——团队". A
    sentence that also says what is asked of the subject (``relation``: "创始人") counts once more.
    """
    if not context.names or context.entities_in is None:
        return candidates
    asked = context.subject_forms
    people = {compact(p) for p in context.people} if kind == PERSON else set()
    framing_names: dict[tuple[str, bool], list[tuple[str, ...]]] = {}  # one lookup per passage, not per sentence
    out = []
    for c in candidates:
        row = is_row(c.sentence)
        said = _row_label(c.sentence) if row else c.sentence
        named = [entity for entity in context.entities_in(said) if not any(compact(a) in people for a in entity)]
        alone = all(any(compact(a) in asked for a in entity) for entity in named)
        own = bool(named)  # the sentence itself names someone, not only its headings
        # The subject may be of a kind the lookup leaves out: "浙江大学的作者人数……" is about the university
        # asked about, whoever else it names ("DeepSeek创始人梁文锋的母校——浙江大学……").
        flat = compact(said)
        names_subject = any(len(f) >= 2 and f in flat for f in asked)
        if not names_subject and not row and _PRONOUN_OPENING.match(c.sentence):
            # "它背后的母公司幻方资本……" is about what the sentence before it names ("DeepSeek的火爆出圈……").
            sentences = [s for s in split_sentences(c.passage.text) if not is_row(s)]
            before = compact(_antecedent(sentences, sentences.index(c.sentence))) if c.sentence in sentences else ""
            names_subject = any(len(f) >= 2 and f in before for f in asked)
        if not named and not names_subject:
            # A sentence (or a row) naming nobody is about what its headings and the text just above name.
            key = (c.passage.chunk_id, row)
            if key not in framing_names:
                framing = f"{c.passage.section} {context.lead_in.get(c.passage.chunk_id, '')}"
                framing_names[key] = context.entities_in(f"{c.passage.title} {framing}" if row else framing)
            named = framing_names[key]
            if not named:
                out.append(c)
                continue
        if names_subject or any(compact(a) in asked for entity in named for a in entity):
            # Saying what is asked counts for a sentence about the subject alone: "除月之暗面外，智谱……等也作为
            # 独角兽（企业估值超过10亿美元）" gives a valuation for a group, not for 月之暗面.
            stated = alone and relation and any(f in compact(c.sentence) for forms in relation for f in forms)
            c = replace(c, score=c.score + SUBJECT_BONUS + (STATED_BONUS if stated else 0.0))
        else:
            c = replace(c, score=c.score - SUBJECT_BONUS, about_others=own)
        out.append(c)
    return sorted(out, key=lambda c: -c.score)


def _antecedent(sentences: list[str], i: int) -> str:
    """What a pronoun opening ``sentences[i]`` may point back to: the sentence before it, or two.

    The one before that counts when the nearer one is a short aside: "“它……”" after "“DeepSeek……”肖仰华告诉记者。".
    """
    if i <= 0:
        return ""
    before = sentences[i - 1]
    if i >= 2 and len(compact(before)) < SHORT_ASIDE:
        return f"{sentences[i - 2]} {before}"
    return before


def _preceding(c: _Candidate) -> _Candidate | None:
    """The sentence right before ``c`` in its passage, as a quote of the same passage (None for a first one)."""
    sentences = [s for s in split_sentences(c.passage.text) if not is_row(s)]
    at = sentences.index(c.sentence) if c.sentence in sentences else 0
    return _Candidate(c.passage_rank, c.passage, sentences[at - 1], c.score) if at > 0 else None


def _following(c: _Candidate, most: int = 2) -> list[_Candidate]:
    """The sentences right after ``c`` in its passage, as quotes of the same passage."""
    sentences = split_sentences(c.passage.text)
    at = sentences.index(c.sentence) if c.sentence in sentences else -1
    after = [s for s in sentences[at + 1:at + 1 + most] if not is_row(s)] if at >= 0 else []
    return [_Candidate(c.passage_rank, c.passage, s, c.score) for s in after]


def _only_about_subject(sentence: str, context: AnswerContext) -> bool:
    """Whether a sentence names no company or person besides what the question asks about.

    A figure in "智谱AI、MiniMAX 以及百川智能等也作为主要独角兽（企业估值超过10亿美元……）" may belong to any of
    them, or to none: it does not contradict the figure a sentence about the subject alone gives.
    """
    if not context.names or context.entities_in is None or is_row(sentence):
        return True
    asked = context.subject_forms
    return all(any(compact(a) in asked for a in entity) for entity in context.entities_in(sentence))


def _states(c: _Candidate, relation: list[set[str]], header: list[str]) -> bool:
    """Whether the sentence (with a row's column names) holds any of the question's relation words."""
    if not relation:
        return True
    text = compact(" ".join([*header, c.sentence]))
    return any(f in text for forms in relation for f in forms)


def _span_of(question: str, c: _Candidate, kind: str, header: list[str], context: AnswerContext,
             anchors: tuple[str, ...]) -> str:
    """The short answer in one quoted sentence or table row ("" when it holds none)."""
    if is_row(c.sentence):
        # The column the question names gives the value: "估值" picks 最新估值, not the founder beside it.
        row_cells = pairs(header, c.sentence)
        q = compact(question)
        forms = {compact(a) for a in anchors}
        english = [zh for word, zh in ASKED_COLUMNS.items() if re.search(rf"\b{word}\b", question.lower())]
        latin = set(_LATIN_WORD.findall(question.lower()))
        named = [v for n, v in row_cells if n and (compact(n) in q or any(f and f in compact(n) for f in forms)
                                               or any(w in q for w in _words(n))
                                               or any(re.search(zh, compact(n)) for zh in english)
                                               or latin >= set(_LATIN_WORD.findall(n.lower())) > set())]
        if kind == "person":
            # A "who" question wants a person: when the column it names holds none (a shifted row puts a
            # label there), the row's one known person answers.
            people = [v for v in named if _is_person(v, context)] or \
                [v for _, v in row_cells if _is_person(v, context)]
            return people[0] if people and (people[0] in named or len(set(people)) == 1) else ""
        for value in named:
            if kind not in ("number", "time") or re.search(r"\d", value):
                return value
        if kind not in ("number", "time"):
            return ""  # a name in a row answers only from the column the question names
        text = "，".join(v for _, v in row_cells)
        span = extract_span(question, text, kind, people=context.people, anchors=anchors)
        return span.text if span and span.text in c.sentence else ""
    # Neither a name the question gives nor any other of its words, in Chinese, is what it asks for.
    asked = tuple(a for entity in context.names for a in entity) + anchors
    span = extract_span(question, c.sentence, kind, people=context.people, anchors=anchors, exclude=asked)
    if span and kind == PERSON and any(len(f) >= 2 and f in compact(span.text) for f in context.subject_forms):
        return ""  # the person asked about is not who is asked for: "其中部分资方与杨植麟在" for "他和谁……"
    return span.text if span else ""


def _each_named(candidates: list[_Candidate], context: AnswerContext,
                span_of: Callable[[_Candidate], str]) -> list[_Candidate]:
    """For each thing the question names, its best sentence: one naming it alone and holding an answer first."""
    named = [{f for f in map(compact, entity) if len(f) >= 2} for entity in context.names[:MAX_QUOTES]]
    chosen: list[_Candidate] = []
    for forms in named:
        naming = [c for c in candidates if c not in chosen and any(f in compact(c.sentence) for f in forms)]
        if naming:
            alone = [not any(f in compact(c.sentence) for other in named if other is not forms for f in other)
                     for c in naming]
            chosen.append(max(zip(naming, alone, strict=True),
                              key=lambda pair: (bool(span_of(pair[0])) + pair[1], -naming.index(pair[0])))[0])
    return chosen or candidates[:1]


def _is_person(value: str, context: AnswerContext) -> bool:
    """Whether a table cell is a known person's name."""
    key = compact(value)
    return bool(key) and any(key == compact(p) for p in context.people)


def _words(name: str) -> list[str]:
    """Two-character pieces of a column name, so "最新估值" meets a question asking for "估值"."""
    name = compact(name)
    return [name[i:i + 2] for i in range(len(name) - 1) if all(CJK_CHAR.match(ch) for ch in name[i:i + 2])]


def _figure_key(span: str) -> str:
    """Two figures disagree when their digits differ ("约 30 亿美元" and "30亿美元" agree)."""
    return "".join(re.findall(r"[\d.]+", span))


def _same(a: str, b: str) -> bool:
    """One sentence repeats the other (a table header and its repeat, a quote inside a longer sentence)."""
    a, b = normalize(a), normalize(b)
    return a in b or b in a


def _differ(a: str, b: str) -> bool:
    """Two figures disagree unless one is the other made more precise.

    "2019" and "2019.06" agree, and so do "2023年4月" and "2023.04.06".
    """
    ka, kb = date_key(a), date_key(b)
    if not (ka and kb):
        ka, kb = _figure_key(a), _figure_key(b)
    return bool(ka and kb) and not (ka.startswith(kb) or kb.startswith(ka))


def _line(c: _Candidate, header: list[str], language: str, origin: str, number: int,
          context: AnswerContext) -> str:
    """One bullet of evidence: a table row as ``column: value`` pairs, a sentence as it is."""
    if is_row(c.sentence) and language == "en":
        body = pairs_text([english_column(h) for h in header], c.sentence)
    else:
        body = pairs_text(header, c.sentence) if is_row(c.sentence) else c.sentence
    gloss = _gist(c.sentence, context) if language == "en" else ""
    return f"- {origin}{body} [{number}]{gloss}"


def _gist(sentence: str, context: AnswerContext) -> str:
    """For English readers: the names and figures a Chinese sentence states, in English."""
    items: list[str] = []
    if context.entities_in is not None:
        for entity in context.entities_in(sentence):
            english = next((context.renderer.english(a) for a in entity if context.renderer.english(a)), None)
            if english and english not in items:
                items.append(english)
    # Names the corpus pairs with their originals, and those the question spells ("Iqbal" for 伊克巴勒).
    items.extend(n for n in context.renderer.names_in(sentence) if n not in items)
    for m in FIGURE.finditer(sentence):
        rendered = render_figures(m.group(0), sentence[:m.start()], sentence[m.end():]).strip()
        # A bare number ("2024" of "2024 年", "86" of a table's "86.0") says nothing the quote's digits do not.
        if rendered != m.group(0).strip() and not _BARE_NUMBER.fullmatch(rendered) and rendered not in items:
            items.append(rendered)
    return f" — {', '.join(items[:6])}" if items else ""


def extractive_answer(question: str, language: str, passages: list[Passage], concepts: list[list[str]],
                      rarity: TermRarity, trace: dict[str, object], names: list[list[str]] | None = None,
                      lead_in: dict[str, str] | None = None, *, context: AnswerContext | None = None) -> Answer:
    """Build a cited answer: the short answer first (for factoid questions), then the quoted evidence.

    Every quote occurs verbatim in its passage. Quotes come from passages that mention something the
    question names (``names``), in the passage or in its ``lead_in``. A factoid question ("who", "when",
    "how much"...) gets the span that answers it, in bold with its citation, and at most one more
    sentence; a question asking for a list or an explanation gets the few sentences that answer it.
    """
    context = context or AnswerContext()
    if names is not None or lead_in is not None:
        context = replace(context, names=names or context.names, lead_in=lead_in or context.lead_in)
    kind = question_kind(question)
    weighted = weigh(concepts, rarity)
    candidates = [c for c in _candidates(question, passages, weighted, context.names, context.lead_in)
                  if not (is_row(c.sentence) and _row_about_others(c.sentence, context))]
    candidates = _add_similarity(candidates, context)
    relation = relation_words(concepts, context.subject_forms)
    if is_factoid(kind):
        # One fact about one subject; a list ("哪几家属于转型派") is answered by sentences naming others.
        candidates = _by_subject(candidates, context, kind, [{f for f in forms if len(f) >= 2} for forms in relation])
    if not candidates:
        return Answer(message("abstain", language), (), True, language, trace=trace)
    anchors = tuple(a for alternatives in concepts for a in alternatives if CJK_CHAR.search(a))
    headers = {id(c): _header(c.passage, c.sentence, context) if is_row(c.sentence) else [] for c in candidates}
    span, chosen = "", _select(candidates)
    rarest = [forms for _, forms in sorted(weighted, key=lambda pair: -pair[0])[:2]]

    def told(c: _Candidate) -> tuple[float, set[int]]:
        """How much of the question a sentence states with what frames it, and which of its two rarest words."""
        framing = f"{c.passage.title} {c.passage.section} {context.lead_in.get(c.passage.chunk_id, '')}"
        text = f"{framing} {' '.join(headers[id(c)])} {c.sentence}"
        flat = compact(text)
        return coverage(weighted, text), {i for i, forms in enumerate(rarest)
                                          if any(compact(f) and compact(f) in flat for f in forms)}

    def disputes(c: _Candidate, first: _Candidate) -> bool:
        """Whether another source's figure answers the same question: about the subject alone, in its words.

        It states as much of the question, and the rarest words the first one states: "这个词首次出现于1985年"
        does not dispute "1863年……改名为纽约证券交易所", nor another place's "总面积1.8万平方公里" a school's
        "总占地面积1133.87亩".
        """
        if c.passage.doc_id == first.passage.doc_id or not _only_about_subject(c.sentence, context):
            return False
        (share, words), (first_share, first_words) = told(c), told(first)
        return share >= first_share - 1e-9 and words >= first_words

    if is_factoid(kind):
        best = candidates[0].score
        # A person answers only from a sentence that says what is asked of the subject ("founded", "CEO"), not
        # from one that merely names the subject and some person ("拜登政府将 Zhipu AI 列入……").
        # A sentence about another company may be quoted as the closest evidence, but its place, date or figure
        # is not the answer: "ModelBest……总部位于北京海淀区" does not say where DeepSeek is. (A person it names
        # may be: "师从唐杰" names a university beside the advisor asked for.)
        tries = [c for c in candidates[:SPAN_TRIES] if c.score >= SPAN_SCORE * best
                 and not (c.about_others and kind != PERSON)
                 and _states(c, relation if kind == PERSON else [], headers[id(c)])]
        spans = {id(c): _span_of(question, c, kind, headers[id(c)], context, anchors) for c in tries}
        # A person the index knows, in a sentence nearly as good, beats a guess at a name in the best one.
        first = next((c for c in tries if kind == PERSON and _is_person(spans[id(c)], context)), None) or \
            next((c for c in tries if spans[id(c)]), None)
        span = spans[id(first)] if first is not None else ""
        first = first or candidates[0]
        # A second source when it gives another figure for the same thing (the sources disagree), else the
        # next best sentence when it is nearly as good.
        other = next((c for c in tries if c is not first and spans.get(id(c)) and kind in ("number", "time")
                      and _differ(spans[id(c)], span) and disputes(c, first)), None)
        if other is None:
            # Otherwise a second sentence only when it also holds an answer of the kind asked (a second
            # name, date or figure) or no sentence did: a funding row does not ride along with a founder.
            other = next((c for c in candidates if c is not first and c.score >= SECOND_SCORE * best
                          and not _same(c.sentence, first.sentence) and (not span or spans.get(id(c)))), None)
        chosen = [first] if other is None else [first, other]
        if asks_choice(question) and len(context.names) >= 2:
            # "Which is worth more, A or B?": each one's best sentence, and no bold figure that reads as the answer.
            def span_of(c: _Candidate) -> str:
                return spans[id(c)] if id(c) in spans else _span_of(question, c, kind, headers[id(c)], context, anchors)

            chosen, span = _each_named(candidates, context, span_of), ""
    if chosen and re.search(r"[：:]$", chosen[0].sentence):
        # "有两项不变的重要指标：" says what follows: the sentences after it are the answer.
        following = _following(chosen[0])
        if following:
            chosen = [chosen[0], *following]
    elif chosen and _ASKS_WHY.search(question) and (consequence := _CONSEQUENCE.match(chosen[0].sentence)) \
            and not _CAUSE.search(chosen[0].sentence, consequence.end()):
        # "为什么称它为笨蛋水果？" is answered by the reasons before "因此它有时也被称为笨蛋水果": quoted first. A
        # sentence that gives a reason of its own ("所以评价很高……因而获得第1名") answers by itself.
        before = _preceding(chosen[0])
        if before is not None:
            chosen = [before, *[c for c in chosen if not _same(c.sentence, before.sentence)][:MAX_QUOTES - 1]]
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
    if span:
        # Pinyin only for what reads as a Han person's name: "美国政府" answering "who" is no "Mei Guozhengfu".
        person = kind == PERSON and (_is_person(span, context) or reads_as_person(span))
        shown = context.renderer.render(span, person=person, sentence=citations[0].sentence) \
            if language == "en" else span
        lines.append(f"**{shown}** [{citations[0].number}]")
    disagree = len(chosen) == 2 and span != "" and kind in ("number", "time") and disputes(chosen[1], chosen[0]) and \
        _differ(span, _span_of(question, chosen[1], kind, headers[id(chosen[1])], context, anchors))
    lead = "conflict_lead" if disagree else "evidence_en" if language == "en" else "lead"
    lines.append(message(lead, language))
    for c, citation in zip(chosen, citations, strict=True):
        origin = ""
        if multi_doc:
            origin = message("source_prefix", language, title=citation.passage.title,
                             date=citation.passage.date or message("undated", language))
        lines.append(_line(c, headers.get(id(c), []), language, origin, citation.number, context))
    trace["answer_kind"] = kind
    return Answer("\n".join(lines), tuple(cited), False, language, tuple(citations), trace=trace,
                  short_answer=span, answer_kind=kind)
