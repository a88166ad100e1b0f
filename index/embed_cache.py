"""A persistent on-disk cache of passage vectors, so an interrupted or repeated build never embeds a text twice.

One SQLite table maps ``sha256(model, text)`` to the float32 vector bytes. The build commits after every
embedding batch; SQLite's write-ahead log makes each commit atomic, so a build killed at any point
(Ctrl-C, ``kill -9``, a crash, even mid-commit) keeps every earlier batch and the next build embeds only
what is missing.

Size policy: when a build completes, entries the new index does not use are pruned. Every vector the
next build can reuse is one of the current index's (the same rule the raw ``vectors.npy`` reuse had), so
the cache stays about the size of the index instead of growing with every edited or removed article.
The price is that switching ``QA_MODEL`` back and forth re-embeds, which is rare and what happened
before the cache existed.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from common.errors import QAError

log = logging.getLogger(__name__)

# SQLite limits the number of bound parameters per statement (32766 in current builds, 999 in old ones).
_LOOKUP_CHUNK = 900


class EmbedCache:
    """Vectors of one embedding model, keyed by a hash of the exact embedded text."""

    def __init__(self, path: Path, model: str) -> None:
        """Open (or create) the cache file at ``path`` for vectors of ``model``."""
        self.path = path
        self.model = model
        try:
            self._db = _connect(path)
        except sqlite3.DatabaseError as exc:
            # It is only a cache: a damaged file costs re-embedding, never a failed build.
            log.warning("embedding cache %s is unreadable (%s); starting a new one", path, exc)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            self._db = _connect(path)

    def key(self, text: str) -> bytes:
        """The cache key of ``text`` embedded with this cache's model."""
        return hashlib.sha256(f"{self.model}\0{text}".encode("utf-8", "surrogatepass")).digest()

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """The cached vectors among ``keys``."""
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _LOOKUP_CHUNK):
            part = unique[start : start + _LOOKUP_CHUNK]
            rows = self._run(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part)
            found.update((key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows)
        return found

    def put_many(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Store one batch and commit it, so it survives whatever happens to the build next."""
        rows = [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in zip(keys, vectors, strict=True)]
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from exc

    def vectors(self, texts: Sequence[str],
                embed: Callable[[list[str]], np.ndarray]) -> tuple[list[bytes], list[np.ndarray], int]:
        """Keys and vectors of ``texts``, cached ones read and the rest embedded (once each) and stored.

        Also returns how many texts had to be embedded.
        """
        keys = [self.key(t) for t in texts]
        known = self.get_many(keys)
        # Identical texts (syndicated copies, repeated boilerplate) are embedded once.
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in known}
        if todo:
            fresh = embed(list(todo.values()))
            self.put_many(list(todo), fresh)
            known.update(zip(todo, fresh, strict=True))
        return keys, [known[k] for k in keys], len(todo)

    def prune(self, keep: Iterable[bytes]) -> int:
        """Delete every entry not in ``keep``; returns how many were deleted."""
        try:
            with self._db:
                self._db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key BLOB PRIMARY KEY) WITHOUT ROWID")
                self._db.execute("DELETE FROM keep")
                self._db.executemany("INSERT OR IGNORE INTO keep (key) VALUES (?)", ((k,) for k in keep))
                deleted = self._db.execute("DELETE FROM vectors WHERE key NOT IN (SELECT key FROM keep)").rowcount
                self._db.execute("DELETE FROM keep")
            # Hand freed pages back to the file system (the file was created with incremental auto-vacuum).
            self._db.execute("PRAGMA incremental_vacuum")
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from exc
        return deleted

    def __len__(self) -> int:
        """Number of cached vectors (all models)."""
        return self._run("SELECT count(*) FROM vectors", ())[0][0]

    def close(self) -> None:
        """Close the connection; the last one out folds the write-ahead log back into the file."""
        self._db.close()

    def __enter__(self) -> EmbedCache:
        """Use as a context manager."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the cache."""
        self.close()

    def _run(self, sql: str, params: Sequence[object]) -> list[tuple]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from exc

    def _error(self, exc: sqlite3.DatabaseError) -> QAError:
        return QAError(f"embedding cache {self.path} failed ({exc}); check the disk has space, "
                       "or delete the file (it is rebuilt from scratch) and build again")


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A long timeout: two builds sharing a data folder wait for each other's commits instead of failing.
    db = sqlite3.connect(path, timeout=120)
    try:
        # Must precede the first table; lets prune() shrink the file.
        db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        db.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL loses nothing when the process dies, only possibly the last commits on power loss.
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID")
        db.commit()
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db
