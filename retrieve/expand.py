"""Cross-lingual query expansion from an editable entity glossary, a term list and CC-CEDICT."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import pairwise
from pathlib import Path

import cn2an
from pypinyin import lazy_pinyin

from common.cedict import EnglishToChinese
from common.patterns import CJK
from common.textnorm import normalize
from common.tokenize import STOPWORDS, asks_or_joins, sub_words, tokenize
from common.tsv import alternatives, read_rows
from retrieve.transliterate import SoundIndex

# Optional files beside a corpus's articles (see ``Settings.corpus_file``).
GLOSSARY = "glossary.tsv"
TERMS = "terms.tsv"
_WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")  # "open-source", not the "accepted-" of "accepted-paper"
# Chinese suffixes that make a noun of a tool, contest, film genre, quality or right from a stem that keeps its
# meaning (孵化器, 冠军赛, 西部片, 竞争性, 司法权). Not agents or nationalities: 生产者 is "producer", 生产
# "production", and 中国籍 "Chinese" is not 中国 "China" (both cost XQuAD en answers).
_SUFFIXES = frozenset("器赛片性权")
SYNONYMS = 2  # dictionary synonyms kept per Chinese question word
# Dictionary senses of an English word that a quoted sentence may write. The search takes the two the corpus
# uses most; within the passages found, a sentence saying 成立 for "established" is as good as one saying 建立.
QUOTE_SENSES = 6
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_EN_DATE = re.compile(r"\b(" + "|".join(_MONTHS) + r"|" + "|".join(m[:3] for m in _MONTHS) + r")\.?(?:\s+(\d{1,2}))?"
                      r"(?:,?\s+(\d{4}))?\b")



@dataclass(frozen=True)
class Entity:
    """One glossary row: Chinese and English names of the same thing."""

    kind: str
    zh: tuple[str, ...]
    en: tuple[str, ...]


@dataclass(frozen=True)
class Rendering:
    """One word or name of an English question and the Chinese it may be written as.

    ``confidence`` (0..1) says how far the rendering can be trusted: names from the glossary, the term
    list or pairs mined from the corpus are certain; a dictionary word is as certain as it is unambiguous
    among the senses the corpus uses.
    """

    source: str  # "glossary", "terms", "names", "dictionary", "pinyin" or "date"
    text: str
    chinese: tuple[str, ...]
    confidence: float


@dataclass
class Expansion:
    """What a query expands to: extra BM25 terms, the renderings behind them and the entities seen."""

    terms: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    # What the question asks about, one entry per word or name, each with its acceptable renderings.
    concepts: list[list[str]] = field(default_factory=list)
    # How sure each concept's renderings are (1.0 when not given): English words the dictionary renders
    # ambiguously, or plain lower-case words left in English, say little about a Chinese passage.
    concept_confidence: list[float] = field(default_factory=list)
    # English questions: each rendered word or name, in question order.
    renderings: list[Rendering] = field(default_factory=list)
    # The concepts as quoted sentences may word them (None: as ``concepts``). Chinese questions: without
    # dictionary synonyms, since synonyms help to find the passage but the sentence quoted from it should say
    # what was asked in the question's own words. English ones: with more of each word's senses, and the
    # years and figures the question gives.
    own_concepts: list[list[str]] | None = None

    @property
    def worded(self) -> list[list[str]]:
        """The concepts as a quoted sentence may word them."""
        return self.concepts if self.own_concepts is None else self.own_concepts

    @property
    def translation(self) -> str:
        """The question word by word in Chinese (each rendering's first form), derived from the renderings."""
        return " ".join(r.chinese[0] for r in self.renderings if r.chinese)

    def term_weights(self) -> dict[str, float]:
        """Each Chinese term with the confidence of its most confident rendering (1.0 for entity aliases)."""
        if not self.renderings:  # Chinese questions: aliases of the entities they name
            return dict.fromkeys(self.terms, 1.0)
        weights: dict[str, float] = {}
        for r in self.renderings:
            for z in r.chinese:
                weights[z] = max(weights.get(z, 0.0), r.confidence)
        return weights


def _aliases(cell: str) -> tuple[str, ...]:
    return tuple(alternatives(cell))


def _alternation(names: list[str]) -> re.Pattern[str] | None:
    names = sorted({n for n in names if n}, key=len, reverse=True)
    if not names:
        return None
    # The lookahead on first characters lets the scan skip most positions (all of a Chinese sentence's
    # characters) without trying every alternative there.
    firsts = "".join(sorted({re.escape(n[0]) for n in names}))
    return re.compile(r"(?<![a-z0-9])(?=[" + firsts + r"])(?:" + "|".join(re.escape(n) for n in names)
                      + r")(?![a-z0-9])")


# A figure in an English question: "1565", "1,345,596", "3.5", "1980s"; not part of a name ("GPT-4", "A380").
_FIGURE = re.compile(r"(?<![\w.\-])(\d{1,3}(?:,\d{3})+|\d{2,}(?:\.\d+)?|\d\.\d+)(?:'?s)?(?![\w\-]|\.\d)")
_ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_ORDINAL_WORD = re.compile(r"\b(?:(\d{1,3})(?:st|nd|rd|th)|(" + "|".join(_ORDINAL_WORDS) + r"))\b")
_ZH_DATE = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月")
_LATIN_NAME = re.compile(r"[a-z0-9][a-z0-9 .\-]*")
# A Latin word from each letter that follows no letter: "9B-Chat" holds "B-Chat" and "Chat".
_LATIN_WORDS = re.compile(r"(?<![A-Za-z])(?=([A-Za-z][A-Za-z0-9\-]*))")
_NAME_CASED = re.compile(r"(?<![A-Za-z])[A-Z][a-z]+(?:-[A-Z][a-z]+)*(?![A-Za-z])")
_WHO = re.compile(r"\bwho\b", re.I)
_PINYIN_WORD = re.compile(rf"[{CJK}]{{2,4}}")  # a corpus word whose pinyin may be how English writes it


@dataclass(frozen=True)
class _Piece:
    """One concept of an English question: where it starts, how it is rendered in Chinese, how surely."""

    start: int
    rendering: Rendering | None
    concept: list[str]
    confidence: float
    quoted: list[str] | None = None  # the concept with more senses, for quoting (None: as ``concept``)


class QueryExpander:
    """Expands English questions with Chinese terms and Chinese questions with English names.

    The glossary and term list are optional data that live with a corpus; names mined from the corpus
    (``names``, English -> Chinese) and the CC-CEDICT dictionary work for any corpus.
    """

    def __init__(self, doc_freq: Mapping[str, int], cache_dir: Path, glossary: Path | None = None,
                 terms: Path | None = None, names: Mapping[str, tuple[str, ...]] | None = None,
                 texts: Sequence[str] = ()) -> None:
        """Load the data files; ``doc_freq`` maps the index's BM25 tokens to how many passages hold them.

        ``texts`` are the corpus's articles, searched for the Chinese spellings of Latin names.
        """
        self.doc_freq = doc_freq
        self._texts = texts
        rows = read_rows(glossary) if glossary and glossary.exists() else []
        self.entities = [Entity(r[0], _aliases(r[1]), _aliases(r[2])) for r in rows if len(r) >= 3]
        self._by_en: dict[str, Entity] = {}
        self._by_zh: dict[str, Entity] = {}
        for entity in self.entities:
            for name in entity.en:
                self._by_en.setdefault(normalize(name), entity)
            for name in entity.zh:
                self._by_zh.setdefault(normalize(name), entity)
        term_rows = read_rows(terms) if terms and terms.exists() else []
        self._terms = {normalize(r[0]): _aliases(r[1]) for r in term_rows if len(r) >= 2}
        self._names = {normalize(k): tuple(v) for k, v in (names or {}).items() if v}
        self._en_pattern = _alternation(list(self._by_en) + list(self._terms) + list(self._names))
        self._zh_names = [(n, _whole_word(n) if _LATIN_NAME.fullmatch(n) else None)
                          for n in sorted(self._by_zh, key=len, reverse=True)]
        # Names by first character: a text is checked only against names that can start in it, not the whole list.
        self._zh_by_first: dict[str, list[int]] = {}
        for rank, (name, _) in enumerate(self._zh_names):
            self._zh_by_first.setdefault(name[0], []).append(rank)
        self._cedict = EnglishToChinese(cache_dir)
        # The answerer asks this of every sentence of every retrieved passage, and passages recur across questions.
        self._entities_cached = lru_cache(maxsize=8192)(self._scan_entities)

    def find_entities(self, text: str) -> list[Entity]:
        """Glossary entities named in ``text`` (in either language), in order of appearance."""
        return list(self._entities_cached(text))

    def _scan_entities(self, text: str) -> tuple[Entity, ...]:
        norm = normalize(text)
        found: list[tuple[int, Entity]] = []
        if self._en_pattern:
            for m in self._en_pattern.finditer(norm):
                if m.group(0) in self._by_en:
                    found.append((m.start(), self._by_en[m.group(0)]))
        taken = norm
        ranks = {r for ch in set(norm) for r in self._zh_by_first.get(ch, ()) if self._zh_names[r][0] in norm}
        for name, whole_word in (self._zh_names[r] for r in sorted(ranks)):
            pos = _find_name(taken, name, whole_word)
            if pos >= 0:
                found.append((pos, self._by_zh[name]))
                taken = taken.replace(name, " " * len(name))
        seen: list[Entity] = []
        for _, entity in sorted(found, key=lambda x: x[0]):
            if entity not in seen:
                seen.append(entity)
        return tuple(seen)

    def _known(self, words: list[str], limit: int = 2, *, by_use: bool = False) -> list[str]:
        """Keep candidate words whose tokens the index actually contains.

        With ``by_use``, the words the articles use most come first: among a dictionary's senses of
        "model" (典型, 模型, 型号 ...) the one an AI corpus means is the one it keeps using.
        """
        tokens = {w: tokenize(w) for w in words}
        kept = [w for w in words if tokens[w] and all(t in self.doc_freq for t in tokens[w])]
        if by_use:
            kept.sort(key=lambda w: -min(self.doc_freq[t] for t in tokens[w]))
        return kept[:limit]

    def expand(self, query: str, language: str) -> Expansion:
        """Expand ``query``; English questions get Chinese terms and a Chinese rendering for dense search."""
        entities = self.find_entities(query)
        if language != "en":
            terms = [normalize(n) for e in entities for n in e.en + e.zh]
            concepts, own = self._chinese_concepts(query, entities)
            return Expansion(terms=_dedupe(terms), entities=entities, concepts=concepts, own_concepts=own)
        norm = normalize(query)
        names, rest = self._name_pieces(norm)
        phrases, rest = self._phrase_pieces(rest)
        capitalised = _capitalised(query)
        spelled, rest = self._pinyin_pieces(capitalised, rest)
        sounded, rest = self._sound_pieces(_name_cased(query), rest)
        pieces = names + phrases + spelled + sounded + self._word_pieces(query, rest) + self._date_pieces(norm)
        renderings = [p.rendering for p in sorted(pieces, key=lambda p: p.start) if p.rendering is not None]
        terms = _dedupe([normalize(z) for r in renderings for z in r.chinese])
        # A year or figure the question gives picks the sentence that states it ("named ... in 1960"). The
        # search has it already (the question's own tokens), and as a concept it made the answerability
        # check take a passage's mere mention of "2000" for part of an answer.
        return Expansion(terms=terms, entities=entities, concepts=[p.concept for p in pieces],
                         renderings=renderings, concept_confidence=[p.confidence for p in pieces],
                         own_concepts=_with_ordinals([p.quoted or p.concept for p in pieces], rest) + _figures(rest))

    def _name_pieces(self, norm: str) -> tuple[list[_Piece], str]:
        """Glossary names, listed terms and mined names in the question, and the question without them."""
        pieces, rest = [], norm
        for m in self._en_pattern.finditer(norm) if self._en_pattern else ():
            rendering = self._named(m.group(0))
            pieces.append(_Piece(m.start(), rendering, [m.group(0), *(normalize(z) for z in rendering.chinese)], 1.0))
            rest = rest[: m.start()] + " " * len(m.group(0)) + rest[m.end():]
        return pieces, rest

    def _phrase_pieces(self, rest: str) -> tuple[list[_Piece], str]:
        """Two or three content words the dictionary renders together, and the question without them.

        "prime minister" is 总理, not 黄金 and 部长; "market value" is 市值, not 市场 and 价值; "New South Wales"
        is 新南威尔士. Taken only where the corpus writes one of the phrase's senses, like single words; the
        longer phrase first.
        """
        def sensed(run: list[re.Match[str]]) -> _Piece | None:
            phrase = " ".join(m.group(0) for m in run)
            used = self._used_senses(self._cedict.lookup_phrase(phrase))
            return _sensed(run[0].start(), phrase, used) if used else None

        return _runs(rest, _content_words(rest), (3, 2), sensed)

    @cached_property
    def _by_pinyin(self) -> dict[str, tuple[str, ...]]:
        """The corpus's words of two to four Chinese characters by their toneless pinyin, the most used first."""
        table: dict[str, list[str]] = {}
        for word in self.doc_freq:
            if _PINYIN_WORD.fullmatch(word):
                table.setdefault("".join(lazy_pinyin(word)), []).append(word)
        return {k: tuple(sorted(v, key=lambda w: -self.doc_freq[w])) for k, v in table.items()}

    def _pinyin_pieces(self, capitalised: set[str], rest: str) -> tuple[list[_Piece], str]:
        """Capitalised words that spell a corpus word in pinyin, and the question without them.

        English writes Chinese names in pinyin ("Yang Zhilin" is 杨植麟, the app "Xingye" 星野), and no
        dictionary lists most of them. Runs of up to three capitalised words (the question's first word
        included: "Zhipu's valuation?") are tried whole first; a single word only when the dictionary does
        not know it ("Women" is not 我们).
        """
        def spelled(run: list[re.Match[str]]) -> _Piece | None:
            if not all(m.group(0) in capitalised for m in run):
                return None
            text = " ".join(m.group(0) for m in run)
            found = self._by_pinyin.get(text.replace(" ", "").replace("-", ""))
            if not found or (len(run) == 1 and any(self._cedict.lookup_stems(text))):
                return None
            confidence = 1.0 / len(found)
            return _Piece(run[0].start(), Rendering("pinyin", text, found[:2], confidence), [text, *found[:2]],
                          confidence)

        return _runs(rest, list(_WORD.finditer(rest)), (3, 2, 1), spelled)

    @cached_property
    def _by_sound(self) -> SoundIndex:
        return SoundIndex(self._texts, self._cedict.spelling_characters)

    def _sound_pieces(self, name_cased: set[str], rest: str) -> tuple[list[_Piece], str]:
        """Words cased as names that the dictionary does not know, spelled in Chinese by sound, and the rest.

        "Jacksonville" is 杰克逊维尔 and "Stiglitz" 斯蒂格利茨 in a corpus that writes them. A match is as sure as
        its sound is unique in the corpus, and half as sure when one consonant differs.
        """
        def sounded(run: list[re.Match[str]]) -> _Piece | None:
            word = run[0].group(0)
            if word not in name_cased or any(self._cedict.lookup_stems(word)):
                return None
            found, exact = self._by_sound.find(word)
            if not found:
                return None
            confidence = (1.0 if exact else 0.5) / len(found)
            return _Piece(run[0].start(), Rendering("sound", word, found[:2], confidence), [word, *found[:2]],
                          confidence)

        return _runs(rest, list(_WORD.finditer(rest)), (1,), sounded)

    def _word_pieces(self, query: str, rest: str) -> list[_Piece]:
        """The other content words, rendered by the dictionary senses the corpus uses."""
        pieces = []
        who = bool(_WHO.search(query))
        named = _capitalised(query, past_first=True)
        for m in _content_words(rest):
            word = m.group(0)
            # The word's own senses first; its lemma's when the articles use none of them ("products" → 产品).
            stems = self._cedict.lookup_stems(word)
            used = next((u for u in map(self._used_senses, stems) if u), []) or self._used_stems(stems)
            # "Who founded X?" is answered by X's 创始人 ("founder") as often as by a sentence saying 创立.
            agents = self._used_senses(self._cedict.agent_nouns(word)) if who else []
            if used or agents:
                pieces.append(_sensed(m.start(), word, used, agents[:2]) if used else _sensed(m.start(), word, agents))
            else:
                pieces.append(_Piece(m.start(), None, [word], 1.0 if word in named else 0.0))
        return pieces

    def _used_stems(self, stems: list[list[str]]) -> list[str]:
        """The senses' Chinese stems the corpus writes, when it writes none of the senses themselves.

        "incubator" is 孵化器, which the articles may write only as its stem: "塔尖孵化的第七家公司".
        """
        return self._used_senses(list(dict.fromkeys(
            sense[:-1] for senses in stems for sense in senses if len(sense) >= 3 and sense[-1] in _SUFFIXES)))

    def _used_senses(self, senses: list[str]) -> list[str]:
        """The dictionary ``senses`` the corpus writes, the most used first."""
        return self._known(senses, limit=len(senses), by_use=True)

    @staticmethod
    def _date_pieces(norm: str) -> list[_Piece]:
        """Dates in the question, each one concept with the ways Chinese text writes it.

        "June 2023" is covered by a passage's "2023 年 6 月" (compact forms ignore spaces) and by a table's
        "2023/06" or a timeline's "2023.06".
        """
        pieces = []
        for m in _EN_DATE.finditer(norm):
            if m.group(1) == "may" and not m.group(2) and not m.group(3):
                continue  # "may" alone is usually the verb
            year = [f"{m.group(3)}{sep}{_month(m):02d}" for sep in "/.-"] if m.group(3) else []
            pieces.append(_Piece(m.start(), Rendering("date", m.group(0), (_chinese_date(m),), 1.0),
                                 [m.group(0), _chinese_date(m), f"{_month(m)}月", *year], 1.0))
        return pieces

    def _named(self, key: str) -> Rendering:
        """The rendering of a glossary name, a listed term or a name mined from the corpus."""
        if key in self._by_en:
            return Rendering("glossary", key, self._by_en[key].zh, 1.0)
        if key in self._terms:
            return Rendering("terms", key, tuple(self._known(list(self._terms[key]), limit=3)
                                                 or self._terms[key][:1]), 1.0)
        return Rendering("names", key, self._names[key], 1.0)

    def _chinese_concepts(self, query: str, entities: list[Entity]) -> tuple[list[list[str]], list[list[str]]]:
        """Question words, with every alias of a named entity accepted for that entity: with and without synonyms."""
        concepts: list[list[str]] = []
        covered: set[str] = set()
        for entity in entities:
            names = [normalize(n) for n in entity.zh + entity.en]
            concepts.append(names)
            covered.update(t for n in names for t in tokenize(n))
        for m in _ZH_DATE.finditer(normalize(query)):
            # "2024 年 5 月" is one thing, also written "2024/05" in a table or "2024.05" in a timeline;
            # its pieces ("3", "月") alone would match nearly every passage.
            year, month = m.group(1), int(m.group(2))
            concepts.append([f"{year}年{month}月", *(f"{year}{sep}{month:02d}" for sep in "/.-")])
            covered.update(tokenize(m.group(0)))
        synonyms: list[list[str]] = [[] for _ in concepts]  # names and dates are taken as written
        asks_who = bool(_ASKS_WHO.search(query))
        for token in tokenize(query):
            if asks_or_joins(token):
                continue
            if token not in covered and not any(token in n for c in concepts for n in c):
                # "谁创立了智谱？" is answered by "创始人唐杰……": who does what a verb says is its agent noun.
                agents = [w for w in self._cedict.chinese_agent_nouns(token) if w in self.doc_freq] if asks_who else []
                concepts.append([token, *sub_words(token), *agents])
                # Words the dictionary glosses alike, written as words of their own in the corpus: a question's
                # 创办 is the articles' 成立.
                written = [w for w in self._cedict.synonyms(token) if w in self.doc_freq]
                synonyms.append(sorted(written, key=lambda w: -self.doc_freq[w])[:SYNONYMS])
        return [c + s for c, s in zip(concepts, synonyms, strict=True)], concepts


# Who does something, not with or for whom ("和谁一起创办" asks for a co-founder, not the 创始人).
_ASKS_WHO = re.compile(r"(?<![和与跟同给向对为])(?:谁|哪位|什么人|何人)")


def _figures(rest: str) -> list[list[str]]:
    """Years and figures of two digits or more, which Chinese text writes in the same digits ("in 1565").

    Single digits are left out: Chinese text mostly writes them in words (三 for "three", 两 for "2").
    Numbers inside a date with a month name are that date's.
    """
    dates = [m.span() for m in _EN_DATE.finditer(rest)]
    return [list(dict.fromkeys([m.group(1), m.group(1).replace(",", "")])) for m in _FIGURE.finditer(rest)
            if not any(a <= m.start() < b for a, b in dates)]


def _with_ordinals(concepts: list[list[str]], rest: str) -> list[list[str]]:
    """``concepts`` with ordinals as Chinese writes them: "sixth" or "6th" is 第六 or 第6 ("排名第6位", "第六名")."""
    out = [list(c) for c in concepts]
    for m in _ORDINAL_WORD.finditer(rest):
        n = int(m.group(1)) if m.group(1) else _ORDINAL_WORDS.index(m.group(2)) + 1
        forms = [*([f"第{cn2an.an2cn(n)}"] if n <= 10 else []), f"第{n}"]
        concept = next((c for c in out if c and c[0] == m.group(0)), None)
        if concept is None:
            out.append([m.group(0), *forms])
        else:
            concept.extend(f for f in forms if f not in concept)
    return out


def _runs(rest: str, words: list[re.Match[str]], sizes: tuple[int, ...],
          render: Callable[[list[re.Match[str]]], _Piece | None]) -> tuple[list[_Piece], str]:
    """Pieces that ``render`` makes of runs of adjacent ``words``, longest first, and ``rest`` without them.

    A run's words stand next to each other, with only spaces or hyphens between; a word taken by one run is
    not tried again.
    """
    pieces = []
    i = 0
    while i < len(words):
        for size in sizes:
            run = words[i:i + size]
            if len(run) < size or any(rest[a.end():b.start()].strip(" -") for a, b in pairwise(run)):
                continue  # too few words left, or other words stand between
            piece = render(run)
            if piece is not None:
                pieces.append(piece)
                rest = rest[: run[0].start()] + " " * (run[-1].end() - run[0].start()) + rest[run[-1].end():]
                i += size - 1
                break
        i += 1
    return pieces, rest


def _content_words(text: str) -> list[re.Match[str]]:
    """The words of ``text`` worth rendering: no stopwords, no two-letter words, no months (dates are apart)."""
    return [m for m in _WORD.finditer(text)
            if m.group(0) not in STOPWORDS and len(m.group(0)) >= 3 and m.group(0) not in _MONTHS]


def _sensed(start: int, text: str, used: list[str], also: list[str] | None = None) -> _Piece:
    """``text`` rendered by the senses the corpus uses (``used``, most used first).

    The most used sense is taken; the more others compete, the less sure the rendering is. ``also`` are more
    forms of the same concept, as sure as ``used`` (the agent nouns of a verb: 创始人 for "founded").
    """
    confidence = 1.0 / len(used)
    forms = list(dict.fromkeys([*used[:2], *(also or [])]))
    quoted = list(dict.fromkeys([*forms, *used[:QUOTE_SENSES]]))
    return _Piece(start, Rendering("dictionary", text, tuple(forms), confidence), [text, *forms], confidence,
                  [text, *quoted])


def _capitalised(query: str, *, past_first: bool = False) -> set[str]:
    """The question's words written with a capital, lower-cased; past its first word only, with ``past_first``.

    Past the first word a capital marks a name ("Polonia", "WSE"); a pinyin name may open the question too
    ("Zhipu's valuation?"), where its spelling, not its capital, is the evidence.
    """
    return {m.group(1).lower() for m in _LATIN_WORDS.finditer(query)
            if m.group(1)[0].isupper() and (m.start() > 0 or not past_first)}


def _name_cased(query: str) -> set[str]:
    """Words written as names are (a capital, then small letters), lower-cased.

    Acronyms ("NTL", "BSkyB") are read letter by letter, not spelled by sound.
    """
    return {m.group(0).lower() for m in _NAME_CASED.finditer(query)}


def _whole_word(name: str) -> re.Pattern[str]:
    """``name`` not inside a longer Latin word, compiled once per name rather than per text."""
    return re.compile(r"(?<![a-z0-9])" + re.escape(name) + r"(?![a-z0-9])")


def _find_name(text: str, name: str, whole_word: re.Pattern[str] | None) -> int:
    """Position of ``name`` in ``text``; a Latin name ("Yi") must not be part of a longer word ("Yiyan")."""
    if whole_word is None or name not in text:
        return text.find(name)
    m = whole_word.search(text)
    return m.start() if m else -1


def _month(m: re.Match[str]) -> int:
    return next(i for i, name in enumerate(_MONTHS, 1) if name.startswith(m.group(1)[:3]))


def _chinese_date(m: re.Match[str]) -> str:
    """``September 2024`` -> ``2024年9月``, the way Chinese articles write dates."""
    month = _month(m)
    day = f"{m.group(2)}日" if m.group(2) else ""
    return f"{m.group(3) + '年' if m.group(3) else ''}{month}月{day}"


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
