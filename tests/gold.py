"""The sample reports' ground truth (sample_reports/gold.json), shared by the test modules."""

from __future__ import annotations

import json
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "sample_reports"


def gold_reports() -> list[dict]:
    """One entry per sample PDF; empty when the samples have not been generated."""
    gold = SAMPLES / "gold.json"
    if not gold.exists():
        return []
    data = json.loads(gold.read_text(encoding="utf-8"))
    return data["reports"] if isinstance(data, dict) else data
