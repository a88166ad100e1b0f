"""Result types returned by :func:`qa.ask`."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from retrieve.passage import Passage


@dataclass(frozen=True)
class Citation:
    """A sentence quoted in an answer: ``sentence`` occurs verbatim in ``passage.text``."""

    number: int
    passage: Passage
    sentence: str
    supported: bool = True


@dataclass(frozen=True)
class Answer:
    """An answer with numbered citation markers ``[n]`` pointing at ``passages[n-1]``."""

    text: str
    passages: tuple[Passage, ...]
    abstained: bool
    language: str
    citations: tuple[Citation, ...] = ()
    notes: tuple[str, ...] = ()
    trace: dict[str, object] = field(default_factory=dict)
    # False for the partial answers :func:`qa.ask_stream` yields while the text is still growing.
    complete: bool = True
    # The span of the first quoted sentence that answers a factoid question, in the articles' words
    # ("杨植麟", "30 亿美元"); empty for questions that want a list or an explanation, or when none was found.
    short_answer: str = ""
    # What the question asks for: person, time, number, place, entity, list or explain.
    answer_kind: str = ""

    def to_json(self) -> str:
        """Serialise everything, for ``python -m qa --json`` and the evaluation report."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)
