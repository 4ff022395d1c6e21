"""Choosing llama.cpp's CPU kernels by trial: crashes contained, the fastest kept, remembered."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from report_rag.llm import llamacpp_cpu
from report_rag.llm.llamacpp_cpu import Trial, choose_variant, probe
from report_rag.machine import cpu_model


@pytest.fixture
def variants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    files = []
    for name in ("haswell", "zen4", "sapphirerapids"):
        path = tmp_path / "lib" / f"libggml-cpu-{name}.so"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(name.encode())
        files.append(path)
    monkeypatch.setattr(llamacpp_cpu, "variant_files", lambda: files)
    return files


def test_a_variant_that_crashes_is_marked_unusable_not_fatal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    # The child dies the way the AMX kernels did here (a signal on the first eval).
    monkeypatch.setattr(llamacpp_cpu, "CHILD", [sys.executable, "-c",
                                                "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"])
    trial = probe(tmp_path / "libggml-cpu-sapphirerapids.so", tmp_path / "m.gguf", threads=1)
    assert not trial.ok and trial.variant == "sapphirerapids" and "signal 11" in trial.error
    monkeypatch.setattr(llamacpp_cpu, "CHILD", [sys.executable, "-c", "print('{\"prefill_tps\": 80.5, \"decode_tps\": 11.0}')"])
    trial = probe(tmp_path / "libggml-cpu-zen4.so", tmp_path / "m.gguf", threads=1)
    assert trial.ok and trial.prefill_tps == 80.5 and trial.decode_tps == 11.0


def test_fastest_variant_that_runs_is_chosen_and_remembered(variants, monkeypatch: pytest.MonkeyPatch, tmp_path):
    results = {
        "sapphirerapids": Trial("sapphirerapids", ok=False, error="signal 11"),
        "zen4": Trial("zen4", ok=True, prefill_tps=150.0, decode_tps=12.0),
        "haswell": Trial("haswell", ok=True, prefill_tps=70.0, decode_tps=11.5),
    }
    calls = []
    monkeypatch.setattr(llamacpp_cpu, "supported_variants", lambda files: list(reversed(files)))
    monkeypatch.setattr(llamacpp_cpu, "probe",
                        lambda path, gguf, threads: calls.append(path.name) or results[llamacpp_cpu.variant_name(path)])
    choice = choose_variant(tmp_path / "m.gguf", threads=2)
    assert choice is not None and choice["variant"] == "zen4" and Path(choice["path"]) == variants[1]
    assert {t["variant"]: t["ok"] for t in choice["trials"]} == {"sapphirerapids": False, "zen4": True, "haswell": True}
    assert len(calls) == 3
    again = choose_variant(tmp_path / "m.gguf", threads=2)
    assert again is not None and again["variant"] == "zen4" and len(calls) == 3  # from the cache: no new trials
    cached = json.loads((tmp_path / "cache" / "report-rag" / "llama-cpu.json").read_text())
    [key] = cached
    assert cpu_model() in key and key.endswith("|t2")
    choose_variant(tmp_path / "m.gguf", threads=1)  # another thread count is its own measurement
    assert len(calls) == 6


def test_a_rebuilt_library_is_measured_again(variants, monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.setattr(llamacpp_cpu, "supported_variants", lambda files: files)
    trials = []
    monkeypatch.setattr(llamacpp_cpu, "probe", lambda path, gguf, threads: trials.append(path) or
                        Trial(llamacpp_cpu.variant_name(path), ok=True, prefill_tps=1.0, decode_tps=1.0))
    choose_variant(tmp_path / "m.gguf", threads=2)
    variants[0].write_bytes(b"rebuilt haswell, another size")
    choose_variant(tmp_path / "m.gguf", threads=2)
    assert len(trials) == 2 * len(variants)


def test_no_variant_runs_means_no_choice(variants, monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.setattr(llamacpp_cpu, "supported_variants", lambda files: files)
    monkeypatch.setattr(llamacpp_cpu, "probe",
                        lambda path, gguf, threads: Trial(llamacpp_cpu.variant_name(path), ok=False, error="exit 1"))
    assert choose_variant(tmp_path / "m.gguf", threads=2) is None
    assert not (tmp_path / "cache" / "report-rag" / "llama-cpu.json").exists()  # tried again next time


def test_a_build_without_variants_is_left_alone(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.setattr(llamacpp_cpu, "variant_files", list)
    monkeypatch.setattr(llamacpp_cpu, "_registered", {})
    assert choose_variant(tmp_path / "m.gguf", threads=2) is None
    assert llamacpp_cpu.register_cpu_backend(tmp_path / "m.gguf", threads=2) is None
    assert llamacpp_cpu.registered_variant() is None
