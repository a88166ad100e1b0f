"""Text normalisation shared by indexing and querying, so both sides see the same form."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters to Simplified (other text is unchanged)."""
    return _t2s().convert(text)


# Answering one question normalises the same passages and sentences many times over (rerank, abstention,
# quote picking), and popular passages recur across questions; OpenCC is the expensive part.
@lru_cache(maxsize=16384)
def normalize(text: str) -> str:
    """Return the searchable form: NFKC, Simplified Chinese, lower case, collapsed whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text).lower()
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=16384)
def compact(text: str) -> str:
    """Return :func:`normalize` without any whitespace, for substring checks across line breaks."""
    return normalize(text).replace(" ", "")
