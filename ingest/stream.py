"""Stream a corpus folder as chunks, one file at a time, so ingestion memory does not grow with the folder.

Each document is read, cleaned and chunked, its metadata and cleaned text are spooled to an unnamed
temporary file (the index stores them in ``documents.jsonl``), and then it is dropped: only the chunk
table and the current document stay in memory.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from ingest.chunk import Chunk, chunk_document
from ingest.documents import Document, corpus_files, iter_documents


class CorpusStream:
    """The chunks of every usable article under ``folder``, produced lazily in file order."""

    def __init__(self, folder: Path, chunk_size: int, chunk_overlap: int, *, spool_dir: Path | None = None) -> None:
        """List the files now (cheap); nothing is read until :meth:`chunks` is iterated."""
        self.files = corpus_files(folder)
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.warnings: list[str] = []
        self.n_docs = 0
        self.files_done = 0
        # Unlinked at once on POSIX, so a killed build leaves nothing behind; closed by close()/__exit__.
        self._spool = tempfile.TemporaryFile("w+", encoding="utf-8", dir=spool_dir)  # noqa: SIM115

    def chunks(self) -> Iterator[Chunk]:
        """Yield the chunks of each document in turn, spooling the document itself to disk."""
        for doc in iter_documents(self._counted_files(), self.warnings):
            self.n_docs += 1
            self._spool.write(json.dumps(asdict(doc), ensure_ascii=False) + "\n")
            yield from chunk_document(doc, self.chunk_size, self.chunk_overlap)

    def _counted_files(self) -> Iterator[Path]:
        for path in self.files:
            yield path
            self.files_done += 1

    def documents(self) -> Iterator[Document]:
        """Read the spooled documents back, one at a time, once :meth:`chunks` is exhausted."""
        self._spool.flush()
        self._spool.seek(0)
        for line in self._spool:
            yield Document(**json.loads(line))

    def close(self) -> None:
        """Drop the spool file."""
        self._spool.close()

    def __enter__(self) -> CorpusStream:
        """Use as a context manager so the spool is always closed."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the spool."""
        self.close()
