"""`report-rag ingest PATH... [--json] [--workers N]`: thin layer over report_rag.pipeline.ingest."""

from __future__ import annotations

import argparse
import json
import sys

from report_rag.settings import Settings


def add_ingest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="PDF files, folders (recursive) or globs")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    parser.add_argument(
        "--workers", type=int, default=1, help="parallel PDF parsing processes (default 1: a thread)"
    )


class _ProgressBar:
    """A tqdm bar on a terminal; silent otherwise (logs and pipes stay clean)."""

    def __init__(self, enabled: bool) -> None:
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(unit="file", file=sys.stderr, dynamic_ncols=True)

    def __call__(self, event: str, file: str) -> None:
        if self._bar is None:
            return
        if event == "start":
            self._bar.set_postfix_str(file[-40:], refresh=True)
        else:
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from report_rag.pipeline.ingest import ingest_paths
    from report_rag.store.library import Library

    if args.workers < 1:
        print("report-rag ingest: --workers must be at least 1", file=sys.stderr)
        return 2
    bar = _ProgressBar(enabled=sys.stderr.isatty())
    try:
        with Library(settings) as library:
            summary = ingest_paths(library, args.paths, workers=args.workers, progress=bar)
    finally:
        bar.close()
    if args.json:
        json.dump(summary.to_json(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for item in summary.ingested:
            print(f"ingested  {item.file}  (report {item.report_id}, {item.pages} pages, {item.chunks} chunks)")
        for skipped in summary.skipped:
            print(f"skipped   {skipped.file}: {skipped.reason}")
        for failed in summary.failed:
            print(f"failed    {failed.file}: {failed.error}", file=sys.stderr)
        print(
            f"{len(summary.ingested)} ingested, {len(summary.skipped)} skipped, "
            f"{len(summary.failed)} failed ({summary.stage_seconds.get('total', 0):.1f} s)"
        )
    return 1 if summary.failed else 0

