"""Typed errors shared by the CLI, the UI and the Python API.

Every error carries a message a user can act on; callers map the class to an exit code or a UI banner.
"""

from __future__ import annotations


class QAError(Exception):
    """Base class for every error this product raises on purpose."""

    exit_code = 1


class SettingsError(QAError, ValueError):
    """A setting (a ``QA_*`` variable) has a value that cannot work; named before any expensive work."""

    exit_code = 2


class InvalidQuestionError(QAError, ValueError):
    """The question is empty, too long, binary or otherwise unusable."""

    exit_code = 2


class DocumentError(QAError):
    """A document could not be read or parsed; ingestion skips it with a warning."""


class IndexMissingError(QAError):
    """No index exists at the configured location."""

    exit_code = 3


class IndexCorruptError(QAError):
    """An index file is unreadable or inconsistent with its manifest."""

    exit_code = 3


class IndexMismatchError(QAError):
    """The index was built with other settings (model, chunking, format) than the current ones."""

    exit_code = 3


class VectorStoreError(QAError):
    """The vector store holding the dense index (e.g. a Milvus server) is unreachable or refused a request."""

    exit_code = 3


class IndexWriteError(QAError):
    """The index could not be saved (read-only folder, disk full); the previous index stays in service."""

    exit_code = 3


class EmbedderError(QAError):
    """The embedding model could not be loaded or run."""

    exit_code = 4


class LLMError(QAError):
    """The configured LLM endpoint failed, timed out or answered something unusable."""

    exit_code = 5
