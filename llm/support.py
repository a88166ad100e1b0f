"""Does a passage back an answer sentence? The same test for English and Chinese sentences and passages.

A sentence is backed when everything in it that must match does (every figure and date, every name), and
when it says what the passage says: shared words in the same language, translated key terms across
languages, and embeddings close enough: a score that must reach a threshold calibrated for that language
pair on the labelled pairs in ``eval/citation_pairs.jsonl`` (``python -m eval.citations``).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from common.embedder import Embedder
from common.lang import detect_language
from common.settings import Settings, get_settings
from common.textnorm import compact, normalize
from common.tokenize import STOPWORDS, tokenize
from common.tsv import alternatives, read_rows
from llm import figures
from llm.names import NameIndex, default_names, pinyin_names, spelled_in

_MARKER = re.compile(r"\s*\[\d{1,2}(?:\s*[,，、]\s*\d{1,2})*\]")
# Clauses, not sentences: a passage is compared clause by clause (split at semicolons too), since an answer
# sentence often restates one clause of a long Chinese sentence.
_PASSAGE_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_EN_WORD = re.compile(r"[a-z][a-z\-']+")
# Clauses of a passage, for telling which company a year belongs to.
_CLAUSE = re.compile(r"[，,、；;。！？!?\n]|以及|及|和|与")
# English words that carry no claim of their own (beyond the shared stopword list).
_FILLER_TEXT = """
also already only just more most less than over under about around nearly almost some several company
companies firm firms start-up startup start-ups startups its it's they them their one ones later latest new
own other others such per well very still now then when while since after before whose which become became
becomes including include includes included like among both each according reported reports reportedly says
said claims claim claimed data show shows showed
"""
_EN_FILLER = frozenset(_FILLER_TEXT.split())
# The meaning score is the best cosine to a passage sentence plus this much per share of the sentence's words
# (translated across languages) found in the passage; it must reach the language pair's threshold.
OVERLAP_WEIGHT = 0.1
# A sentence whose figures and names match and that shares this much of its words with the passage is backed
# without comparing embeddings (no unrelated sentence in the labelled pairs shares more than half).
SURE_OVERLAP = 0.75
DEFAULT_THRESHOLD = 0.9


def pair_key(sentence_language: str, passage_language: str) -> str:
    """``"en-zh"`` etc.; Traditional Chinese counts as Chinese."""
    return f"{'en' if sentence_language == 'en' else 'zh'}-{'en' if passage_language == 'en' else 'zh'}"


@dataclass(frozen=True)
class Verdict:
    """Whether a sentence is backed, and if not, why (``figure``, ``name`` or ``meaning``) with details."""

    supported: bool
    reason: str = ""
    detail: str = ""
    cosine: float = 0.0
    overlap: float = 0.0


@dataclass
class Evidence:
    """What the cited passages offer: their text, figures, words, and sentences to compare meaning with."""

    text: str
    language: str
    figures: figures.Figures
    sentences: list[str]
    tokens: set[str] = field(default_factory=set)
    sentence_tokens: list[set[str]] = field(default_factory=list)


class VectorCache:
    """Embeddings of passage sentences, kept across answers (the same passages come back again and again)."""

    def __init__(self, size: int = 4096) -> None:
        """Keep at most ``size`` vectors, dropping the oldest."""
        self._items: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._embedding = threading.Lock()
        self.size = size

    def vectors(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for ``texts`` (embedded as queries, for symmetric similarity), computing only new ones."""
        name = str(getattr(embedder, "name", type(embedder).__name__))
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if (name, t) not in self._items]
        if missing:
            with self._embedding:  # one embedding call at a time (a warming thread may be running)
                fresh = embedder.embed_queries(missing)
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    self._items[(name, text)] = vector
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        with self._lock:
            return np.stack([self._items[(name, t)] for t in texts])


VECTORS = VectorCache()
# Sentences of the passage compared by embedding: the ones sharing most words with the answer sentence.
COMPARED_SENTENCES = 2


@lru_cache(maxsize=1)
def _terms() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    path = get_settings().corpus_file("terms.tsv")  # optional, beside the corpus
    for cells in read_rows(path) if path else ():
        if len(cells) >= 2:
            out[normalize(cells[0])] = tuple(normalize(z) for z in alternatives(cells[1]))
    return out


@lru_cache(maxsize=1)
def _dictionary():
    from common.cedict import EnglishToChinese

    return EnglishToChinese(get_settings().data_dir / "cache")


class SupportJudge:
    """Judges sentences against passages; thresholds per language pair come from the settings."""

    def __init__(self, embedder: Embedder | None, settings: Settings | None = None,
                 names: NameIndex | None = None) -> None:
        """``embedder`` may be None (no semantic test: a sentence then needs shared words or terms)."""
        settings = settings or get_settings()
        self.embedder = embedder
        self.threshold = settings.support_threshold
        self.names = names or default_names()

    # ------------------------------------------------------------------ evidence

    def evidence(self, texts: Sequence[str]) -> Evidence:
        """Read the passages' figures, words and sentences (nothing is embedded until a sentence needs it)."""
        text = "\n".join(texts)
        sentences = [s.strip() for s in _PASSAGE_SENTENCE.findall(text) if len(s.strip()) >= 4] or [text[:500]]
        return Evidence(text, detect_language(text), figures.extract(text, lenient=True), sentences,
                        set(tokenize(text)), [set(tokenize(s)) for s in sentences])

    def warm(self, evidence: Sequence[Evidence], stop: threading.Event) -> None:
        """Embed the passages' sentences one by one ahead of need, until ``stop`` is set."""
        if self.embedder is None:
            return
        for ev in evidence:
            for sentence in ev.sentences:
                if stop.is_set():
                    return
                VECTORS.vectors(self.embedder, [sentence])

    def merge(self, parts: Sequence[Evidence]) -> Evidence:
        """One evidence for a sentence citing several passages."""
        text = "\n".join(p.text for p in parts)
        return Evidence(text, detect_language(text), figures.extract(text, lenient=True),
                        [s for p in parts for s in p.sentences], set().union(*(p.tokens for p in parts)),
                        [t for p in parts for t in p.sentence_tokens])

    # ------------------------------------------------------------------ judging

    def judge(self, sentence: str, ev: Evidence) -> Verdict:
        """The verdict for one answer sentence (markers are ignored) against the evidence."""
        plain = _MARKER.sub("", sentence).strip()
        found = self.names.find(plain)
        missing = [n.label for n, _, _ in found if not self.names.mentions(ev.text, n)]
        without_names = _blank_spans(normalize(plain), [(a, b) for _, a, b in found])
        if not missing and detect_language(plain) == "en" and ev.language != "en":
            # Names the glossary does not know, written in pinyin: the passage must have characters reading so.
            unknown = _blank_spans(plain, [(a, b) for _, a, b in found]) if len(plain) == len(normalize(plain)) \
                else plain
            missing = [name for name, syllables in pinyin_names(unknown)
                       if name.lower() not in ev.text.lower() and not spelled_in(syllables, ev.text)]
        if missing:
            return Verdict(False, "name", ", ".join(dict.fromkeys(missing)))
        wrong = figures.unsupported_figures(figures.extract(without_names), ev.figures)
        if wrong:
            return Verdict(False, "figure", ", ".join(wrong))
        misplaced = self._misattributed_years(figures.extract(without_names).years, found, ev)
        if misplaced:
            return Verdict(False, "figure", ", ".join(misplaced))
        language = detect_language(plain)
        overlap = self._overlap(without_names, language, ev)
        if overlap >= SURE_OVERLAP:
            return Verdict(True, "", "", 0.0, overlap)  # its words are the passage's: no embedding needed
        cosine = self._cosine(plain, without_names, ev)
        score = cosine + OVERLAP_WEIGHT * overlap
        if score < self.threshold.get(pair_key(language, ev.language), DEFAULT_THRESHOLD):
            return Verdict(False, "meaning", f"cosine {cosine:.2f}, shared terms {overlap:.0%}", cosine, overlap)
        return Verdict(True, "", "", cosine, overlap)

    def _misattributed_years(self, years: set[int], found: list, ev: Evidence) -> list[str]:
        """Years the passage gives only to another company ("2021年成立的MiniMAX" for a Baichuan sentence).

        A year counts as misattributed when every clause of the passage that states it names a company and
        none of the sentence's companies.
        """
        companies = {n for n, _, _ in found if n.kind == "company"}
        if not companies or not years:
            return []
        out = []
        for year in sorted(years):
            clauses = [c for c in _CLAUSE.split(ev.text) if str(year) in c]
            named = [{n for n, _, _ in self.names.find(c) if n.kind == "company"} for c in clauses]
            if clauses and all(found_here and not (found_here & companies) for found_here in named):
                out.append(f"{year} (another company's)")
        return out

    def _cosine(self, plain: str, without_names: str, ev: Evidence) -> float:
        """Best cosine between the sentence and the passage sentences most likely to say the same."""
        if self.embedder is None:
            return 0.0
        words = _sentence_words(without_names)
        ranked = sorted(range(len(ev.sentences)), key=lambda i: -_shared(words, ev.sentences[i], ev.sentence_tokens[i]))
        chosen = [ev.sentences[i] for i in ranked[:COMPARED_SENTENCES]]
        vectors = VECTORS.vectors(self.embedder, [plain, *chosen])  # one batch with the answer sentence
        return float(np.max(vectors[1:] @ vectors[0]))

    def _overlap(self, text: str, language: str, ev: Evidence) -> float:
        """Share of the sentence's content words the passage has, translating English words into Chinese."""
        passage = compact(ev.text)
        if language != "en" or ev.language == "en":
            words = [w for w in tokenize(text) if not re.fullmatch(r"[\d.,%]+", w)]
            if not words:
                return 1.0
            return sum(1 for w in words if w in ev.tokens or w in passage) / len(words)
        words = [w for w in _EN_WORD.findall(text) if w not in STOPWORDS and w not in _EN_FILLER
                 and w not in figures.MONTHS and len(w) > 2]
        if not words:
            return 1.0
        return sum(1 for w in words if _translated(w, passage)) / len(words)


def _translated(word: str, passage: str) -> bool:
    """An English word has a rendering (term list or dictionary) that occurs in the compact passage."""
    if word in passage:
        return True
    candidates = list(_terms().get(word, ()))
    stem = word[:-1] if word.endswith("s") else word
    candidates += _terms().get(stem, ())
    candidates += _dictionary().lookup(word)
    return any(c and compact(c) in passage for c in candidates)


def _sentence_words(text: str) -> list[str]:
    """The words to look for in passage sentences: Chinese tokens, or English words with their renderings."""
    if detect_language(text) != "en":
        return [w for w in tokenize(text) if not re.fullmatch(r"[\d.,%]+", w)]
    return [w for w in _EN_WORD.findall(text) if w not in STOPWORDS and w not in _EN_FILLER and len(w) > 2]


def _shared(words: list[str], sentence: str, tokens: set[str]) -> int:
    """How many of ``words`` a passage sentence has (English words through their Chinese renderings)."""
    flat = compact(sentence)
    return sum(1 for w in words if w in tokens or w in flat or (w.isascii() and _translated(w, flat)))


def _blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    for a, b in spans:
        text = text[:a] + " " * (b - a) + text[b:]
    return text
