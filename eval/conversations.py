"""Multi-turn conversations: whether a follow-up keeps the subject of the previous answer.

``python -m eval.conversations`` asks every conversation of ``eval/conversations.jsonl`` turn by turn,
passing the earlier turns as history, and scores each follow-up:

- ``key_hit``: the answer holds one of the turn's gold answers (as in the main evaluation);
- ``subject_kept``: the query that was searched names the turn's subject (one of its ``subject`` forms).

Each line of the file is ``{"id": ..., "turns": [{"q": ..., "answers": [...], "subject": [...]}, ...]}``;
the first turn has no subject, every later one names the company or person it is about.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from common.lang import detect_language
from common.textnorm import compact
from eval.metrics import contains_quote

CONVERSATIONS_PATH = Path(__file__).resolve().parent / "conversations.jsonl"


@dataclass
class TurnResult:
    """One follow-up turn's outcome."""

    conversation: str
    turn: int
    question: str
    switched_language: bool
    query: str
    key_hit: bool
    subject_kept: bool
    answer: str


def load_conversations(path: Path = CONVERSATIONS_PATH) -> list[dict[str, object]]:
    """Read the conversations file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(ask_with_history: object, conversations: list[dict[str, object]]) -> list[TurnResult]:
    """Ask each conversation; ``ask_with_history(question, history)`` returns an :class:`qa.types.Answer`."""
    results = []
    for conv in conversations:
        history: list[dict[str, str]] = []
        previous_language = ""
        for n, turn in enumerate(conv["turns"]):  # type: ignore[union-attr]
            question = str(turn["q"])
            answer = ask_with_history(question, list(history))  # type: ignore[operator]
            language = detect_language(question)
            if n:
                query = str(answer.trace.get("retrieval_query", question))
                subject = [compact(s) for s in turn.get("subject", [])]
                results.append(TurnResult(
                    str(conv["id"]), n + 1, question, language != previous_language, query,
                    not answer.abstained and contains_quote(answer.text, list(turn["answers"])),
                    any(s and s in compact(query) for s in subject), answer.text))
            previous_language = language
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
    return results


def summarize(results: list[TurnResult]) -> dict[str, float]:
    """Share of follow-ups answered with a gold answer and with the subject kept, overall and by kind."""
    def share(rows: list[TurnResult], key: str) -> float:
        return round(sum(getattr(r, key) for r in rows) / len(rows), 4) if rows else 0.0

    switched = [r for r in results if r.switched_language]
    third = [r for r in results if r.turn >= 3]
    return {"follow_ups": len(results), "key_hit": share(results, "key_hit"),
            "subject_kept": share(results, "subject_kept"),
            "switched_language": len(switched), "key_hit_switched": share(switched, "key_hit"),
            "third_turns": len(third), "key_hit_third": share(third, "key_hit")}


def main(argv: list[str] | None = None) -> int:
    """Score the conversations with the offline answerer and print the summary and the misses."""
    parser = argparse.ArgumentParser(prog="python -m eval.conversations", description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=CONVERSATIONS_PATH)
    parser.add_argument("--out", type=Path, default=None, help="JSON file for every turn")
    parser.add_argument("--verbose", action="store_true", help="print every follow-up that missed")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from qa.api import get_pipeline

    pipeline = get_pipeline()
    results = run(lambda q, h: pipeline.ask(q, 5, h), load_conversations(args.file))
    summary = summarize(results)
    print("conversations: " + "  ".join(f"{k}={v}" for k, v in summary.items()))
    for r in results:
        if args.verbose and not (r.key_hit and r.subject_kept):
            print(f"  {r.conversation}.{r.turn} {r.question} | query: {r.query} | "
                  f"{r.answer.splitlines()[0][:80] if r.answer else ''}")
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "turns": [asdict(r) for r in results]},
                                       ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
