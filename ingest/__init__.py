"""Documents -> clean text -> heading-aware chunks."""

from ingest.chunk import Chunk, chunk_document
from ingest.documents import Document, load_corpus, load_document

__all__ = ["Chunk", "Document", "chunk_document", "load_corpus", "load_document"]
