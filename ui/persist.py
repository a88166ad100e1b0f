"""The conversation as plain JSON for the browser's storage, and back, so that a reload keeps it.

Only finished turns are kept (the last ``MAX_TURNS``), without the retrieval trace; whatever the browser
hands back is checked, and anything malformed is dropped rather than trusted.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from qa.types import Answer, Citation
from retrieve.passage import Passage
from ui.session import Turn

MAX_TURNS = 30
_TURN_FIELDS = ("question", "error", "invalid", "internal", "notice", "stopped")


def dump(turns: list[Turn]) -> list[dict[str, Any]]:
    """Finished turns as JSON-ready dicts."""
    out = []
    for turn in turns[-MAX_TURNS:]:
        item: dict[str, Any] = {name: getattr(turn, name) for name in _TURN_FIELDS}
        if turn.answer is not None and (turn.answer.complete or turn.stopped):
            answer = dataclasses.replace(turn.answer, trace={})
            item["answer"] = dataclasses.asdict(answer)
        elif turn.error is None and turn.notice is None and not turn.internal:
            continue  # still being answered: not worth restoring
        out.append(item)
    return out


def load(items: object) -> list[Turn]:
    """Turns from what the browser stored; malformed entries are skipped."""
    turns: list[Turn] = []
    if not isinstance(items, list):
        return turns
    for item in items[-MAX_TURNS:]:
        try:
            turns.append(_turn(item))
        except (TypeError, ValueError, KeyError, AttributeError):
            continue
    return turns


def _turn(item: Any) -> Turn:
    if not isinstance(item, dict) or not isinstance(item.get("question"), str):
        raise ValueError("not a turn")
    turn = Turn(item["question"])
    for name in _TURN_FIELDS[1:]:
        value = item.get(name)
        if value is not None:
            setattr(turn, name, bool(value) if name in ("invalid", "internal", "stopped") else str(value))
    if isinstance(item.get("answer"), dict):
        turn.answer = _answer(item["answer"])
    return turn


def _passage(data: Any) -> Passage:
    names = {f.name for f in dataclasses.fields(Passage)}
    return Passage(**{k: v for k, v in dict(data).items() if k in names})


def _answer(data: dict[str, Any]) -> Answer:
    names = {f.name for f in dataclasses.fields(Answer)}
    fields = {k: v for k, v in data.items() if k in names}
    fields["passages"] = tuple(_passage(p) for p in fields.get("passages") or ())
    citation_names = {f.name for f in dataclasses.fields(Citation)}
    fields["citations"] = tuple(
        Citation(**{**{k: v for k, v in dict(c).items() if k in citation_names}, "passage": _passage(c["passage"])})
        for c in fields.get("citations") or ())
    fields["notes"] = tuple(str(n) for n in fields.get("notes") or ())
    fields["trace"] = {}
    if not isinstance(fields.get("text"), str) or not isinstance(fields.get("language"), str):
        raise ValueError("not an answer")
    return Answer(**fields)
