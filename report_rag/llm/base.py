"""Answer generators: one narrow interface; backends are registered by name (llm/registry.py).

* ``llama.cpp`` — GGUF files on CPU (or GPU with a CUDA build); the embedded default model.
* ``transformers`` — any causal LM from a local path or hub id; Gemma 2 9B in bf16 on CUDA.
* ``openai`` — any OpenAI-compatible server (vLLM, the llama.cpp server).

Backends import their heavy dependencies inside their constructors, so importing this module
costs nothing, and a missing dependency surfaces as MissingDependencyError naming the extra.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from report_rag.errors import ReportRagError

ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class ChatMessage:
    role: str  # "system" | "user" | "assistant"
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {self.role!r}")


@dataclass(frozen=True)
class GenerationParams:
    max_new_tokens: int = 512
    temperature: float = 0.0  # 0 means greedy: answers are reproducible
    stop: tuple[str, ...] = ()


@runtime_checkable
class Generator(Protocol):
    name: str            # e.g. "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf@llama.cpp"
    context_tokens: int  # prompt + answer budget, in the model's own tokens

    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes with the model's tokenizer (no special tokens added)."""
        ...

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        """Text pieces of the assistant's reply as they are decoded."""
        ...

    def describe(self) -> dict[str, Any]:
        """backend, model, path/present, device, loaded — for display."""
        ...


class PromptTooLongError(ReportRagError):
    """The prompt alone does not fit the model's context budget."""

    def __init__(self, prompt_tokens: int, context_tokens: int) -> None:
        super().__init__(f"the prompt takes {prompt_tokens} tokens, the context budget is {context_tokens}")
        self.prompt_tokens = prompt_tokens
        self.context_tokens = context_tokens


class GenerationGate:
    """One generation at a time per loaded model (its KV cache is single-use).

    Other threads wait their turn. The same thread asking again while its earlier stream is
    still open (never exhausted or closed) would wait forever, so that is an error instead.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None

    @contextmanager
    def hold(self) -> Iterator[None]:
        if self._owner == threading.get_ident():
            raise ReportRagError("an earlier answer stream from this generator is still open: "
                                 "read it to the end or close() it first")
        with self._lock:
            self._owner = threading.get_ident()
            try:
                yield
            finally:
                self._owner = None

    @property
    def busy(self) -> bool:
        return self._lock.locked()


def available_cpus() -> int:
    """CPUs this process may run on (cgroup/affinity aware), the right thread count for decode."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def fold_system_into_user(messages: list[ChatMessage]) -> list[ChatMessage]:
    """For chat templates without a system role (Gemma): the system text opens the first user turn."""
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    rest = [m for m in messages if m.role != "system"]
    if not system:
        return rest
    if rest and rest[0].role == "user":
        return [ChatMessage("user", f"{system}\n\n{rest[0].content}"), *rest[1:]]
    return [ChatMessage("user", system), *rest]


def apply_stops(pieces: Iterator[str], stop: tuple[str, ...]) -> Iterator[str]:
    """Cut a piece stream at the first stop string, holding back text that might start one.

    Backends whose engine has no stop strings of its own use this; a stop string may span
    several pieces, so the tail that could be its beginning is only released once it cannot.
    """
    if not stop:
        yield from pieces
        return
    hold = max(len(s) for s in stop) - 1
    buffer = ""
    for piece in pieces:
        buffer += piece
        cut = min((i for i in (buffer.find(s) for s in stop) if i >= 0), default=-1)
        if cut >= 0:
            if buffer[:cut]:
                yield buffer[:cut]
            return
        if len(buffer) > hold:
            ready, buffer = buffer[: len(buffer) - hold], buffer[len(buffer) - hold:]
            yield ready
    if buffer:
        yield buffer
