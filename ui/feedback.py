"""Readers' 👍/👎 on answers, kept in SQLite under the data dir, and exported as candidate eval questions.

Each vote stores the question, the answer text, the passages shown (ids, titles, text), the settings that
produced it (passage count, interface language, LLM model and base URL, never the key) and the time; an
optional comment can follow. ``python -m ui.feedback export [--out FILE] [--all]`` writes the voted-down
answers (or all) as JSON lines in the shape of ``eval/questions.jsonl``, marked for review.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import threading
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from common.settings import get_settings
from qa.types import Answer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    vote INTEGER NOT NULL,            -- 1 for 👍, -1 for 👎
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    language TEXT NOT NULL,
    passages TEXT NOT NULL,           -- JSON list of {chunk_id, doc_id, title, date, text}
    settings TEXT NOT NULL,           -- JSON object
    comment TEXT NOT NULL DEFAULT ''
)
"""


class FeedbackError(ValueError):
    """A vote or comment that cannot be stored as given."""


class FeedbackStore:
    """The feedback table in one SQLite file (created on first use)."""

    def __init__(self, path: Path) -> None:
        """Use (and create when needed) the database at ``path``."""
        self.path = Path(path)
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        db.execute(_SCHEMA)
        return db

    def add(self, question: str, answer: Answer, vote: int, settings: dict[str, object]) -> int:
        """Store one vote (``1`` or ``-1``) on ``answer``; returns its row id for a later comment."""
        if vote not in (1, -1):
            raise FeedbackError(f"a vote is 1 or -1, not {vote!r}")
        if not isinstance(question, str) or not question.strip():
            raise FeedbackError("feedback needs the question it is about")
        passages = [{"chunk_id": p.chunk_id, "doc_id": p.doc_id, "title": p.title, "date": p.date, "text": p.text}
                    for p in answer.passages]
        row = (datetime.now(UTC).isoformat(timespec="seconds"), vote, question.strip(), answer.text, answer.language,
               json.dumps(passages, ensure_ascii=False), json.dumps(settings, ensure_ascii=False, default=str))
        with self._lock, closing(self._connect()) as db, db:
            cursor = db.execute("INSERT INTO feedback (created, vote, question, answer, language, passages, settings)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?)", row)
            return int(cursor.lastrowid or 0)

    def comment(self, row_id: int, text: str) -> None:
        """Attach the reader's comment (at most 2,000 characters) to vote ``row_id``."""
        if not isinstance(text, str):
            raise FeedbackError("a comment is text")
        with self._lock, closing(self._connect()) as db, db:
            updated = db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (text.strip()[:2000], int(row_id)))
            if updated.rowcount != 1:
                raise FeedbackError(f"no vote {row_id} to comment on")

    def rows(self) -> list[dict[str, object]]:
        """Every stored vote, oldest first."""
        if not self.path.exists():
            return []
        with self._lock, closing(self._connect()) as db:
            db.row_factory = sqlite3.Row
            out = []
            for row in db.execute("SELECT * FROM feedback ORDER BY id"):
                item = dict(row)
                item["passages"] = json.loads(str(item["passages"]))
                item["settings"] = json.loads(str(item["settings"]))
                out.append(item)
            return out


def candidates(rows: list[dict[str, object]], *, everything: bool = False) -> list[dict[str, object]]:
    """Votes as candidate evaluation questions (``eval/questions.jsonl`` fields, plus the feedback)."""
    out = []
    for row in rows:
        if not everything and row["vote"] != -1:
            continue
        passages = row["passages"] if isinstance(row["passages"], list) else []
        out.append({
            "id": f"feedback-{row['id']}", "split": "dev", "lang": row["language"], "type": "feedback",
            "question": row["question"],
            # To be decided by a reviewer: whether the articles answer it, with which quote and key.
            "answerable": None, "evidence": [{"doc_id": p["doc_id"], "quote": ""} for p in passages],
            "answers": [], "needs_review": True,
            "feedback": {"vote": row["vote"], "comment": row["comment"], "answer": row["answer"],
                         "time": row["created"], "settings": row["settings"],
                         "passages": [p.get("title") for p in passages]},
        })
    return out


def main(argv: list[str] | None = None) -> int:
    """``export``: write the candidate questions as JSON lines (to stdout or ``--out``)."""
    parser = argparse.ArgumentParser(prog="python -m ui.feedback", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    export = sub.add_parser("export", help="write voted answers as candidate evaluation questions")
    export.add_argument("--db", type=Path, default=None, help="feedback database (default: in the data dir)")
    export.add_argument("--out", type=Path, default=None, help="JSON lines file (default: stdout)")
    export.add_argument("--all", action="store_true", help="include 👍 votes, not only 👎")
    args = parser.parse_args(argv)
    path = args.db or get_settings().feedback_db
    if not path.exists():
        print(f"error: no feedback database at {path}", file=sys.stderr)
        return 2
    try:
        items = candidates(FeedbackStore(path).rows(), everything=args.all)
    except sqlite3.DatabaseError as exc:
        print(f"error: {path} is not a feedback database ({exc})", file=sys.stderr)
        return 2
    lines = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    if args.out:
        args.out.write_text(lines, encoding="utf-8")
        print(f"wrote {len(items)} candidate questions to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
