"""``python -m bench.ingest_scale``: streaming ingestion of a large folder, and how fast a killed build resumes.

The folder is synthetic, grown from the real corpus: each document is a random window (30-70%) of one
real article's paragraphs with some paragraphs dropped, every number changed and its own title, so
chunk texts are unique and read like the real ones.

Embedding uses :class:`bench.hash_embedder.HashEmbedder` by default (deterministic vectors from a text
hash, no model), so the numbers are the pipeline's own cost: reading, cleaning, chunking, the embedding
cache, BM25 and FAISS. ``--real`` uses the configured embedder instead (e5-small: about 20-50 chunks/s on
2 cores, so use fewer ``--docs``). ``--text-ms`` makes the fake cost that much per text, to model a slow
embedder's share without it.

Every build runs in its own process, so peak RSS is that build's alone. Reported: docs/s, chunks/s and
peak RSS at two folder sizes, both at the end of the streaming phase (read, chunk, embed: it grows with
the chunk table and vectors, not with the raw text) and over the whole build (which adds BM25 and FAISS
construction), then a build killed (SIGKILL) once about half of the chunks are in the embedding cache,
and the resumed build. With the fake embedder a resumed build saves little, since embedding is nearly
free; ``--text-ms 20`` (about e5-small's cost per passage on 2 cores) shows what resuming saves.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common.settings import ROOT, get_settings

_DIGITS = re.compile(r"\d+")


def make_corpus(folder: Path, n_docs: int, seed: int = 7) -> int:
    """Write ``n_docs`` perturbed copies of the real articles into ``folder``; returns the total bytes."""
    rng = random.Random(seed)
    sources = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "corpus").iterdir())]
    articles = [[b for b in re.split(r"\n\s*\n", text) if b.strip()] for text in sources]
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(n_docs):
        blocks = articles[i % len(articles)]
        size = max(3, int(len(blocks) * rng.uniform(0.3, 0.7)))
        start = rng.randrange(0, max(1, len(blocks) - size))
        window = [b for b in blocks[start : start + size] if rng.random() > 0.15] or blocks[:3]
        body = "\n\n".join(_DIGITS.sub(lambda m: str(rng.randrange(10 ** len(m.group())) or 1), b) for b in window)
        title = blocks[0].splitlines()[0].strip(" #")[:40]
        text = f"# {title}（第{i}篇）\n\n{body}\n"
        (folder / f"synthetic_{i:05d}.md").write_text(text, encoding="utf-8")
        total += len(text.encode())
    return total


def _worker(corpus: Path, data: Path, real: bool, text_ms: float) -> None:
    """Build the index once (in this process) and print the report as JSON."""
    from bench.hash_embedder import HASH_MODEL, HashEmbedder
    from embed import embedder_name, get_embedder
    from index import build_index

    settings = get_settings().with_(corpus_dir=corpus, data_dir=data)
    streaming_peak = [0]

    class Watched:
        """Notes the peak RSS at every batch: the last batch ends the streaming (read/chunk/embed) phase."""

        def __init__(self, embedder) -> None:
            self.embedder, self.name, self.dim = embedder, embedder.name, embedder.dim

        def embed_passages(self, texts, *, progress=False):
            time.sleep(text_ms * len(texts) / 1000)
            vectors = self.embedder.embed_passages(texts, progress=progress)
            streaming_peak[0] = _peak_rss_kb()
            return vectors

        def embed_queries(self, texts):
            return self.embedder.embed_queries(texts)

    if real:
        model, factory = embedder_name(settings), lambda: Watched(get_embedder(settings))
    else:
        model, factory = HASH_MODEL, lambda: Watched(HashEmbedder(dim=384))
    started = time.perf_counter()
    report = build_index(settings, factory, model, force=True)
    print(json.dumps({"docs": report.manifest.n_docs, "chunks": report.manifest.n_chunks,
                      "embedded": report.embedded, "reused": report.reused, "index_kind": report.manifest.index_kind,
                      "build_s": round(time.perf_counter() - started, 2),
                      "streaming_peak_rss_mb": round(streaming_peak[0] / 1024)}))


def _peak_rss_kb() -> int:
    with open("/proc/self/status") as fh:
        return next((int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), 0)


def _start(corpus: Path, data: Path, real: bool, text_ms: float) -> tuple[subprocess.Popen, float]:
    command = [sys.executable, "-m", "bench.ingest_scale", "--worker", str(corpus), str(data),
               "--text-ms", str(text_ms)] + (["--real"] if real else [])
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return proc, time.perf_counter()


def _finish(proc: subprocess.Popen, started: float) -> dict:
    """Wait for a worker; its own peak RSS comes from wait4, so builds never mix their numbers."""
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"build failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    # Rates over build_index() alone; the process time adds Python and library start-up (~2-4 s).
    build_s = result["build_s"]
    return result | {"process_s": round(seconds, 2), "docs_per_s": round(result["docs"] / build_s, 1),
                     "chunks_per_s": round(result["chunks"] / build_s, 1),
                     "build_peak_rss_mb": round(usage.ru_maxrss / 1024)}


def _cached(data: Path) -> int:
    try:
        with sqlite3.connect(data / "embed_cache.sqlite3", timeout=30) as db:
            return db.execute("SELECT count(*) FROM vectors").fetchone()[0]
    except sqlite3.Error:
        return 0  # not created yet


def run(n_docs: int = 2000, *, real: bool = False, text_ms: float = 0.0) -> dict:
    """Generate the folders, run the builds and return the numbers."""
    results: dict = {"embedder": "configured (real)" if real else f"hash fake, {text_ms} ms/text"}
    with tempfile.TemporaryDirectory(prefix="ingest-scale-") as tmp:
        root = Path(tmp)
        models = get_settings().models_dir.resolve()
        for n in sorted({max(1, n_docs // 4), n_docs}):
            corpus = root / f"corpus-{n}"
            mb = make_corpus(corpus, n) / 2**20
            data = root / f"data-{n}"
            data.mkdir()
            if models.exists():
                (data / "models").symlink_to(models)  # reuse the converted model
            build = _finish(*_start(corpus, data, real, text_ms))
            results[f"full_build_{n}_docs"] = build | {"corpus_mb": round(mb, 1)}
        full = results[f"full_build_{n_docs}_docs"]

        data = root / "interrupted"
        data.mkdir()
        if models.exists():
            (data / "models").symlink_to(models)
        corpus = root / f"corpus-{n_docs}"
        proc, started = _start(corpus, data, real, text_ms)
        while _cached(data) < full["chunks"] // 2 and proc.poll() is None:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_s = time.perf_counter() - started
        survived = _cached(data)
        resumed = _finish(*_start(corpus, data, real, text_ms))
        results["killed_build"] = {"killed_after_s": round(killed_s, 2), "chunks_cached": survived,
                                   "cached_share": round(survived / full["chunks"], 2)}
        results["resumed_build"] = resumed | {"vs_full_build": round(resumed["build_s"] / full["build_s"], 2)}
    return results


def print_results(results: dict) -> None:
    """Print the numbers as small tables."""
    for title, numbers in results.items():
        if not isinstance(numbers, dict):
            print(f"\n{title}: {numbers}")
            continue
        print(f"\n{title}")
        width = max(len(k) for k in numbers)
        for key, value in numbers.items():
            print(f"  {key:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(prog="python -m bench.ingest_scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000, help="documents in the large folder (default 2000)")
    parser.add_argument("--real", action="store_true", help="embed with the configured model instead of the fake")
    parser.add_argument("--text-ms", type=float, default=0.0, help="extra fake embedding cost per text, in ms")
    parser.add_argument("--worker", nargs=2, metavar=("CORPUS", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(Path(args.worker[0]), Path(args.worker[1]), args.real, args.text_ms)
        return 0
    print_results(run(args.docs, real=args.real, text_ms=args.text_ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
