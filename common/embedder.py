"""The narrow interface every embedding backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns text into L2-normalised float32 vectors; queries and passages are encoded differently."""

    @property
    def name(self) -> str:
        """A stable identifier recorded in the index manifest (model + backend)."""
        ...

    @property
    def dim(self) -> int:
        """Vector dimension."""
        ...

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Encode documents as an ``(n, dim)`` float32 array of unit vectors."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Encode search queries as an ``(n, dim)`` float32 array of unit vectors."""
        ...
