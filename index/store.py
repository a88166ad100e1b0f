"""Build, save and load the on-disk index: FAISS vectors, a BM25 index and the chunk table.

Layout under ``data_dir``: ``builds/<id>/`` holds complete builds and ``index`` is a symlink to the
current one. A build writes a fresh directory and then swaps the symlink with one atomic rename, so a
build killed midway leaves the previous index in service.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import bm25s
import faiss
import numpy as np

from common.errors import (
    DocumentError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexWriteError,
    QAError,
)
from common.settings import Settings
from common.textnorm import to_simplified
from embed.protocol import Embedder
from index.choose import choose_index_kind, make_dense_index
from index.manifest import FORMAT_VERSION, Manifest
from index.tokenize import tokenize
from ingest import Chunk, Document, chunk_document, load_corpus
from ingest.documents import corpus_files

log = logging.getLogger(__name__)
# bm25s logs every index build at DEBUG through its own handler; keep the CLI output readable.
logging.getLogger("bm25s").setLevel(logging.WARNING)

# Bump when cleaning, chunking or BM25 tokenising changes, so existing indexes are rebuilt from the new text.
INGEST_VERSION = "4"
# BM25 saturation and length normalisation, tuned on the dev split (k1 0.9-1.5, b 0.1-0.9 compared):
# every chunk carries its title and heading path, so full length normalisation over-penalises them.
BM25_K1, BM25_B = 1.2, 0.3
FIX_HINT = "rebuild it with `make index` (or `python -m index build --force`)"


@dataclass
class IndexData:
    """A loaded index, ready for retrieval."""

    path: Path
    manifest: Manifest
    chunks: list[Chunk]
    documents: dict[str, Document]
    dense: faiss.Index
    bm25: bm25s.BM25


@dataclass
class BuildReport:
    """What a build did, for the CLI and the benchmark."""

    manifest: Manifest
    warnings: list[str] = field(default_factory=list)
    embedded: int = 0
    reused: int = 0
    skipped_build: bool = False


def embed_text(chunk: Chunk) -> str:
    """The text a chunk is embedded as: Simplified script so both scripts share one vector space."""
    return to_simplified(chunk.context_text())


def corpus_hash(settings: Settings) -> str:
    """Content hash of the corpus files plus the ingestion version."""
    digest = hashlib.sha256(f"ingest-{INGEST_VERSION}".encode())
    root = settings.corpus_dir
    for path in corpus_files(root):
        digest.update(str(path.relative_to(root)).encode("utf-8", "surrogateescape"))
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _check_compatible(manifest: Manifest, settings: Settings, model: str) -> None:
    expected = {
        "format_version": FORMAT_VERSION,
        "model": model,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
    }
    wrong = [f"{k}: index has {getattr(manifest, k)!r}, settings want {v!r}"
             for k, v in expected.items() if getattr(manifest, k) != v]
    if wrong:
        raise IndexMismatchError(f"index at {settings.index_dir} was built differently ({'; '.join(wrong)}); "
                                 + FIX_HINT)


def load_index(settings: Settings, model: str) -> IndexData:
    """Load the current index and check it against ``settings`` and the embedder ``model`` name."""
    path = settings.index_dir
    if not (path / "manifest.json").exists():
        raise IndexMissingError(f"no index at {path}; build it with `make index` (or `python -m index build`)")
    manifest = Manifest.load(path / "manifest.json")
    _check_compatible(manifest, settings, model)
    try:
        chunks = [Chunk(**json.loads(line)) for line in _read_lines(path / "chunks.jsonl")]
        documents = {d.doc_id: d for d in (Document(**json.loads(line))
                                           for line in _read_lines(path / "documents.jsonl"))}
        dense = faiss.read_index(str(path / "dense.faiss"))
        bm25 = bm25s.BM25.load(str(path / "bm25"), show_progress=False)
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(f"index at {path} is damaged ({type(exc).__name__}: {exc}); {FIX_HINT}") from exc
    sizes = {"manifest": manifest.n_chunks, "chunk table": len(chunks), "vectors": dense.ntotal}
    if len(set(sizes.values())) != 1 or dense.d != manifest.dim:
        raise IndexCorruptError(f"index at {path} is inconsistent ({sizes}, dim {dense.d} vs {manifest.dim}); "
                                + FIX_HINT)
    return IndexData(path, manifest, chunks, documents, dense, bm25)


def _read_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _previous_vectors(settings: Settings, model: str) -> dict[str, np.ndarray]:
    """Vectors of the current index keyed by embedded text, so unchanged chunks are not re-embedded."""
    try:
        old = load_index(settings, model)
    except QAError:
        return {}
    try:
        # Compressed indexes (IVF-PQ) cannot give the exact vectors back; the raw copy can.
        vectors = np.load(old.path / "vectors.npy")
    except (OSError, ValueError):
        return {}
    if len(vectors) != len(old.chunks):
        return {}
    return {embed_text(c): vectors[i] for i, c in enumerate(old.chunks)}


def build_index(
    settings: Settings,
    embedder_factory: Callable[[], Embedder],
    model: str,
    *,
    force: bool = False,
    progress: bool = False,
) -> BuildReport:
    """Ingest the corpus and write a new index, unless the current one is already up to date."""
    started = time.perf_counter()
    current_hash = corpus_hash(settings)
    if not force:
        try:
            current = load_index(settings, model)
            if current.manifest.corpus_hash == current_hash:
                return BuildReport(current.manifest, skipped_build=True)
        except QAError:
            pass
    _check_writable(settings.data_dir)
    docs, warnings = load_corpus(settings.corpus_dir)
    if not docs:
        raise DocumentError(f"no usable documents in {settings.corpus_dir}: " + "; ".join(warnings or ["empty"]))
    chunks = [c for d in docs for c in chunk_document(d, settings.chunk_size, settings.chunk_overlap)]
    texts = [embed_text(c) for c in chunks]

    cache = _previous_vectors(settings, model)
    missing = [i for i, t in enumerate(texts) if t not in cache]
    vectors = np.zeros((len(texts), 0), dtype=np.float32)
    dim = next(iter(cache.values())).shape[0] if cache else 0
    if missing:
        embedder = embedder_factory()
        fresh = embedder.embed_passages([texts[i] for i in missing], progress=progress)
        dim = fresh.shape[1]
        for row, i in enumerate(missing):
            cache[texts[i]] = fresh[row]
    vectors = np.vstack([cache[t] for t in texts]).astype(np.float32)

    try:
        kind = choose_index_kind(len(vectors), settings.index_kind)
    except ValueError as exc:
        raise QAError(f"QA_INDEX_KIND: {exc}") from exc
    dense = make_dense_index(vectors, kind)
    bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
    bm25.index([tokenize(c.context_text()) or [""] for c in chunks], show_progress=False)

    manifest = Manifest(
        format_version=FORMAT_VERSION,
        model=model,
        index_kind=kind,
        dim=dim,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        corpus_dir=str(settings.corpus_dir),
        corpus_hash=current_hash,
        n_docs=len(docs),
        n_chunks=len(chunks),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - started, 2),
    )
    _write_atomically(settings, manifest, chunks, docs, dense, bm25, vectors)
    return BuildReport(manifest, warnings, embedded=len(missing), reused=len(chunks) - len(missing))


def _check_writable(folder: Path) -> None:
    """Fail before any embedding work when the index could not be saved anyway."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise IndexWriteError(f"cannot write the index under {folder} ({exc.strerror or exc}); "
                              "check that the folder is writable and the disk has space") from exc


def _write_atomically(
    settings: Settings,
    manifest: Manifest,
    chunks: list[Chunk],
    docs: list[Document],
    dense: faiss.Index,
    bm25: bm25s.BM25,
    vectors: np.ndarray,
) -> None:
    builds = settings.data_dir / "builds"
    target: Path | None = None
    try:
        builds.mkdir(parents=True, exist_ok=True)
        target = builds / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        target.mkdir()
        with (target / "chunks.jsonl").open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(asdict(c), ensure_ascii=False) + "\n" for c in chunks)
        with (target / "documents.jsonl").open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(asdict(d), ensure_ascii=False) + "\n" for d in docs)
        try:
            faiss.write_index(dense, str(target / "dense.faiss"))
        except RuntimeError as exc:  # FAISS reports failed writes (disk full) as RuntimeError
            raise OSError(str(exc).strip().splitlines()[-1]) from exc
        np.save(target / "vectors.npy", vectors)
        bm25.save(str(target / "bm25"), show_progress=False)
        # The manifest goes last: a directory without one is an unfinished build.
        manifest.save(target / "manifest.json")
        link = settings.index_dir
        if link.exists() and not link.is_symlink():
            shutil.rmtree(link)
        tmp_link = link.with_name(f".index-{os.getpid()}")
        tmp_link.unlink(missing_ok=True)
        tmp_link.symlink_to(target.relative_to(link.parent))
        os.replace(tmp_link, link)
    except OSError as exc:
        # A half-written build would only fill the disk further; the symlink still names the old one.
        if target is not None:
            shutil.rmtree(target, ignore_errors=True)
        raise IndexWriteError(f"cannot write the index under {settings.data_dir} ({exc.strerror or exc}); "
                              "check that the folder is writable and the disk has space") from exc
    _remove_old_builds(builds, keep=target)


def _writer_alive(build: Path) -> bool:
    """Whether the process named in a build folder (``<time>-<pid>-<n>``) still runs on this machine."""
    try:
        pid = int(build.name.split("-")[2])
    except (IndexError, ValueError):
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _remove_old_builds(builds: Path, keep: Path) -> None:
    for path in builds.iterdir():
        # Leave unfinished builds of running processes alone: they may still be writing them. Those of a
        # killed build go at once; an hour is the limit for writers we cannot see (another machine).
        finished = (path / "manifest.json").exists()
        if path != keep and (finished or not _writer_alive(path) or time.time() - path.stat().st_mtime > 3600):
            shutil.rmtree(path, ignore_errors=True)


def ensure_index(settings: Settings, embedder_factory: Callable[[], Embedder], model: str,
                 *, progress: bool = False) -> IndexData:
    """Load the index, building it first when it is missing, outdated or built with other settings."""
    try:
        data = load_index(settings, model)
        if data.manifest.corpus_hash == corpus_hash(settings):
            return data
        log.info("corpus changed since the index was built; rebuilding")
    except (IndexMissingError, IndexMismatchError, IndexCorruptError) as exc:
        # A damaged index is rebuilt from the corpus like a missing one: nothing in it is lost.
        log.info("%s; building the index now", exc)
    build_index(settings, embedder_factory, model, force=True, progress=progress)
    return load_index(settings, model)
