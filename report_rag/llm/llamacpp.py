"""The llama.cpp backend (llama-cpp-python): GGUF files on CPU, or on GPU with a CUDA build.

The chat template comes from the GGUF itself (llama-cpp-python renders
`tokenizer.chat_template`); templates that reject a system role (Gemma's) get the system text
folded into the first user turn. Weights are memory-mapped on first use, not at construction.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from report_rag.errors import ConfigError, MissingDependencyError
from report_rag.llm.assets import choose_gguf, ensure_gguf, gguf_status, read_gguf_metadata
from report_rag.llm.base import (
    ChatMessage,
    GenerationGate,
    GenerationParams,
    PromptTooLongError,
    available_cpus,
    fold_system_into_user,
)
from report_rag.llm.llamacpp_cpu import (
    gpu_backend_files,
    import_llama_cpp,
    register_cpu_backend,
    registered_variant,
    variant_files,
)
from report_rag.settings import Settings

BACKEND = "llama.cpp"
_FALLBACK_TRAINED_CONTEXT = 4096  # only when a GGUF header lacks <arch>.context_length


def gpu_offload_supported() -> bool:
    if variant_files():
        # A build with CPU variants: asking llama.cpp would load them all by CPUID alone
        # (llm/llamacpp_cpu.py); its GPU backends are files beside them.
        return bool(gpu_backend_files())
    return bool(import_llama_cpp().llama_supports_gpu_offload())


def _gpu_layers(device: str) -> int:
    """-1 (all layers) on a GPU build unless the CPU is asked for; a CPU build refuses 'cuda'."""
    if device == "cpu":
        return 0
    supported = gpu_offload_supported()
    if device == "cuda" and not supported:
        raise ConfigError(
            "llm_device=cuda, but this llama-cpp-python build has no GPU support: rebuild it with "
            "CMAKE_ARGS='-DGGML_CUDA=on' pip install --no-cache-dir --force-reinstall "
            "--no-binary llama-cpp-python llama-cpp-python"
        )
    return -1 if supported else 0


def template_accepts_system(template: str | None) -> bool:
    """False for chat templates that reject a system turn (Gemma's raises on one)."""
    if not template:
        return True
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    formatter = Jinja2ChatFormatter(template=template, eos_token="", bos_token="")
    try:
        formatter(messages=[{"role": "system", "content": "s"}, {"role": "user", "content": "u"}])
    except Exception:  # jinja raise_exception("System role not supported") and kin
        return False
    return True


class LlamaCppGenerator:
    def __init__(
        self,
        model_path: Path,
        *,
        requested_context: int,
        threads: int,
        device: str = "auto",
        cpu_variant: str = "auto",
    ) -> None:
        self.model_path = Path(model_path)
        self.cpu_variant = cpu_variant
        metadata = read_gguf_metadata(self.model_path)
        self.trained_context = int(metadata.get("context_length") or _FALLBACK_TRAINED_CONTEXT)
        self.context_tokens = min(requested_context, self.trained_context)
        self.architecture = metadata.get("architecture")
        self.threads = threads
        self.device = device
        self.name = f"{self.model_path.name}@{BACKEND}"
        self._llama: Any = None
        self._system_role = True
        # One Llama context cannot serve two generations at once; the gate makes the
        # object safe to share between threads (e.g. a web UI), one answer at a time.
        self._gate = GenerationGate()

    @staticmethod
    def describe_settings(settings: Settings) -> dict[str, Any]:
        return describe_llamacpp(settings)

    @classmethod
    def from_settings(cls, settings: Settings) -> LlamaCppGenerator:
        # Assembling the embedded model happens here, once per install; verification after
        # that is a marker check (see llm/assets.py).
        path = ensure_gguf(settings)
        return cls(
            path,
            requested_context=settings.llm.context_tokens,
            threads=settings.llm.threads or available_cpus(),
            device=settings.llm.device,
            cpu_variant=settings.llm.cpu_variant,
        )

    # -- loading ---------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._llama is not None

    def load(self) -> Any:
        if self._llama is None:
            llama_cpp = import_llama_cpp()
            register_cpu_backend(self.model_path, self.threads, self.cpu_variant)
            self._llama = llama_cpp.Llama(
                model_path=str(self.model_path),
                n_ctx=self.context_tokens,
                n_threads=self.threads,        # decode: one thread per core is fastest
                n_threads_batch=self.threads,  # prompt evaluation
                n_gpu_layers=_gpu_layers(self.device),
                verbose=False,
            )
            self._system_role = template_accepts_system(self._llama.metadata.get("tokenizer.chat_template"))
        return self._llama

    # -- Generator -------------------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        llama = self.load()
        return len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        llama = self.load()
        if not self._system_role:
            messages = fold_system_into_user(messages)
        with self._gate.hold():
            chat = [{"role": m.role, "content": m.content} for m in messages]
            try:
                chunks = llama.create_chat_completion(
                    messages=chat,
                    max_tokens=params.max_new_tokens,
                    temperature=params.temperature,
                    stop=list(params.stop) or None,
                    repeat_penalty=1.0,
                    stream=True,
                )
                first = next(chunks, None)  # the prompt is evaluated here; overflow raises here
            except ValueError as exc:
                if "context window" not in str(exc):
                    raise
                raise PromptTooLongError(_tokens_in(exc), self.context_tokens) from exc
            if first is None:
                return
            for chunk in itertools.chain([first], chunks):
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece

    def describe(self) -> dict[str, Any]:
        return {
            "backend": BACKEND,
            "model": self.model_path.name,
            "path": str(self.model_path),
            "present": self.model_path.is_file(),
            "architecture": self.architecture,
            "context_tokens": self.context_tokens,
            "trained_context": self.trained_context,
            "threads": self.threads,
            "device": _device_label(self.device),
            "cpu_variant": registered_variant(),
            "loaded": self.loaded,
        }


def _tokens_in(error: ValueError) -> int:
    """The prompt size from llama-cpp-python's "Requested tokens (N) exceed context window" error."""
    match = re.search(r"\((\d+)\)", str(error))
    return int(match.group(1)) if match else -1


def _device_label(device: str) -> str:
    try:
        return "cuda (all layers offloaded)" if _gpu_layers(device) else "cpu"
    except (MissingDependencyError, ConfigError) as exc:
        return f"unavailable: {exc}"


def describe_llamacpp(settings: Settings) -> dict[str, Any]:
    choice = choose_gguf(settings)
    status = gguf_status(settings)
    metadata = status.pop("metadata", {}) or {}
    trained = metadata.get("context_length")
    info = {
        "backend": BACKEND,
        "model": choice.embedded.key if choice.embedded else choice.path.name,
        **status,
        "architecture": metadata.get("architecture"),
        "context_tokens": min(settings.llm.context_tokens, trained) if trained else None,
        "threads": settings.llm.threads or available_cpus(),
        "device": _device_label(settings.llm.device),
        "loaded": False,
    }
    return info
