"""Answer-path benchmark: retrieval latency at scale, then the model's speed.

Retrieval: a library of N synthetic chunks (random unit vectors in FAISS; texts sampled
from the sample reports with their numbers changed, so BM25 has realistic postings) is
written through the real store, and `Retriever.retrieve` — query embedding, filtered
FAISS search, BM25, fusion, scoping, SQL fetch — is timed over a set of questions
(p50/p95, ms). Generation: bench/answer_decode.py's time to first token and decode tok/s
through our llama.cpp backend beside llama.cpp's own counters.

    python bench/answer.py                       # 10k and 100k chunks, then the model
    python bench/answer.py --chunks 10000 --no-model
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "贵州茅台的目标价是多少？", "What is the target price for Tencent?", "华锦证券对传媒行业的评级？",
    "中芯国际三季度毛利率", "Which banks are the top picks?", "宁德时代评级为什么上调？",
    "What risks does the TSMC note flag?", "DeepSeek-V3的训练成本", "恒瑞医药创新药收入增长",
    "M1同比增速是多少", "食品饮料行业建议关注哪些股票？", "What was Ping An's NBV growth?",
]


def sample_texts() -> list[str]:
    from report_rag.parse.chunking import ChunkingParams, chunk_pages
    from report_rag.parse.clean import clean_pages
    from report_rag.parse.pdf import PypdfParser

    texts = []
    for pdf in sorted((ROOT / "sample_reports").glob("*.pdf")):
        pages = clean_pages(PypdfParser(max_pages=100).parse(pdf).raw_pages)
        texts += [c.text for c in chunk_pages(pages, ChunkingParams(450, 60))]
    return texts


def build_library(home: Path, n_chunks: int, dim: int = 384):
    from report_rag.settings import Settings
    from report_rag.store.library import Library
    from report_rag.types import Chunk, Page, ReportStatus

    rng = np.random.default_rng(0)
    texts = sample_texts()
    settings = Settings.from_variables(home=home, index_save_every=10_000)
    library = Library(settings)
    per_report = 40
    for r in range(0, n_chunks, per_report):
        n = min(per_report, n_chunks - r)
        chunk_texts = [
            re.sub(r"\d+(\.\d+)?", lambda m: f"{rng.uniform(1, 999):.2f}", random.Random(r + i).choice(texts))
            for i in range(n)
        ]
        chunks = [Chunk(text=t, page_start=1, page_end=1, start_offset=0, end_offset=len(t), ordinal=i,
                        is_boilerplate=(i % 10 == 9)) for i, t in enumerate(chunk_texts)]
        vectors = rng.normal(size=(n, dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        report_id, ids = library.store.add_report(
            file_name=f"synthetic-{r}.pdf", path="/synthetic", content_hash=f"synthetic-{r}",
            status=ReportStatus.READY, pages=[Page(1, "\n".join(chunk_texts))], chunks=chunks, vectors=vectors,
        )
        library.add_chunks(report_id, chunks, ids, vectors)
    library.save_index()
    return library


def retrieval_latency(n_chunks: int, repeats: int) -> dict:
    from report_rag.retrieval.retriever import Retriever

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        library = build_library(Path(tmp), n_chunks)
        build_s = time.perf_counter() - t0
        library.embedder.encode_queries(["warm-up"])
        t0 = time.perf_counter()
        library.catalog  # noqa: B018 - BM25 and filters built from SQL, as a fresh process would
        catalog_s = time.perf_counter() - t0
        retriever = Retriever(library)
        timings = []
        for repeat in range(repeats):
            for question in QUESTIONS:
                # Each query distinct, so the query-vector cache never answers for the embedder.
                query = question if repeat == 0 else f"{question} ({repeat})"
                t0 = time.perf_counter()
                retriever.retrieve(query, k=6)
                timings.append((time.perf_counter() - t0) * 1000)
        library.close()
    timings.sort()
    return {
        "chunks": n_chunks,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
        "queries": len(timings),
        "build_library_s": round(build_s, 1),
        "catalog_build_s": round(catalog_s, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-model", action="store_true", help="retrieval only")
    ap.add_argument("--gguf", default=None, help="embedded model name or GGUF path for the decode part")
    ap.add_argument("--questions", type=int, default=0,
                    help="also answer the first N eval questions per CPU variant and prompt "
                         "(bench/answer_questions.py: evidence, first token, prompt tokens, tok/s, accuracy)")
    ap.add_argument("--variants", default="auto", help="llama.cpp CPU variants for --questions")
    ap.add_argument("--passage-tokens", default="600,0", help="lean budgets for --questions (0: whole passages)")
    args = ap.parse_args()

    result: dict = {"bench": "answer"}
    print(f"{'chunks':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'catalog s':>10}")
    for n in args.chunks:
        row = retrieval_latency(n, args.repeats)
        result[f"retrieval_p50_ms_{n}"] = row["p50_ms"]
        result[f"retrieval_p95_ms_{n}"] = row["p95_ms"]
        print(f"{n:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['queries']:>8} {row['catalog_build_s']:>10}")
    if not args.no_model:
        from answer_decode import decode_benchmark

        decode = decode_benchmark(gguf=args.gguf) if args.gguf else decode_benchmark()
        result.update({f"decode_{k}": v for k, v in decode.items() if isinstance(v, (int, float, str))})
        for key, value in decode.items():
            if isinstance(value, (int, float, str)):
                print(f"{key:32} {value}")
    if args.questions:
        import subprocess

        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "answer_questions.py"), "--limit", str(args.questions),
             "--variants", args.variants, "--passage-tokens", args.passage_tokens],
            capture_output=True, text=True, check=True,
        )
        print(done.stdout.rsplit("\n", 2)[0])
        result["questions"] = json.loads(done.stdout.strip().splitlines()[-1])["configs"]
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
