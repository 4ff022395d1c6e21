"""The transformers backend: any causal LM from a local directory or a hub id.

Built first of all for Gemma 2 9B (bf16 on CUDA), whose layers alternate a 4,096-token
sliding window with global attention and whose attention logits are soft-capped:

* Attention: "auto" picks eager (flash_attention_2 on CUDA when flash-attn is installed) for
  models that soft-cap attention logits. sdpa cannot cap them (transformers' Gemma 2 marks
  `_supports_sdpa = False`), and an explicit sdpa for such a model is refused, never
  replaced. eager, flash_attention_2 and flex_attention all apply both the cap and the
  per-layer window (eager through the sliding-window causal mask). After loading, the
  implementation actually in use is checked against the one asked for.
* Cache: from transformers 4.56 on, `DynamicCache(config=...)` builds a
  DynamicSlidingWindowLayer for each sliding layer (keeps only the last `sliding_window`
  keys) and a full layer for each global one — what Gemma 2 needs; the old static "hybrid"
  cache is deprecated and `generate` unsets it. We build that cache ourselves, check it has
  sliding layers where the config has them, and pass it to `generate`.
* Chat template from the tokenizer; templates without a system role (Gemma's) get the system
  text folded into the first user turn.

torch and transformers are imported only when a generator is built.
"""

from __future__ import annotations

import importlib.util
import inspect
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from report_rag.errors import ConfigError, MissingDependencyError, ReportRagError
from report_rag.llm.base import (
    ChatMessage,
    GenerationGate,
    GenerationParams,
    PromptTooLongError,
    apply_stops,
    fold_system_into_user,
)
from report_rag.settings import Settings

BACKEND = "transformers"
_ATTN_HONOURING_SOFTCAP = ("eager", "flash_attention_2", "flex_attention")


def _import_stack() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise MissingDependencyError("transformers", "gemma", "The transformers generator") from exc
    return torch, transformers


def choose_attn_implementation(config: Any, requested: str, device: str = "cpu") -> str | None:
    """The attention path for this model; None lets transformers pick its own default.

    For soft-capped models on CUDA, flash-attention 2 (when installed) applies cap and window
    without eager's (heads x n x n) score matrix: ~4 GB per layer at 8k for Gemma 2 9B.
    """
    softcapped = getattr(config, "attn_logit_softcapping", None) is not None
    if requested == "auto":
        if not softcapped:
            return None
        if device == "cuda" and importlib.util.find_spec("flash_attn") is not None:
            return "flash_attention_2"
        return "eager"
    if softcapped and requested not in _ATTN_HONOURING_SOFTCAP:
        raise ConfigError(
            f"attention {requested!r} ignores this model's attention logit soft-capping; use one of "
            f"{', '.join(_ATTN_HONOURING_SOFTCAP)} (or 'auto')"
        )
    return requested


def sliding_layers(config: Any) -> list[int]:
    """Indices of the layers the config says use a sliding window."""
    layer_types = getattr(config, "layer_types", None) or []
    return [i for i, kind in enumerate(layer_types) if kind == "sliding_attention"]


def _resolve_device(torch: Any, device: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("llm_device=cuda, but torch sees no CUDA device")
    return device


def _resolve_dtype(torch: Any, dtype: str, device: str) -> Any:
    if dtype == "auto":
        if device == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32  # CPU matmuls in bf16 are slow without AMX and lose accuracy
    return getattr(torch, dtype)


class _Cancelled:
    """A StoppingCriteria-compatible flag: the consumer stopped reading, so stop decoding."""

    def __init__(self, torch: Any) -> None:
        self._torch = torch
        self.event = threading.Event()

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        stop = self.event.is_set()
        return self._torch.full((input_ids.shape[0],), stop, dtype=self._torch.bool, device=input_ids.device)


class TransformersGenerator:
    def __init__(
        self,
        model_id: str,
        *,
        device: str = "auto",
        dtype: str = "auto",
        attn_implementation: str = "auto",
        requested_context: int = 8192,
        loaded_model: Any = None,
    ) -> None:
        """`loaded_model`: a model already built for `model_id`'s config (bench/gpu.py builds
        Gemma 2 9B with random weights on the GPU); checked like one loaded from disk."""
        self._torch, transformers = _import_stack()
        self.model_id = model_id
        try:
            self.config = transformers.AutoConfig.from_pretrained(model_id)
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(model_id)
        except OSError as exc:  # not a directory, not cached, and offline / not on the hub
            raise ReportRagError(f"cannot load model {model_id!r}: {exc}") from exc
        text_config = self.config.get_text_config()
        trained = getattr(text_config, "max_position_embeddings", None) or requested_context
        self.context_tokens = min(int(trained), requested_context)
        self.device = _resolve_device(self._torch, device)
        self.attn_implementation = choose_attn_implementation(text_config, attn_implementation, self.device)
        self.dtype = _resolve_dtype(self._torch, dtype, self.device)
        self.name = f"{Path(model_id).name if Path(model_id).exists() else model_id}@{BACKEND}"
        self._system_role = self._template_accepts_system()
        self._model: Any = None
        self._gate = GenerationGate()
        if loaded_model is not None:
            self._adopt(loaded_model)

    @staticmethod
    def describe_settings(settings: Settings) -> dict[str, Any]:
        return describe_transformers(settings)

    @classmethod
    def from_settings(cls, settings: Settings) -> TransformersGenerator:
        return cls(
            settings.llm.hf.model,
            device=settings.llm.device,
            dtype=settings.llm.hf.dtype,
            attn_implementation=settings.llm.attn_implementation,
            requested_context=settings.llm.context_tokens,
        )

    # -- loading ---------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> Any:
        if self._model is None:
            from transformers import AutoModelForCausalLM

            kwargs: dict[str, Any] = {"dtype": self.dtype}
            if self.device != "cpu":
                # Straight onto the GPU (needs accelerate, in the `gemma` extra): 18 GB of bf16
                # never staged in host memory.
                kwargs["device_map"] = self.device
            if self.attn_implementation:
                kwargs["attn_implementation"] = self.attn_implementation
            self._adopt(AutoModelForCausalLM.from_pretrained(self.model_id, **kwargs))
        return self._model

    def _adopt(self, model: Any) -> None:
        in_use = model.config._attn_implementation
        if self.attn_implementation and in_use != self.attn_implementation:
            raise ConfigError(  # never run a path that may ignore the window or the cap
                f"asked for attention {self.attn_implementation!r}, transformers chose {in_use!r}"
            )
        model.eval()
        self._model = model
        self._cache_argument = "cache" if "cache" in inspect.signature(model.forward).parameters \
            else "past_key_values"

    def new_cache(self) -> Any:
        """A fresh KV cache shaped by the config: sliding-window layers where the model has them."""
        from transformers import DynamicCache

        config = self.load().config
        try:
            cache = DynamicCache(config=config)
        except TypeError as exc:
            raise MissingDependencyError("transformers>=4.56", "gemma", "Sliding-window caching") from exc
        expected = sliding_layers(config.get_text_config(decoder=True))
        actual = [i for i, layer in enumerate(getattr(cache, "layers", [])) if getattr(layer, "is_sliding", False)]
        if expected and actual != expected:
            raise ConfigError(f"cache has sliding layers {actual}, the config asks for {expected}")
        return cache

    def _template_accepts_system(self) -> bool:
        try:
            self.tokenizer.apply_chat_template(
                [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}],
                tokenize=False, add_generation_prompt=True,
            )
        except Exception:  # jinja raise_exception("System role not supported") and kin
            return False
        return True

    # -- Generator -------------------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def encode_chat(self, messages: list[ChatMessage]) -> Any:
        """Prompt token ids (1, n) on the model's device, rendered by the tokenizer's template."""
        if not self._system_role:
            messages = fold_system_into_user(messages)
        text = self.tokenizer.apply_chat_template(
            [{"role": m.role, "content": m.content} for m in messages],
            tokenize=False, add_generation_prompt=True,
        )
        # The template already wrote BOS and turn markers; don't add them twice.
        ids = self.tokenizer(text, add_special_tokens=False, return_tensors="pt")["input_ids"]
        return ids.to(self.device)

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        from transformers import StoppingCriteriaList, TextIteratorStreamer

        model = self.load()
        input_ids = self.encode_chat(messages)
        room = self.context_tokens - input_ids.shape[1]
        if room <= 0:
            raise PromptTooLongError(int(input_ids.shape[1]), self.context_tokens)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        cancelled = _Cancelled(self._torch)
        sampling: dict[str, Any] = (
            {"do_sample": True, "temperature": params.temperature}
            if params.temperature > 0 else {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
        )
        generate_kwargs = {
            "input_ids": input_ids,
            "attention_mask": self._torch.ones_like(input_ids),
            "max_new_tokens": min(params.max_new_tokens, room),
            "streamer": streamer,
            "stopping_criteria": StoppingCriteriaList([cancelled]),
            "pad_token_id": self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None
            else self.tokenizer.eos_token_id,
            self._cache_argument: self.new_cache(),
            **sampling,
        }
        failure: list[BaseException] = []

        def run() -> None:
            try:
                with self._torch.inference_mode():
                    model.generate(**generate_kwargs)
            except BaseException as exc:  # surfaced in the consumer's thread below
                failure.append(exc)
                streamer.end()  # type: ignore[no-untyped-call]  # unannotated in transformers

        with self._gate.hold():
            worker = threading.Thread(target=run, name="report-rag-generate", daemon=True)
            worker.start()
            try:
                # Stop strings are cut here, on text; leaving the loop sets `cancelled`, which
                # stops decoding at the next token (transformers' own stop_strings needs a
                # tokenizer it can introspect, which not every tokenizer allows).
                yield from apply_stops((piece for piece in streamer if piece), params.stop)
            finally:
                cancelled.event.set()  # the reader may have stopped early: stop decoding too
                worker.join()
        if failure:
            raise failure[0]

    def describe(self) -> dict[str, Any]:
        return {
            "backend": BACKEND,
            "model": self.model_id,
            "path": self.model_id if Path(self.model_id).exists() else None,
            "present": True,
            "device": self.device,
            "dtype": str(self.dtype).removeprefix("torch."),
            "attn_implementation": self.attn_implementation or "transformers default",
            "sliding_window": getattr(self.config.get_text_config(), "sliding_window", None),
            "context_tokens": self.context_tokens,
            "loaded": self.loaded,
        }


def describe_transformers(settings: Settings) -> dict[str, Any]:
    """Configured model, presence and context from config.json alone: no weights, no network."""
    info: dict[str, Any] = {"backend": BACKEND, "model": settings.llm.hf.model, "loaded": False}
    try:
        torch, transformers = _import_stack()
    except MissingDependencyError as exc:
        return {**info, "present": False, "verified": False, "error": str(exc)}
    local = Path(settings.llm.hf.model).expanduser()
    info["path"] = str(local) if local.exists() else None
    try:
        # Present means usable without a download: a local directory or the hub cache.
        config = transformers.AutoConfig.from_pretrained(settings.llm.hf.model, local_files_only=True)
    except OSError as exc:
        return {**info, "present": False, "verified": False,
                "error": f"not found locally (a directory, or the Hugging Face cache): {str(exc).splitlines()[0]}"}
    text_config = config.get_text_config()
    trained = getattr(text_config, "max_position_embeddings", None)
    device = settings.llm.device if settings.llm.device != "auto" else (
        "cuda" if torch.cuda.is_available() else "cpu")
    try:
        attn = choose_attn_implementation(text_config, settings.llm.attn_implementation, device)
    except ConfigError as exc:
        attn = f"refused: {exc}"
    return {
        **info,
        "present": True,
        "verified": False,  # hub/safetensors files carry no digest we are told to expect
        "architecture": (getattr(config, "architectures", None) or [config.model_type])[0],
        "device": device,
        "attn_implementation": attn or "transformers default",
        "sliding_window": getattr(text_config, "sliding_window", None),
        "context_tokens": min(trained, settings.llm.context_tokens) if trained else None,
    }
