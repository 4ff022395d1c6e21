"""llama.cpp's CPU kernels chosen for the CPU at hand: by measurement, never by a crash.

A build with GGML_BACKEND_DL and GGML_CPU_ALL_VARIANTS (scripts/setup makes one) ships one CPU
backend library per x86 level — libggml-cpu-haswell.so … -zen4.so, -sapphirerapids.so. Left
alone, ggml loads the one whose CPUID check scores highest. CPUID is not the whole truth: on a
machine here the AMX kernels died with a general protection fault on their first eval. So each
variant this CPU claims to support is tried once in a subprocess (load it, read a short
prompt, decode a few tokens); a crash or a hang only marks that variant unusable. The fastest
that ran is remembered per build, CPU model and flags in the user's cache
(`$XDG_CACHE_HOME/report-rag/llama-cpu.json`) and registered before llama.cpp loads a backend
itself, so no process of the user's ever runs an untried kernel.

Builds without variants (the portable static build, a CUDA build) are left as they are.
llama.cpp's own server gets the same choice when started through this module:
`python -m report_rag.llm.llamacpp_cpu run llama_cpp.server --model FILE.gguf …`.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from report_rag.errors import ConfigError, MissingDependencyError
from report_rag.machine import cpu_key, cpu_model, kernel_flags, read_choice, user_cache_dir, write_choice

VARIANT_PREFIX = "libggml-cpu-"
CACHE_NAME = "llama-cpu"
PROBE_TIMEOUT_S = 180.0
PROBE_PROMPT_TOKENS = 96
PROBE_DECODE_TOKENS = 8
# Far more text than the probe reads: any tokenizer yields PROBE_PROMPT_TOKENS from it.
_PROBE_TEXT = (
    "公司发布2025年年报，营业收入同比增长12%，归母净利润同比增长18%。我们维持买入评级，目标价45元。"
    "The company reported revenue up 12% year on year; we keep our Buy rating and a price target of $45. "
) * 8

# How the trials run: this module in a fresh interpreter (a crash there costs nothing here).
CHILD = [sys.executable, "-m", "report_rag.llm.llamacpp_cpu"]

_lock = threading.Lock()
_registered: dict[str, Any] = {}  # "variant" and "path" once a CPU backend was registered here


@dataclass(frozen=True)
class Trial:
    variant: str
    ok: bool
    prefill_tps: float = 0.0
    decode_tps: float = 0.0
    error: str = ""


def import_llama_cpp() -> Any:
    try:
        import llama_cpp
    except ImportError as exc:
        raise MissingDependencyError("llama-cpp-python", "llm", "The llama.cpp generator") from exc
    return llama_cpp


def variant_files() -> list[Path]:
    """The CPU variant libraries of the installed llama-cpp-python, or [] for a build without."""
    try:
        import llama_cpp
    except ImportError:
        return []
    package = Path(llama_cpp.__file__).resolve().parent
    # scikit-build installs ggml's backend modules to <prefix>/bin, the rest to llama_cpp/lib.
    for directory in (package / "lib", package.parent / "bin", Path(sys.prefix) / "bin"):
        found = sorted(directory.glob(f"{VARIANT_PREFIX}*.so")) if directory.is_dir() else []
        if found:
            return found
    return []


def variant_name(path: Path) -> str:
    return path.name.removeprefix(VARIANT_PREFIX).removesuffix(".so")


def gpu_backend_files() -> list[Path]:
    """A DL build's GPU backends (libggml-cuda.so …), found without loading anything."""
    files = variant_files()
    if not files:
        return []
    return [p for p in files[0].parent.glob("libggml-*.so") if p.name.split("-")[1].split(".")[0]
            in {"cuda", "hip", "vulkan", "sycl", "musa", "opencl"}]


def cache_path() -> Path:
    return user_cache_dir() / f"{CACHE_NAME}.json"


def _cache_key(files: list[Path], threads: int) -> str:
    digest = hashlib.sha256()
    for path in files:  # a rebuilt library is another build: measured again
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return f"{digest.hexdigest()[:16]}|{cpu_key()}|t{threads}"


def _run_child(args: list[str], timeout: float) -> tuple[dict[str, Any] | None, str]:
    """Run this module as a child; (its JSON answer, or None with what went wrong)."""
    try:
        done = subprocess.run(
            [*CHILD, *args],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        return None, f"no answer within {timeout:.0f} s"
    if done.returncode != 0:
        reason = f"signal {-done.returncode}" if done.returncode < 0 else f"exit {done.returncode}"
        return None, f"{reason}: {done.stderr.strip()[-300:]}"
    try:
        return json.loads(done.stdout.strip().splitlines()[-1]), ""
    except (ValueError, IndexError):
        return None, f"unreadable answer: {done.stdout[-300:]!r}"


def supported_variants(files: list[Path]) -> list[Path]:
    """The variants whose own CPUID check accepts this CPU, best-scored first (in a child:
    loading a library is ggml's own way to ask, and it must not cost this process)."""
    answer, _ = _run_child(["score", *map(str, files)], timeout=60)
    scores = answer or {}
    return sorted((p for p in files if scores.get(str(p), 0) > 0), key=lambda p: -scores[str(p)])


def probe(path: Path, gguf: Path, threads: int) -> Trial:
    answer, error = _run_child(["probe", str(path), str(gguf), str(threads)], timeout=PROBE_TIMEOUT_S)
    if answer is None:
        return Trial(variant_name(path), ok=False, error=error)
    return Trial(variant_name(path), ok=True, prefill_tps=answer["prefill_tps"], decode_tps=answer["decode_tps"])


BASELINE = "haswell"  # AVX2 + FMA: what the portable build compiled; always tried where it runs


def choose_variant(gguf: Path, threads: int, *, candidates: int = 3, refresh: bool = False) -> dict[str, Any] | None:
    """The fastest variant that runs here ({"variant", "path", "trials"}), from the cache or
    measured now; None for a build without variants."""
    files = variant_files()
    if not files:
        return None
    key = _cache_key(files, threads)
    cached = read_choice(CACHE_NAME, key)
    if cached and not refresh and Path(cached.get("path", "")).is_file():
        return dict(cached)
    # The best-scored few (lower levels are only slower, and each trial costs a model load),
    # and the AVX2 baseline: on some chips the wide kernels are not the fast ones.
    supported = supported_variants(files)
    tried = supported[:candidates] + [p for p in supported[candidates:] if variant_name(p) == BASELINE]
    trials = [probe(path, gguf, threads) for path in tried]
    usable = [t for t in trials if t.ok]
    if not usable:
        return None
    best = max(usable, key=lambda t: t.prefill_tps + 4 * t.decode_tps)  # a question is ~1 part decode in 4
    entry = {
        "variant": best.variant,
        "path": str(next(p for p in files if variant_name(p) == best.variant)),
        "cpu": cpu_model(),
        "flags": kernel_flags(),
        "trials": [asdict(t) for t in trials],
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    write_choice(CACHE_NAME, key, entry)
    return entry


def _libggml() -> Any:
    """The libggml that libllama itself loaded (its backend registry is the one that counts).
    A wheel cannot hold symlinks, so libggml.so and libggml.so.0 are two copies of one library:
    opened by the other name, the copy would keep a registry of its own."""
    llama_cpp = import_llama_cpp()  # loads libllama, and with it lib/libggml.so.0
    linked = Path(llama_cpp.__file__).resolve().parent / "lib" / "libggml.so.0"
    if linked.is_file():
        libggml = ctypes.CDLL(str(linked))
    else:
        from llama_cpp._ggml import libggml
    libggml.ggml_backend_load.restype = ctypes.c_void_p
    libggml.ggml_backend_load.argtypes = [ctypes.c_char_p]
    libggml.ggml_backend_reg_count.restype = ctypes.c_size_t
    return libggml


def forced_variant(name: str) -> dict[str, Any]:
    """The variant named by `llm.cpu_variant`, if this build has it and this CPU claims it."""
    files = variant_files()
    by_name = {variant_name(p): p for p in files}
    if name not in by_name:
        raise ConfigError(f"llm_cpu_variant={name!r}: this llama.cpp build has {', '.join(by_name) or 'no variants'}")
    if by_name[name] not in supported_variants(files):
        raise ConfigError(f"llm_cpu_variant={name!r}: this CPU lacks the instructions it needs")
    return {"variant": name, "path": str(by_name[name])}


def register_cpu_backend(gguf: Path | None, threads: int, wanted: str = "auto") -> str | None:
    """Before llama.cpp loads backends itself: register the measured CPU variant (or the one
    `wanted` names). Returns its name, or None where the build has no variants (nothing to
    choose) or no model to try them with yet (describe-only calls; the first load chooses)."""
    with _lock:
        if _registered:
            return str(_registered["variant"])
        if gguf is None or not variant_files():
            return None
        choice = choose_variant(gguf, threads) if wanted == "auto" else forced_variant(wanted)
        if choice is None:
            raise ConfigError(
                "none of llama.cpp's CPU variants ran on this CPU in a trial; see "
                f"{cache_path()} — reinstall llama-cpp-python with scripts/setup"
            )
        lib = _libggml()
        if lib.ggml_backend_reg_count() == 0:  # nothing loaded yet: ours decides
            from llama_cpp._utils import suppress_stdout_stderr

            with suppress_stdout_stderr(disable=False):  # ggml's "loaded CPU backend" line
                loaded = lib.ggml_backend_load(choice["path"].encode())
            if not loaded:
                raise ConfigError(f"llama.cpp could not load its CPU backend {choice['path']}")
        _registered.update(variant=choice["variant"], path=choice["path"])
        return str(choice["variant"])


def registered_variant() -> str | None:
    return _registered.get("variant")


# -- the child's side --------------------------------------------------------------------------


def _child_score(paths: list[str]) -> dict[str, int]:
    _libggml()  # libggml-base, which every variant links, is then already loaded
    scores = {}
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            fn = lib.ggml_backend_score
            fn.restype = ctypes.c_int
            scores[path] = int(fn())
        except (OSError, AttributeError):
            scores[path] = 0
    return scores


def _child_probe(path: str, gguf: str, threads: int) -> dict[str, float]:
    lib = _libggml()
    if not lib.ggml_backend_load(path.encode()):
        raise SystemExit(f"could not load {path}")
    llama_cpp = import_llama_cpp()
    llm = llama_cpp.Llama(model_path=gguf, n_ctx=512, n_batch=512, n_threads=threads,
                          n_threads_batch=threads, n_gpu_layers=0, verbose=False)
    tokens = llm.tokenize(_PROBE_TEXT.encode(), add_bos=True)[:PROBE_PROMPT_TOKENS]
    best_prefill = best_decode = 0.0
    for _ in range(2):  # the first pass also pages the weights in
        llm.reset()
        started = time.perf_counter()
        llm.eval(tokens)
        prefill = len(tokens) / (time.perf_counter() - started)
        started = time.perf_counter()
        for token in tokens[:PROBE_DECODE_TOKENS]:
            llm.eval([token])
        decode = PROBE_DECODE_TOKENS / (time.perf_counter() - started)
        best_prefill, best_decode = max(best_prefill, prefill), max(best_decode, decode)
    return {"prefill_tps": round(best_prefill, 1), "decode_tps": round(best_decode, 1)}


def run_module(module: str, args: list[str]) -> None:
    """Run another llama.cpp program (`llama_cpp.server`) in this process with the measured
    CPU variant registered first; its `--model` is the GGUF the trial uses."""
    import runpy

    gguf = next((Path(args[i + 1]) for i, a in enumerate(args[:-1]) if a in ("--model", "-m")), None)
    threads = next((int(args[i + 1]) for i, a in enumerate(args[:-1]) if a == "--n_threads"), os.cpu_count() or 1)
    register_cpu_backend(gguf, threads)
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


def _main(argv: list[str]) -> None:
    command, *rest = argv
    if command == "run":  # python -m report_rag.llm.llamacpp_cpu run llama_cpp.server --model …
        run_module(rest[0], rest[1:])
    elif command == "score":
        print(json.dumps(_child_score(rest)))
    elif command == "probe":
        print(json.dumps(_child_probe(rest[0], rest[1], int(rest[2]))))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    _main(sys.argv[1:])
