"""One reader for the evaluation's JSON-lines files: every bad row is an error naming its file and line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def read_rows(path: Path, build: Callable[[dict], T], what: str) -> list[T]:
    """``build`` each non-empty line's object; a row it cannot build raises ``ValueError`` with ``path:line``."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(build(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not {what} ({exc})") from exc
    return out
