"""Build, save and load the index: dense vectors, a BM25 index and the chunk table.

Layout under ``data_dir``: ``builds/<id>/`` holds complete builds and ``index`` is a symlink to the
current one. A build writes a fresh directory and then swaps the symlink with one atomic rename, so a
build killed midway leaves the previous index in service. The dense vectors go to the store chosen by
``QA_VECTOR_STORE`` (:mod:`index.vectors`): ``dense.faiss`` in the build directory, or a Milvus
collection named after it, which is dropped together with the directory once a newer build serves.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import bm25s
import numpy as np
from tqdm.auto import tqdm

from common.embedder import Embedder
from common.errors import (
    DocumentError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexWriteError,
    QAError,
)
from common.settings import Settings
from common.tokenize import tokenize
from index.choose import choose_index_kind
from index.embed_cache import EmbedCache
from index.embed_stream import EmbeddedChunks, embed_chunks, embed_text
from index.manifest import FORMAT_VERSION, Manifest
from index.vectors import (
    REBUILD_HINT,
    VectorStore,
    build_vector_store,
    check_store_name,
    collection_name,
    drop_collection,
    milvus_client,
    open_vector_store,
)
from ingest import Chunk, Document
from ingest.documents import corpus_files
from ingest.stream import CorpusStream

log = logging.getLogger(__name__)
# bm25s logs every index build at DEBUG through its own handler; keep the CLI output readable.
logging.getLogger("bm25s").setLevel(logging.WARNING)

# Bump when cleaning, chunking or BM25 tokenising changes, so existing indexes are rebuilt from the new text.
INGEST_VERSION = "5"
# BM25 saturation and length normalisation, tuned on the dev split (k1 0.9-1.5, b 0.1-0.9 compared):
# every chunk carries its title and heading path, so full length normalisation over-penalises them.
BM25_K1, BM25_B = 1.2, 0.3


@dataclass
class IndexData:
    """A loaded index, ready for retrieval."""

    path: Path
    manifest: Manifest
    chunks: list[Chunk]
    documents: dict[str, Document]
    dense: VectorStore
    bm25: bm25s.BM25


@dataclass
class BuildReport:
    """What a build did, for the CLI and the benchmark."""

    manifest: Manifest
    warnings: list[str] = field(default_factory=list)
    embedded: int = 0
    reused: int = 0
    skipped_build: bool = False


def corpus_hash(settings: Settings) -> str:
    """Content hash of the corpus files plus the ingestion version."""
    digest = hashlib.sha256(f"ingest-{INGEST_VERSION}".encode())
    root = settings.corpus_dir
    for path in corpus_files(root):
        digest.update(str(path.relative_to(root)).encode("utf-8", "surrogateescape"))
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _check_compatible(manifest: Manifest, settings: Settings, model: str, *, store: bool = True) -> None:
    expected = {
        "format_version": FORMAT_VERSION,
        "model": model,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
    }
    if store:
        expected["vector_store"] = check_store_name(settings.vector_store)
    wrong = [f"{k}: index has {getattr(manifest, k)!r}, settings want {v!r}"
             for k, v in expected.items() if getattr(manifest, k) != v]
    if wrong:
        raise IndexMismatchError(f"index at {settings.index_dir} was built differently ({'; '.join(wrong)}); "
                                 + REBUILD_HINT)


def load_index(settings: Settings, model: str) -> IndexData:
    """Load the current index and check it against ``settings`` and the embedder ``model`` name."""
    path = settings.index_dir
    if not (path / "manifest.json").exists():
        raise IndexMissingError(f"no index at {path}; build it with `make index` (or `python -m index build`)")
    manifest = Manifest.load(path / "manifest.json")
    _check_compatible(manifest, settings, model)
    try:
        chunks = _read_chunks(path)
        documents = {d.doc_id: d for d in (Document(**json.loads(line))
                                           for line in _read_lines(path / "documents.jsonl"))}
        dense = open_vector_store(settings, manifest.vector_store, manifest.collection, manifest.index_kind, path)
        bm25 = bm25s.BM25.load(str(path / "bm25"), show_progress=False)
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(f"index at {path} is damaged ({type(exc).__name__}: {exc}); {REBUILD_HINT}") from exc
    sizes = {"manifest": manifest.n_chunks, "chunk table": len(chunks), "vectors": dense.ntotal}
    if len(set(sizes.values())) != 1 or dense.dim != manifest.dim:
        raise IndexCorruptError(f"index at {path} is inconsistent ({sizes}, dim {dense.dim} vs {manifest.dim}); "
                                + REBUILD_HINT)
    return IndexData(path, manifest, chunks, documents, dense, bm25)


def _read_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _read_chunks(path: Path) -> list[Chunk]:
    return [Chunk(**json.loads(line)) for line in _read_lines(path / "chunks.jsonl")]


def _seed_cache(cache: EmbedCache, settings: Settings, model: str) -> None:
    """Fill a new, empty cache from the current index's raw vectors.

    The first build after an upgrade, or after the cache file was deleted, then re-embeds nothing unchanged.
    """
    if len(cache):
        return
    path = settings.index_dir
    try:
        manifest = Manifest.load(path / "manifest.json")
        # Vectors are reused across a change of vector store (FAISS to Milvus), not of model or chunking.
        _check_compatible(manifest, settings, model, store=False)
        chunks = _read_chunks(path)
        # Compressed indexes (IVF-PQ) cannot give the exact vectors back; the raw copy can.
        vectors = np.load(path / "vectors.npy")
    except (QAError, OSError, ValueError, TypeError):
        return
    if len(vectors) == len(chunks) and vectors.ndim == 2 and vectors.shape[1] == manifest.dim:
        cache.put_many([cache.key(embed_text(c)) for c in chunks], vectors)


def build_index(
    settings: Settings,
    embedder_factory: Callable[[], Embedder],
    model: str,
    *,
    force: bool = False,
    progress: bool = False,
) -> BuildReport:
    """Ingest the corpus and write a new index, unless the current one is already up to date.

    Files are read, chunked and embedded one batch at a time through the persistent embedding cache, so
    memory stays bounded by the chunk table and an interrupted build resumes where it stopped.
    """
    # The document spool and the embedding cache are closed however the build ends.
    with ExitStack() as resources:
        return _build(settings, embedder_factory, model, force=force, progress=progress, resources=resources)


def _build(
    settings: Settings,
    embedder_factory: Callable[[], Embedder],
    model: str,
    *,
    force: bool,
    progress: bool,
    resources: ExitStack,
) -> BuildReport:
    started = time.perf_counter()
    settings.check()
    current_hash = corpus_hash(settings)
    if not force:
        try:
            current = load_index(settings, model)
            if current.manifest.corpus_hash == current_hash:
                return BuildReport(current.manifest, skipped_build=True)
        except QAError:
            pass
    _check_writable(settings.data_dir)
    try:  # a mistyped setting fails before any embedding work
        choose_index_kind(0, settings.index_kind)
    except ValueError as exc:
        raise QAError(f"QA_INDEX_KIND: {exc}") from exc
    store = check_store_name(settings.vector_store)
    if store == "milvus":
        milvus_client(settings)  # an unreachable server fails here, before any embedding work
    stream = resources.enter_context(CorpusStream(settings.corpus_dir, settings.chunk_size, settings.chunk_overlap,
                                                  spool_dir=settings.data_dir))
    cache = resources.enter_context(EmbedCache(settings.embed_cache_path, model))
    _seed_cache(cache, settings, model)
    embedded = _embed_corpus(stream, cache, embedder_factory, settings.embed_batch, progress)
    chunks, warnings = embedded.chunks, stream.warnings
    if not chunks:
        raise DocumentError(f"no usable documents in {settings.corpus_dir}: "
                            + "; ".join(warnings or ["empty"]))
    vectors = embedded.vectors()
    dim = vectors.shape[1]

    kind = choose_index_kind(len(vectors), settings.index_kind)
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
        n_docs=stream.n_docs,
        n_chunks=len(chunks),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - started, 2),
        vector_store=store,
    )
    manifest = _write_atomically(settings, manifest, chunks, stream.documents(), bm25, vectors)
    cache.prune(embedded.keys)
    return BuildReport(manifest, warnings, embedded=embedded.embedded, reused=embedded.reused)


def _embed_corpus(stream: CorpusStream, cache: EmbedCache, embedder_factory: Callable[[], Embedder],
                  batch_size: int, progress: bool) -> EmbeddedChunks:
    """Chunk and embed the corpus file by file, with a progress bar (and ETA) over the files on a terminal."""
    with tqdm(total=len(stream.files), desc="Ingesting", unit="doc", disable=None if progress else True) as bar:

        def show(done: EmbeddedChunks) -> None:
            bar.update(stream.files_done - bar.n)
            bar.set_postfix(chunks=len(done.chunks), embedded=done.embedded, reused=done.reused, refresh=False)

        return embed_chunks(stream.chunks(), cache, embedder_factory, batch_size=max(1, batch_size), on_batch=show)


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
    docs: Iterable[Document],
    bm25: bm25s.BM25,
    vectors: np.ndarray,
) -> Manifest:
    """Write a complete build directory (and its vector store), swap it in, then remove older builds."""
    builds = settings.data_dir / "builds"
    target: Path | None = None
    try:
        builds.mkdir(parents=True, exist_ok=True)
        target = builds / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        target.mkdir()
        # Vectors first: a Milvus collection written here is not used until the manifest and the swap below.
        _, collection = build_vector_store(settings, vectors, manifest.index_kind, target)
        manifest = replace(manifest, collection=collection)
        with (target / "chunks.jsonl").open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(asdict(c), ensure_ascii=False) + "\n" for c in chunks)
        with (target / "documents.jsonl").open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(asdict(d), ensure_ascii=False) + "\n" for d in docs)
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
    except (OSError, QAError) as exc:
        # A half-written build would only fill the disk further; the symlink still names the old one.
        if target is not None:
            if manifest.collection:
                drop_collection(settings, manifest.collection)
            shutil.rmtree(target, ignore_errors=True)
        if isinstance(exc, QAError):
            raise
        raise IndexWriteError(f"cannot write the index under {settings.data_dir} ({exc.strerror or exc}); "
                              "check that the folder is writable and the disk has space") from exc
    _remove_old_builds(settings, builds, keep=target)
    return manifest


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


def _remove_old_builds(settings: Settings, builds: Path, keep: Path) -> None:
    for path in builds.iterdir():
        # Leave unfinished builds of running processes alone: they may still be writing them. Those of a
        # killed build go at once; an hour is the limit for writers we cannot see (another machine).
        finished = (path / "manifest.json").exists()
        if path != keep and (finished or not _writer_alive(path) or time.time() - path.stat().st_mtime > 3600):
            collection = _collection_of(settings, path)
            if collection:
                drop_collection(settings, collection)
            shutil.rmtree(path, ignore_errors=True)


def _collection_of(settings: Settings, build: Path) -> str:
    """The Milvus collection a superseded build used ("" for FAISS builds)."""
    try:
        manifest = Manifest.load(build / "manifest.json")
        return manifest.collection if manifest.vector_store == "milvus" else ""
    except QAError:
        # An unfinished build (killed before its manifest) may have left a collection under its name.
        if settings.vector_store.strip().lower() == "milvus":
            return collection_name(settings.milvus_collection_prefix, build.name)
        return ""


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
