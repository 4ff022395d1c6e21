"""Stage 6: answer generators behind one interface; backends registered by name."""

from report_rag.llm.base import ChatMessage, GenerationParams, Generator, PromptTooLongError
from report_rag.llm.gate import GeneratorFactory, ModelGate
from report_rag.llm.registry import GENERATORS, create_generator, describe_configured

__all__ = ["ChatMessage", "GENERATORS", "GenerationParams", "Generator", "GeneratorFactory", "ModelGate", "PromptTooLongError", "create_generator", "describe_configured"]
