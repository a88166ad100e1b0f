"""``python -m tests.hash_index_cli [--delay S] build ...``: the real index CLI with the hash embedder.

Lets a test kill a real build process mid-embedding: ``--delay`` slows every embedding batch.
"""

from __future__ import annotations

import sys

import index.__main__ as index_cli
from bench.hash_embedder import HashEmbedder


def main(argv: list[str]) -> int:
    delay = 0.0
    if argv[:1] == ["--delay"]:
        delay, argv = float(argv[1]), argv[2:]
    index_cli.get_embedder = lambda settings: HashEmbedder(delay_s=delay)
    return index_cli.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
