"""Checking an LLM answer's citations sentence by sentence while it streams, so nothing is left for the end.

Each sentence is judged as soon as it is complete (its end mark and markers have arrived and more text
follows), and the last one when the stream ends; the passage sentences it is compared with are embedded
then, once, and kept for later answers.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from llm.names import warm_pinyin
from llm.support import Evidence, SupportJudge, Verdict
from retrieve.passage import Passage

_MARKERS = re.compile(r"(?:\s*\[\d{1,2}(?:\s*[,，、]\s*\d{1,2})*\])+")
_NUMBERS = re.compile(r"\d{1,2}")
# A sentence ends at a Chinese or exclamation/question mark, at a full stop followed by a space, a marker or
# the end (not "3.3" or "01.AI"), or at a line break.
_END = re.compile(r"[。！？!?]+|\.(?=\s|\[|$)|\n")


@dataclass(frozen=True)
class CheckedSentence:
    """One answer sentence with the passages it cites and whether they back it (``reason`` when not)."""

    sentence: str
    numbers: tuple[int, ...]
    supported: bool
    reason: str = ""


def split_answer(text: str, *, final: bool = True) -> tuple[list[str], int]:
    """Complete sentences of ``text`` (each with the markers that follow it) and where the rest begins.

    Without ``final`` a sentence counts as complete only once something other than space or a marker
    follows it, since markers may still be on their way.
    """
    out: list[str] = []
    start = 0
    for m in _END.finditer(text):
        if m.end() <= start:
            continue
        end = m.end()
        markers = _MARKERS.match(text, end)
        if markers:
            end = markers.end()
        if not final and not text[end:].strip():
            break
        sentence = text[start:end].strip()
        if sentence:
            out.append(sentence)
        start = end
    if final and text[start:].strip():
        out.append(text[start:].strip())
        start = len(text)
    return out, start


def cited(sentence: str) -> tuple[int, ...]:
    """The passage numbers a sentence cites, in order."""
    return tuple(int(n) for block in _MARKERS.findall(sentence) for n in _NUMBERS.findall(block))


class StreamingCheck:
    """Judges a growing answer; :meth:`feed` returns the sentences checked so far."""

    def __init__(self, passages: Sequence[Passage], judge: SupportJudge, *, pinyin: bool = False) -> None:
        """Read each passage's evidence (figures, names, words) and start embedding its sentences.

        ``pinyin`` (an English answer) also loads the pinyin table used for names outside the glossary.
        """
        self.passages = list(passages)
        self.judge = judge
        self.checked: list[CheckedSentence] = []
        self._offset = 0
        self._single: list[Evidence] = [judge.evidence([f"{p.title}\n{p.text}"]) for p in self.passages]
        self._combined: dict[tuple[int, ...], Evidence] = {}
        # While the model is still thinking: load the pinyin table (once per process) and embed the passages'
        # sentences, so that checking a sentence, the last one above all, rarely has to wait for either.
        self._done = threading.Event()
        self._pinyin = pinyin
        threading.Thread(target=self._warm, daemon=True, name="citation-warmup").start()

    def _warm(self) -> None:
        if self._pinyin:
            warm_pinyin()
        self.judge.warm(self._single, self._done)

    def feed(self, text: str, *, final: bool = False) -> list[CheckedSentence]:
        """Check the sentences of ``text`` completed since the last call; all of them once ``final``."""
        sentences, consumed = split_answer(text[self._offset:], final=final)
        self._offset += consumed
        for sentence in sentences:
            self.checked.append(self._check(sentence))
        if final:
            self._done.set()  # nothing left to warm up for
        return self.checked

    def _check(self, sentence: str) -> CheckedSentence:
        numbers = cited(sentence)
        if not numbers:
            return CheckedSentence(sentence, numbers, True)
        if not all(1 <= n <= len(self.passages) for n in numbers):
            return CheckedSentence(sentence, numbers, False, "marker")
        verdict: Verdict = self.judge.judge(sentence, self._evidence(numbers))
        return CheckedSentence(sentence, numbers, verdict.supported, verdict.reason)

    def _evidence(self, numbers: tuple[int, ...]) -> Evidence:
        key = tuple(sorted(set(numbers)))
        if len(key) == 1:
            return self._single[key[0] - 1]
        if key not in self._combined:
            parts = [self._single[n - 1] for n in key]
            self._combined[key] = self.judge.merge(parts)
        return self._combined[key]
