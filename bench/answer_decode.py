"""Time to first token and decode speed of a GGUF model: our backend vs llama.cpp itself.

Three measurements of the same prompt (a question over ~1,500 tokens of report passages) on
the same GGUF, same threads, same context size, greedy decoding:

* `backend`  — report_rag's LlamaCppGenerator.stream(): what `ask` pays (wall clock, includes
  the chat template, tokenisation and our streaming loop);
* `raw`      — llama-cpp-python's plain `Llama.__call__` on the already-rendered prompt
  (wall clock, no report_rag code in the loop);
* `llama.cpp` — llama.cpp's own counters (`llama_perf_context`: prompt-eval and eval time
  measured inside the C library) for the raw run.

Each run starts from an empty KV cache (no prefix reuse); the weights are paged in by a warm-up
first. Decode tok/s is (tokens after the first) / (time after the first token). On a shared
machine the load changes between runs, so `decode_ratio_same_run` also compares each backend
run's wall clock with llama.cpp's own eval timer for that very run.

    python bench/answer_decode.py                          # default model, 1,500-token prompt
    python bench/answer_decode.py --gguf qwen2.5-coder-0.5b --prompt-tokens 800 --json

`decode_benchmark(...)` returns the same numbers as a dict (bench/answer.py calls it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTION_ZH = "根据以上段落，这份报告的投资评级是什么？请引用段落编号。"
SYSTEM = (
    "You answer questions about brokerage research reports using only the numbered passages. "
    "Cite passages as [n]. If the passages do not say, answer that the reports do not say."
)


def _source_texts() -> list[str]:
    """Real report text: the sample PDFs, else the shared seed text, else a built-in paragraph."""
    texts: list[str] = []
    try:
        from pypdf import PdfReader

        for pdf in sorted((ROOT / "sample_reports").glob("*.pdf")):
            texts.extend(page.extract_text() or "" for page in PdfReader(pdf).pages)
    except Exception:  # the bench must still run without the samples
        pass
    for seed in sorted((ROOT.parent / "shared" / "seed").glob("*.txt")):
        texts.append(seed.read_text(encoding="utf-8"))
    texts = [t.strip() for t in texts if t and t.strip()]
    return texts or ["投资要点：公司营收同比增长，毛利率改善，维持“买入”评级。风险提示：需求不及预期。" * 20]


def build_messages(count_tokens, prompt_tokens: int) -> list:
    """System + user turn holding numbered passages of about `prompt_tokens` tokens in total."""
    from report_rag.llm.base import ChatMessage

    passages: list[str] = []
    used = count_tokens(SYSTEM) + count_tokens(QUESTION_ZH)
    pool = [p for text in _source_texts() for p in _split(text, 450)]
    i = 0
    while used < prompt_tokens and pool:
        passage = f"[{len(passages) + 1}] 华金证券 行业快报 2024-07-08 p.{i % 5 + 1}\n{pool[i % len(pool)]}"
        cost = count_tokens(passage) + 2
        if cost > prompt_tokens - used:  # trim the last passage so the prompt lands on target
            passage = passage[: max(1, len(passage) * (prompt_tokens - used) // cost)]
            cost = count_tokens(passage) + 2
        passages.append(passage)
        used += cost
        i += 1
    user = "\n\n".join(passages) + f"\n\n问题：{QUESTION_ZH}"
    return [ChatMessage("system", SYSTEM), ChatMessage("user", user)]


def _split(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)]


def _perf(llama) -> dict:
    import llama_cpp

    data = llama_cpp.llama_perf_context(llama._ctx.ctx)
    return {
        "prompt_tokens": data.n_p_eval,
        "prompt_ms": data.t_p_eval_ms,
        "eval_tokens": data.n_eval,
        "eval_ms": data.t_eval_ms,
    }


def _reset(llama) -> None:
    import llama_cpp

    llama.reset()  # forget the previous prompt: no prefix reuse between runs
    llama_cpp.llama_perf_context_reset(llama._ctx.ctx)


def _timed_stream(pieces) -> dict:
    start = time.perf_counter()
    stamps: list[float] = []
    text = []
    for piece in pieces:
        stamps.append(time.perf_counter())
        text.append(piece)
    end = time.perf_counter()
    return {"start": start, "first": stamps[0] if stamps else end, "end": end, "pieces": len(stamps),
            "text": "".join(text)}


def _rates(timing: dict, generated_tokens: int) -> dict:
    ttft = timing["first"] - timing["start"]
    decode_s = timing["end"] - timing["first"]
    return {
        "ttft_s": round(ttft, 3),
        "generated_tokens": generated_tokens,
        "decode_tok_s": round((generated_tokens - 1) / decode_s, 2) if generated_tokens > 1 and decode_s > 0 else None,
    }


def decode_benchmark(
    gguf: str = "qwen2.5-coder-1.5b",
    *,
    prompt_tokens: int = 1500,
    new_tokens: int = 64,
    repeats: int = 3,
    threads: int | None = None,
    home: Path | None = None,
) -> dict:
    from report_rag.llm.assets import ensure_gguf
    from report_rag.llm.base import GenerationParams, available_cpus
    from report_rag.llm.llamacpp import LlamaCppGenerator
    from report_rag.settings import Settings

    home = home or Path(tempfile.mkdtemp(prefix="report-rag-bench-"))
    settings = Settings.for_tests(home, llm_gguf=gguf, llm_context_tokens=4096,
                                  **({"llm_threads": threads} if threads else {}))
    path = ensure_gguf(settings)
    threads = settings.llm.threads or available_cpus()
    generator = LlamaCppGenerator(path, requested_context=4096, threads=threads, device="cpu")
    llama = generator.load()
    messages = build_messages(generator.count_tokens, prompt_tokens)
    params = GenerationParams(max_new_tokens=new_tokens)
    # The exact text the chat handler renders, so the raw run evaluates the same tokens.
    rendered = _render_prompt(llama, messages)
    # Warm-up: page the weights in and let the threads spin up before anything is timed.
    list(generator.stream(messages[:1] + [messages[1].__class__("user", "你好")], GenerationParams(max_new_tokens=4)))

    backend_runs, raw_runs, native_runs = [], [], []
    for _ in range(repeats):
        _reset(llama)
        timing = _timed_stream(generator.stream(messages, params))
        perf = _perf(llama)
        rates = _rates(timing, perf["eval_tokens"] + 1)
        # The same run seen from inside llama.cpp: immune to load changing between runs.
        native_decode = perf["eval_tokens"] / (perf["eval_ms"] / 1000) if perf["eval_ms"] else None
        backend_runs.append({**rates, "prompt_tokens": perf["prompt_tokens"],
                             "same_run_ratio": rates["decode_tok_s"] / native_decode
                             if rates["decode_tok_s"] and native_decode else None})

        _reset(llama)
        chunks = llama(rendered, max_tokens=new_tokens, temperature=0.0, repeat_penalty=1.0, stream=True)
        timing = _timed_stream(c["choices"][0]["text"] for c in chunks)
        perf = _perf(llama)
        raw_runs.append(_rates(timing, perf["eval_tokens"] + 1))
        native_runs.append({
            "prompt_tokens": perf["prompt_tokens"],
            "prefill_tok_s": round(perf["prompt_tokens"] / (perf["prompt_ms"] / 1000), 1),
            "decode_tok_s": round(perf["eval_tokens"] / (perf["eval_ms"] / 1000), 2) if perf["eval_ms"] else None,
        })

    def median(runs: list[dict], key: str) -> float | None:
        values = [r[key] for r in runs if r.get(key) is not None]
        return round(statistics.median(values), 3) if values else None

    result = {
        "model": path.name,
        "threads": threads,
        "prompt_tokens": backend_runs[0]["prompt_tokens"],
        "new_tokens": new_tokens,
        "repeats": repeats,
        "backend": {"ttft_s": median(backend_runs, "ttft_s"), "decode_tok_s": median(backend_runs, "decode_tok_s")},
        "raw": {"ttft_s": median(raw_runs, "ttft_s"), "decode_tok_s": median(raw_runs, "decode_tok_s")},
        "llama.cpp": {"prefill_tok_s": median(native_runs, "prefill_tok_s"),
                      "decode_tok_s": median(native_runs, "decode_tok_s")},
    }
    native = result["llama.cpp"]["decode_tok_s"]
    ours = result["backend"]["decode_tok_s"]
    result["decode_ratio_vs_llama_cpp"] = round(ours / native, 3) if ours and native else None
    result["decode_ratio_same_run"] = median(backend_runs, "same_run_ratio")
    return result


def _render_prompt(llama, messages) -> str:
    """The chat-templated prompt text, as llama-cpp-python's GGUF chat handler renders it."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    def token_text(token: int) -> str:
        return llama.detokenize([token], special=True).decode("utf-8", "ignore")

    formatter = Jinja2ChatFormatter(
        template=llama.metadata["tokenizer.chat_template"],
        eos_token=token_text(llama.token_eos()),
        bos_token=token_text(llama.token_bos()),
    )
    return formatter(messages=[{"role": m.role, "content": m.content} for m in messages]).prompt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gguf", default="qwen2.5-coder-1.5b", help="embedded model name or GGUF path")
    parser.add_argument("--prompt-tokens", type=int, default=1500)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()
    result = decode_benchmark(args.gguf, prompt_tokens=args.prompt_tokens, new_tokens=args.new_tokens,
                              repeats=args.repeats, threads=args.threads)
    if not args.json:
        print(f"{result['model']}  threads={result['threads']}  prompt={result['prompt_tokens']} tokens  "
              f"new={result['new_tokens']}  median of {result['repeats']}")
        print(f"{'':12}{'TTFT s':>10}{'decode tok/s':>14}{'prefill tok/s':>15}")
        for label in ("backend", "raw"):
            row = result[label]
            print(f"{label:12}{row['ttft_s']:>10}{row['decode_tok_s']:>14}{'':>15}")
        native = result["llama.cpp"]
        print(f"{'llama.cpp':12}{'':>10}{native['decode_tok_s']:>14}{native['prefill_tok_s']:>15}")
        print(f"decode ratio backend / llama.cpp: {result['decode_ratio_vs_llama_cpp']} "
              f"(same run, backend wall clock / llama.cpp's own eval timer: {result['decode_ratio_same_run']})")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
