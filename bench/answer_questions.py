"""Answers as a user waits for them: the eval questions asked of the sample library, warm.

For each configuration — a llama.cpp CPU variant (`REPORT_RAG_LLM_CPU_VARIANT`) and a prompt
(`REPORT_RAG_LLM_PASSAGE_TOKENS`: 0 = whole passages, N = the lean prompt's budget) — one child
process loads the models, answers one warm-up question, then every eval question, and reports
per question: time to evidence, time to the first model token, the answer's total time, the
prompt's tokens and how many of them llama.cpp evaluated (the rest came from its prefix reuse:
the system prompt), prefill and decode tokens/s from llama.cpp's own counters, and whether the
answer states the expected fact (bench/eval_qa.py's rule). All configurations in one run, on one
library, on this machine: their ratios are the comparison.

    python bench/answer_questions.py                                 # auto variant, lean vs whole
    python bench/answer_questions.py --variants haswell,zen4 --passage-tokens 600 --limit 12
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))] if ordered else 0.0


def child(home: Path, limit: int) -> dict:
    import llama_cpp
    from eval_qa import load_questions, states_fact

    from report_rag.answer.qa import EvidenceFound, Final, Token, ask_stream
    from report_rag.llm import create_generator
    from report_rag.llm.llamacpp_cpu import registered_variant
    from report_rag.machine import cpu_model, kernel_flags
    from report_rag.settings import Settings
    from report_rag.store.library import Library

    settings = Settings.from_variables(home=home)
    answerable, _ = load_questions()
    questions = answerable[:limit] if limit else answerable
    rows = []
    with Library(settings) as library:
        generator = create_generator(settings)
        list(ask_stream(library, generator, "这份报告的投资评级是什么？"))  # models warm, prefix cached
        llama = generator.load()
        for q in questions:
            llama_cpp.llama_perf_context_reset(llama._ctx.ctx)
            started = time.perf_counter()
            evidence_s = first_s = None
            answer = None
            for event in ask_stream(library, generator, q["question"]):
                if isinstance(event, EvidenceFound) and evidence_s is None:
                    evidence_s = time.perf_counter() - started
                elif isinstance(event, Token) and first_s is None:
                    first_s = time.perf_counter() - started
                elif isinstance(event, Final):
                    answer = event.answer
            total_s = time.perf_counter() - started
            perf = llama_cpp.llama_perf_context(llama._ctx.ctx)
            model_used = bool(perf.n_p_eval)  # a field look-up or a refusal never reaches it
            rows.append({
                "question": q["question"],
                "evidence_s": round(evidence_s or total_s, 3),
                "first_token_s": round(first_s or total_s, 3),
                "total_s": round(total_s, 3),
                "model_used": model_used,
                "prompt_tokens": int(llama.n_tokens - perf.n_eval) if model_used else 0,
                "prefill_tokens": int(perf.n_p_eval),
                "prefill_tps": round(perf.n_p_eval / (perf.t_p_eval_ms / 1000), 1) if perf.t_p_eval_ms else None,
                "decode_tps": round(perf.n_eval / (perf.t_eval_ms / 1000), 2) if perf.t_eval_ms else None,
                "right": bool(answer and not answer.refused and states_fact(answer.answer, q["answer_substring"])),
                "refused": bool(answer and answer.refused),
            })
    return {"variant": registered_variant() or "static build", "cpu": cpu_model(), "flags": kernel_flags(),
            "passage_tokens": settings.llm.passage_tokens, "rows": rows}


def summarise(result: dict) -> dict:
    rows = result["rows"]
    model_rows = [r for r in rows if r["model_used"]]

    def col(name: str, among: list[dict]) -> list[float]:
        return [r[name] for r in among if r[name] is not None]

    return {
        "variant": result["variant"],
        "passage_tokens": result["passage_tokens"],
        "questions": len(rows),
        "model_answers": len(model_rows),
        "evidence_p50_s": round(statistics.median(col("evidence_s", rows)), 3),
        "evidence_p95_s": round(_percentile(col("evidence_s", rows), 0.95), 3),
        "first_token_p50_s": round(statistics.median(col("first_token_s", model_rows) or [0]), 2),
        "first_token_p95_s": round(_percentile(col("first_token_s", model_rows), 0.95), 2),
        "prompt_tokens_p50": int(statistics.median(col("prompt_tokens", model_rows) or [0])),
        "prefill_tokens_p50": int(statistics.median(col("prefill_tokens", model_rows) or [0])),
        "prefill_tps_p50": round(statistics.median(col("prefill_tps", model_rows) or [0]), 1),
        "decode_tps_p50": round(statistics.median(col("decode_tps", model_rows) or [0]), 2),
        "accuracy": round(sum(r["right"] for r in rows) / len(rows), 3) if rows else 0.0,
        "refused": sum(r["refused"] for r in rows),
    }


def build_home(home: Path) -> None:
    from report_rag.pipeline.ingest import ingest_paths
    from report_rag.settings import Settings
    from report_rag.store.library import Library

    with Library(Settings.from_variables(home=home)) as library:
        summary = ingest_paths(library, [str(ROOT / "sample_reports")])
        assert not summary.failed, summary.failed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variants", default="auto", help="comma-separated llama.cpp CPU variants (auto = measured)")
    ap.add_argument("--passage-tokens", default="600,0", help="comma-separated lean budgets; 0 = whole passages")
    ap.add_argument("--limit", type=int, default=0, help="only the first N answerable questions")
    ap.add_argument("--home", type=Path, default=None, help="an ingested sample library to reuse")
    ap.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.limit), ensure_ascii=False))
        return

    from report_rag.machine import cpu_model, kernel_flags

    tmp = None
    home = args.home
    if home is None:
        tmp = tempfile.TemporaryDirectory()
        home = Path(tmp.name)
        build_home(home)
    summaries, details = [], []
    for variant in args.variants.split(","):
        for budget in args.passage_tokens.split(","):
            env = {**os.environ, "REPORT_RAG_LLM_CPU_VARIANT": variant, "REPORT_RAG_LLM_PASSAGE_TOKENS": budget}
            done = subprocess.run([sys.executable, __file__, "--child", str(home), "--limit", str(args.limit)],
                                  env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(f"variant {variant}, passage tokens {budget}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            details.append(result)
            summaries.append(summarise(result))
    if tmp is not None:
        tmp.cleanup()
    print(f"CPU: {cpu_model()}; flags {' '.join(kernel_flags())}")
    columns = ["variant", "passage_tokens", "model_answers", "evidence_p50_s", "evidence_p95_s",
               "first_token_p50_s", "first_token_p95_s", "prompt_tokens_p50", "prefill_tokens_p50",
               "prefill_tps_p50", "decode_tps_p50", "accuracy", "refused"]
    print(" ".join(f"{c:>18}" for c in columns))
    for row in summaries:
        print(" ".join(f"{row[c]!s:>18}" for c in columns))
    print(json.dumps({"bench": "answer_questions", "cpu": cpu_model(), "flags": kernel_flags(),
                      "configs": summaries}, ensure_ascii=False))


if __name__ == "__main__":
    main()
