"""Optional LLM answers through any OpenAI-compatible chat-completions endpoint."""

from llm.client import LLMClient, llm_configured

__all__ = ["LLMClient", "llm_configured"]
