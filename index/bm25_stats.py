"""Document frequencies of a built BM25 index, for IDF-weighted coverage and rare-term checks.

bm25s keeps no public per-token document count. Its score matrix is stored column-compressed with one
column per vocabulary token and one entry per document holding the token, so ``indptr[i + 1] - indptr[i]``
is token ``i``'s document frequency (the same count bm25s builds its IDF from). This is the one place
that relies on that layout; the version range in pyproject.toml pins it.
"""

from __future__ import annotations

import bm25s
import numpy as np


def document_frequencies(bm25: bm25s.BM25) -> dict[str, int]:
    """How many passages hold each vocabulary token."""
    counts = np.diff(bm25.scores["indptr"])
    return {token: int(counts[i]) for token, i in bm25.vocab_dict.items() if i < len(counts)}
