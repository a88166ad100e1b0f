"""``python -m qa "question"``: print a cited answer and its sources (``--json`` for everything)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from common.errors import QAError
from common.settings import get_settings
from qa.api import get_pipeline


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m qa", description=__doc__)
    parser.add_argument("question")
    parser.add_argument("-k", type=int, default=5, help="number of passages to retrieve")
    parser.add_argument("--json", action="store_true", help="print the full Answer as JSON")
    parser.add_argument("--corpus", type=Path, help="folder of .md/.txt/.html articles (or QA_CORPUS_DIR)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    settings = get_settings()
    if args.corpus:
        settings = settings.with_(corpus_dir=args.corpus.resolve())
    try:
        answer = get_pipeline(settings).ask(args.question, k=args.k)
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.json:
        print(answer.to_json())
        return 0
    print(answer.text)
    for n, p in enumerate(answer.passages, 1):
        where = " > ".join(x for x in (p.title, p.section) if x)
        print(f"\n[{n}] {where} ({p.date or 'undated'})\n    {p.source}\n    {p.text[:200].replace(chr(10), ' ')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
