"""One generator shared by threads: built once on first use; a local model (llama.cpp,
transformers) answers one request at a time, queued, while an OpenAI-compatible server
(vLLM) is sent requests in parallel.

`ModelGate.gated(generator)` queues only the model's own work (tokenising the prompt,
decoding), so whatever a request does before it — retrieval, evidence, a fact look-up that
needs no model — never waits behind another user's answer."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from report_rag.llm.base import ChatMessage, GenerationParams, Generator
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
        self._count = threading.Lock()
        self._queued = 0  # requests holding or waiting for a turn
        self.parallel = settings.llm.backend == "openai"

    def generator(self) -> Generator:
        with self._build:
            if self._generator is None:
                self._generator = self._factory(self._settings)
            return self._generator

    def ahead(self) -> int:
        """Requests a new one would wait behind (0 for a backend that serves in parallel)."""
        return 0 if self.parallel else self._queued

    @contextmanager
    def turn(self) -> Iterator[None]:
        if self.parallel:
            yield
            return
        with self._count:
            self._queued += 1
        try:
            with self._turn:
                yield
        finally:
            with self._count:
                self._queued -= 1

    def gated(self, generator: Generator) -> Generator:
        """`generator`, taking a turn for each prompt it tokenises and each answer it streams."""
        return _GatedGenerator(generator, self)


class _GatedGenerator:
    def __init__(self, inner: Generator, gate: ModelGate) -> None:
        self._inner, self._gate = inner, gate
        self.name = inner.name
        self.context_tokens = inner.context_tokens

    def count_tokens(self, text: str) -> int:
        with self._gate.turn():
            return self._inner.count_tokens(text)

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        with self._gate.turn():
            yield from self._inner.stream(messages, params)

    def describe(self) -> dict[str, Any]:
        return self._inner.describe()
