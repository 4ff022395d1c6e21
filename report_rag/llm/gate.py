"""One generator shared by threads: built once on first use; a local model (llama.cpp,
transformers) answers one request at a time, queued, while an OpenAI-compatible server
(vLLM) is sent requests in parallel."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from report_rag.llm.base import Generator
from report_rag.settings import Settings

GeneratorFactory = Callable[[Settings], Generator]


class ModelGate:
    """The generator, built on first use; one request at a time unless the backend serves
    requests in parallel (an OpenAI-compatible server)."""

    def __init__(self, settings: Settings, factory: GeneratorFactory) -> None:
        self._settings = settings
        self._factory = factory
        self._generator: Generator | None = None
        self._build = threading.Lock()
        self._turn = threading.Lock()
        self.parallel = settings.llm.backend == "openai"

    def generator(self) -> Generator:
        with self._build:
            if self._generator is None:
                self._generator = self._factory(self._settings)
            return self._generator

    @contextmanager
    def turn(self) -> Iterator[None]:
        if self.parallel:
            yield
            return
        with self._turn:
            yield
