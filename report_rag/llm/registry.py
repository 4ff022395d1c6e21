"""Generator backends by name; the core never imports one.

A backend is a class with ``from_settings(settings)`` (cheap: weights load on first use) and
``describe_settings(settings)`` (what `report-rag models` shows, without loading anything).
"""

from __future__ import annotations

from typing import Any

from report_rag.llm.base import Generator
from report_rag.registry import Registry
from report_rag.settings import Settings

GENERATORS: Registry[Any] = Registry("llm backend")
GENERATORS.register("llama.cpp", "report_rag.llm.llamacpp:LlamaCppGenerator")
GENERATORS.register("transformers", "report_rag.llm.hf_transformers:TransformersGenerator")
GENERATORS.register("openai", "report_rag.llm.openai_compat:OpenAIGenerator")


def create_generator(settings: Settings) -> Generator:
    """The generator the settings ask for. Cheap: model weights load on first use."""
    generator: Generator = GENERATORS.load(settings.llm.backend).from_settings(settings)
    return generator


def describe_configured(settings: Settings) -> dict[str, Any]:
    """The configured generator, whether it is there, the device.

    Never loads weights, never hashes a GB: presence and the verified marker are file checks,
    the context comes from the GGUF header / config.json, the server is asked with a short timeout.
    """
    description: dict[str, Any] = GENERATORS.load(settings.llm.backend).describe_settings(settings)
    return description
