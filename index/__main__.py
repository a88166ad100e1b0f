"""``python -m index build|info``: build the index for the configured corpus, or describe it."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path

from common.errors import QAError
from common.settings import get_settings
from embed import embedder_name, get_embedder
from index import build_index, load_index


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    parser.add_argument("command", choices=["build", "info"])
    parser.add_argument("--corpus", type=Path, help="folder of .md/.txt/.html articles (or QA_CORPUS_DIR)")
    parser.add_argument("--force", action="store_true", help="rebuild even when the corpus is unchanged")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    settings = get_settings().for_corpus(args.corpus)
    model = embedder_name(settings)
    try:
        if args.command == "build":
            report = build_index(settings, lambda: get_embedder(settings), model, force=args.force, progress=True)
            m = report.manifest
            if report.skipped_build:
                print(f"index is up to date: {m.n_chunks} chunks from {m.n_docs} documents ({settings.index_dir})")
            else:
                for warning in report.warnings:
                    print(f"warning: {warning}", file=sys.stderr)
                print(f"built {m.n_chunks} chunks from {m.n_docs} documents in {m.build_seconds:.1f} s "
                      f"(embedded {report.embedded}, reused {report.reused}) -> {settings.index_dir}")
        else:
            data = load_index(settings, model)
            info = asdict(data.manifest) | {"path": str(data.path.resolve()),
                                            "bm25_vocabulary": len(data.bm25.vocab_dict)}
            print(json.dumps(info, ensure_ascii=False, indent=2))
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
