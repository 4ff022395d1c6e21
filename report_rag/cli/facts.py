"""The commands over extracted facts: `summarize` (one report), `picks`, `stock` and `digest`
(across reports). Each calls one library function and renders its typed result."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from report_rag.cli.output import EXIT_OK, print_json
from report_rag.settings import Settings

if TYPE_CHECKING:
    from report_rag.llm.base import Generator


def _optional_generator(settings: Settings, wanted: bool) -> Generator | None:
    """The configured generator, or None (with a note) when --no-llm or it is not installed."""
    if not wanted:
        return None
    from report_rag.llm import create_generator, describe_configured

    info = describe_configured(settings)
    if not info.get("present", True):
        print(f"report-rag: model not available ({info.get('model')}); facts only, no brief", file=sys.stderr)
        return None
    return create_generator(settings)


def cmd_summarize(args: argparse.Namespace, settings: Settings) -> int:
    from report_rag.answer.summarize import summarize_report, summary_markdown
    from report_rag.store.library import Library

    with Library(settings) as library:
        summary = summarize_report(library, _optional_generator(settings, not args.no_llm), args.report)
    if args.json:
        print_json(summary)
    else:
        print(summary_markdown(summary), end="")
    return EXIT_OK


PICK_COLUMNS = ["stock", "code", "stock_rating", "report_id", "file", "title", "broker", "date",
                "report_rating", "page", "quote"]


def cmd_picks(args: argparse.Namespace, settings: Settings) -> int:
    from report_rag.present.export import write_csv, write_xlsx
    from report_rag.store.facts_queries import query_picks
    from report_rag.store.library import Library

    with Library(settings) as library:
        rows = [r.to_row() for r in query_picks(library.store, stock=args.stock, broker=args.broker, since=args.since)]
    if args.json:
        print_json(rows)
    elif args.csv:
        write_csv(sys.stdout, rows, PICK_COLUMNS)
    elif args.xlsx:
        write_xlsx(args.xlsx, rows, PICK_COLUMNS, sheet="picks")
        print(f"Wrote {len(rows)} picks to {args.xlsx}")
    else:
        if not rows:
            print("No picks match.")
        for r in rows:
            print(f"{r['date'] or '-':10}  {(r['broker'] or '-')[:12]:12}  {r['stock']:12} {r['code'] or '':10} "
                  f"{r['stock_rating'] or '':8} report: {r['report_rating'] or '-'}  ({r['file']} p.{r['page']})")
    return EXIT_OK


def cmd_stock(args: argparse.Namespace, settings: Settings) -> int:
    from report_rag.present.export import write_csv
    from report_rag.present.stock import stock_markdown, stock_tables, stock_xlsx_bytes
    from report_rag.store.library import Library
    from report_rag.store.securities import stock_view

    with Library(settings) as library:
        view = stock_view(library.store, args.query)
    if args.json:
        print_json(view.to_json())
    elif args.csv:
        rows, columns = stock_tables(view)[args.table]
        write_csv(sys.stdout, rows, columns)
    elif args.xlsx:
        Path(args.xlsx).write_bytes(stock_xlsx_bytes(view))
        print(f"Wrote {view.security.label}: {len(view.history)} ratings/targets, {len(view.forecasts)} forecasts "
              f"to {args.xlsx}")
    else:
        print(stock_markdown(view))
    return EXIT_OK


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    from report_rag.answer.digest import build_digest, digest_markdown
    from report_rag.store.library import Library

    with Library(settings) as library:
        digest = build_digest(library, _optional_generator(settings, not args.no_llm), since=args.since, sector=args.sector)
    if args.json:
        print_json(digest.to_json())
    else:
        print(digest_markdown(digest), end="")
    return EXIT_OK
