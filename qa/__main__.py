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
    llm = parser.add_argument_group("optional LLM (OpenAI-compatible; defaults from QA_LLM_* variables)")
    llm.add_argument("--llm-base-url", help="e.g. https://api.deepseek.com or http://127.0.0.1:11434/v1")
    llm.add_argument("--llm-model", help="e.g. deepseek-chat, qwen-plus, qwen2.5:7b")
    llm.add_argument("--llm-api-key", help="API key (prefer QA_LLM_API_KEY, which stays out of shell history)")
    llm.add_argument("--llm-temperature", type=float)
    llm.add_argument("--llm-timeout", type=float, help="seconds before falling back to the quoted answer")
    llm.add_argument("--no-llm", action="store_true", help="quote the articles even when an LLM is configured")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    settings = get_settings().for_corpus(args.corpus)
    overrides = {name: value for name, value in (
        ("llm_base_url", args.llm_base_url), ("llm_model", args.llm_model), ("llm_api_key", args.llm_api_key),
        ("llm_temperature", args.llm_temperature), ("llm_timeout", args.llm_timeout),
        ("llm_base_url", "" if args.no_llm else None)) if value is not None}
    settings = settings.with_(**overrides)
    try:
        answer = get_pipeline(settings).ask(args.question, k=args.k)
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.json:
        print(answer.to_json())
        return 0
    print(answer.text)
    for note in answer.notes:
        print(f"\nnote: {note}")
    for n, p in enumerate(answer.passages, 1):
        where = " > ".join(x for x in (p.title, p.section) if x)
        print(f"\n[{n}] {where} ({p.date or 'undated'})\n    {p.source}\n    {p.text[:200].replace(chr(10), ' ')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
