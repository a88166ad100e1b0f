"""The manifest written beside an index: what it was built from, checked on every load."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from common.errors import IndexCorruptError

FORMAT_VERSION = 2


@dataclass(frozen=True)
class Manifest:
    """Build parameters that must match the running settings for the index to be usable."""

    format_version: int
    model: str
    index_kind: str
    dim: int
    chunk_size: int
    chunk_overlap: int
    corpus_dir: str
    corpus_hash: str
    n_docs: int
    n_chunks: int
    built_at: str
    build_seconds: float
    # Where the dense vectors are: "faiss" (dense.faiss beside the manifest) or "milvus" (``collection``).
    # Manifests written before the choice existed are FAISS builds.
    vector_store: str = "faiss"
    collection: str = ""

    def save(self, path: Path) -> None:
        """Write as pretty JSON."""
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Read a manifest; a broken file raises :class:`IndexCorruptError`."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise IndexCorruptError(
                f"index manifest {path} is unreadable ({exc}); rebuild it with `make index`"
            ) from exc
