"""bench/gpu.py stays runnable between GPU loans: its code paths at toy size on a CPU."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("transformers")
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_gpu_bench_runs_at_toy_size_and_checks_what_it_claims() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "gpu.py"), "--tiny", "--device", "cpu"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # The Gemma 2 path went through the transformers backend with its sliding-window cache:
    # sliding layers kept at most the window, global layers the whole prompt.
    assert result["gemma_window_honoured"] is True
    assert result["gemma_cache_sliding_max"] <= result["gemma_sliding_window"] < result["gemma_prompt_tokens"]
    assert result["gemma_cache_global_min"] >= result["gemma_prompt_tokens"]
    assert result["gemma_prefill_tps"] > 0 and result["gemma_decode_tps"] > 0
    assert result["torch_search_qps"] > 0 and result.get("faiss_top1_agrees_with_torch", 1.0) == 1.0
    assert result["e5_min_cosine_to_transformers"] > 0.999  # our encoder computes what BertModel does
