"""Stage 6: answer generators behind one interface; backends registered by name."""

from report_rag.llm.base import ChatMessage, GenerationParams, Generator, PromptTooLongError
from report_rag.llm.registry import GENERATORS, create_generator, describe_configured

__all__ = ["ChatMessage", "GENERATORS", "GenerationParams", "Generator", "PromptTooLongError", "create_generator", "describe_configured"]
