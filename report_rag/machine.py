"""The machine a process runs on: its CPU (model, flags, cores) and the user's cache on it.

Kernel choices — llama.cpp's CPU variant, the e5 encoder's precision — are measured once per
CPU and remembered in `$XDG_CACHE_HOME/report-rag/`, keyed by what they depend on, so a home
copied to another machine (or a CI runner of another CPU kind) measures again instead of
reusing a choice made elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from functools import lru_cache
from pathlib import Path
from typing import Any

# The flags that decide which kernels are fast or even run; the rest is noise in a report.
KERNEL_FLAGS = ("avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512bw", "avx512_vnni",
                "avx512_bf16", "avx512_vbmi", "amx_tile", "amx_int8", "amx_bf16")


@lru_cache(maxsize=1)
def _cpuinfo() -> tuple[str, frozenset[str]]:
    model, flags = "", frozenset[str]()
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine(), flags
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and not model:
            model = value.strip()
        elif key == "flags" and not flags:
            flags = frozenset(value.split())
    return model or platform.processor() or platform.machine(), flags


def cpu_model() -> str:
    return _cpuinfo()[0]


def cpu_flags() -> set[str]:
    return set(_cpuinfo()[1])


def kernel_flags() -> list[str]:
    """This CPU's kernel-deciding flags, in a fixed order (what benchmarks print)."""
    have = _cpuinfo()[1]
    return [flag for flag in KERNEL_FLAGS if flag in have]


def cpu_key() -> str:
    """"<model>|<digest of all flags>": two machines share a measured choice only when equal."""
    model, flags = _cpuinfo()
    return f"{model}|{hashlib.sha256(' '.join(sorted(flags)).encode()).hexdigest()[:16]}"


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def user_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "report-rag"


def read_choice(name: str, key: str) -> dict[str, Any] | None:
    """A remembered measurement from `<cache>/<name>.json`, or None."""
    try:
        data = json.loads((user_cache_dir() / f"{name}.json").read_text())
    except (OSError, ValueError):
        return None
    entry = data.get(key) if isinstance(data, dict) else None
    return dict(entry) if isinstance(entry, dict) else None


def write_choice(name: str, key: str, entry: dict[str, Any]) -> None:
    """Remember a measurement; a write another process makes at once loses nothing but itself."""
    path = user_cache_dir() / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(path.read_text())
        data = data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        data = {}
    data[key] = entry
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False))
    tmp.replace(path)
