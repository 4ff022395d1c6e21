"""`report-rag` command line: parse arguments, call one library function, render the result.

Domain errors become one-line messages here, and nowhere else.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from report_rag.cli.facts import cmd_digest, cmd_picks, cmd_stock, cmd_summarize
from report_rag.cli.ingest import add_ingest_arguments, cmd_ingest
from report_rag.cli.output import EXIT_FAILED, EXIT_OK, EXIT_USAGE, print_json
from report_rag.cli.servers import cmd_app, cmd_serve
from report_rag.errors import ReportRagError
from report_rag.settings import Settings

if TYPE_CHECKING:
    from datetime import date

    from report_rag.types import Answer



def common_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: the options are accepted before and after the command name, and the
    # subcommand's unset copy must not overwrite a value given before it.
    parent.add_argument(
        "--home", type=Path, default=argparse.SUPPRESS,
        help="data directory (default: $REPORT_RAG_HOME or ~/.report_rag)",
    )
    parent.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log progress details")
    return parent


def load_settings(args: argparse.Namespace) -> Settings:
    overrides = {"home": args.home} if getattr(args, "home", None) else {}
    return Settings(**overrides)




# -- commands -------------------------------------------------------------------------------
def cmd_reports(args: argparse.Namespace, settings: Settings) -> int:
    from report_rag.store.library import Library

    with Library(settings) as library:
        reports = library.reports()
    rows: list[dict[str, Any]] = [
        {
            "report_id": r.id,
            "file": r.file_name,
            "title": r.meta.title,
            "broker": r.meta.broker,
            "date": r.meta.date.isoformat() if r.meta.date else None,
            "pages": r.pages,
            "chunks": r.chunks,
            "status": r.status.value,
        }
        for r in reports
    ]
    if args.json:
        print_json(rows)
        return EXIT_OK
    if not rows:
        print(f"The library at {settings.home} is empty. Add reports with: report-rag ingest PATH")
        return EXIT_OK
    print(f"{'id':>4}  {'date':10}  {'broker':10}  {'pages':>5}  {'chunks':>6}  {'status':8}  title / file")
    for row, report in zip(rows, reports):
        label = row["title"] or row["file"]
        if report.error:
            label += f"  [{report.error}]"
        print(
            f"{row['report_id']:>4}  {row['date'] or '-':10}  {(row['broker'] or '-')[:10]:10}  "
            f"{row['pages']:>5}  {row['chunks']:>6}  {row['status']:8}  {label}"
        )
    return EXIT_OK


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from report_rag.retrieval import search
    from report_rag.store.library import Library

    with Library(settings) as library:
        hits = search(library, args.query, k=args.k, include_boilerplate=args.include_boilerplate or None)
    rows = [
        {
            "report_id": h.report_id,
            "file": h.file_name,
            "page": h.page,
            "score": round(h.score, 4),
            "text": h.text,
        }
        for h in hits
    ]
    if args.json:
        print_json(rows)
        return EXIT_OK
    if not rows:
        print("No matching passages.")
    for rank, hit in enumerate(hits, 1):
        where = f"p.{hit.page}" if hit.page == hit.page_end else f"pp.{hit.page}-{hit.page_end}"
        print(f"[{rank}] {hit.score:.3f}  {hit.file_name} {where}  {hit.title or ''}")
        print("    " + hit.text.replace("\n", " ")[:300])
    return EXIT_OK


def _parse_date(value: str) -> date:
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _render_citations(answer: Answer) -> None:
    if answer.citations:
        print("\nSources:")
    for c in answer.citations:
        quote = c.quote.replace("\n", " ")
        print(f"  [{c.n}] {c.file} p.{c.page}  {c.title or ''}\n      “{quote[:200]}”")
    for sentence in answer.unsupported:
        print(f"  ! unsupported: {sentence}")


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from report_rag.answer.qa import EvidenceFound, Final, Token

    streaming = not args.json and sys.stdout.isatty()
    answer = None
    for event in _answer_events(args, settings):
        if isinstance(event, EvidenceFound) and streaming and event.citations:
            # At once, while the model reads: the best passages' key sentences.
            print("Evidence:")
            for citation in event.citations:
                print(f"  [{citation.n}] {citation.file} p.{citation.page}: \u201c{citation.quote}\u201d")
            print(flush=True)
        elif isinstance(event, Token) and streaming:
            print(event.text, end="", flush=True)
        elif isinstance(event, Final):
            answer = event.answer
    assert answer is not None, "an answer stream always ends with Final"
    if args.json:
        print_json(answer.to_json())
        return EXIT_OK
    if streaming:
        print()
        if answer.refused:
            print(f"=> {answer.answer}")
    else:
        print(answer.answer)
    _render_citations(answer)
    return EXIT_OK


def _answer_events(args: argparse.Namespace, settings: Settings) -> Iterator[object]:
    """The answer's events from this library's running server, whose models are warm, or —
    with none up, or `--local` — from models loaded in this process."""
    from report_rag.answer.qa import ask_stream
    from report_rag.api.discovery import running_server
    from report_rag.retrieval.retriever import Filters
    from report_rag.store.library import Library

    with Library(settings) as library:
        report_ids = (library.resolve_report(args.report).id,) if args.report else None
        url = None if args.local else running_server(settings.home, settings.api.client_key)
        if url is None:
            filters = Filters(report_ids=report_ids, broker=args.broker, since=args.since, until=args.until)
            from report_rag.llm import create_generator

            yield from ask_stream(library, create_generator(settings), args.question, filters=filters, k=args.k)
            return
    from report_rag.api.client import ask_remote

    yield from ask_remote(url, args.question, report_ids=report_ids, broker=args.broker, since=args.since,
                          until=args.until, k=args.k, api_key=settings.api.client_key)


def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    from report_rag.embed.base import describe_embedder
    from report_rag.llm import describe_configured
    from report_rag.parse.ocr import available_recognizer
    from report_rag.store.vectors import gpu_available

    ocr = available_recognizer(settings.ingest.ocr)
    info = {
        "generator": describe_configured(settings),
        "embedder": describe_embedder(settings),
        "ocr": {
            "setting": settings.ingest.ocr,
            "backend": ocr or ("off" if settings.ingest.ocr == "off" else "none (pip install 'report-rag[ocr]')"),
        },
        "index": {"device": "gpu" if settings.index.device != "cpu" and gpu_available() else "cpu"},
        "database": settings.public_database_url(),
        "home": str(settings.home),
    }
    if args.json:
        print_json(info)
        return EXIT_OK
    for section, values in info.items():
        if isinstance(values, dict):
            print(f"{section}:")
            for key, value in values.items():
                print(f"  {key}: {value}")
        else:
            print(f"{section}: {values}")
    return EXIT_OK


def cmd_reextract(args: argparse.Namespace, settings: Settings) -> int:
    from report_rag.pipeline.reextract import reextract_library
    from report_rag.store.library import Library

    with Library(settings) as library:
        done = reextract_library(library, only_stale=args.stale)
    print(f"Extracted facts from {done.extracted} of {done.reports} reports "
          f"({done.skipped} up to date, {len(done.failed)} failed) in {done.seconds:.1f} s.")
    for report_id, error in done.failed:
        print(f"  report {report_id}: {error}", file=sys.stderr)
    return EXIT_FAILED if done.failed else EXIT_OK


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from report_rag.store.library import Library

    with Library(settings) as library:
        done = library.reindex(progress=lambda i, n: print(f"\r{i}/{n} reports", end="", file=sys.stderr))
    print(file=sys.stderr)
    print(f"Re-embedded {done.chunks} chunks of {done.reports} reports in {done.seconds:.1f} s.")
    return EXIT_OK


def cmd_delete(args: argparse.Namespace, settings: Settings) -> int:
    from report_rag.store.library import Library

    with Library(settings) as library:
        report = library.delete_report(library.resolve_report(args.report).id)
    print(f"Deleted report {report.id} ({report.file_name}).")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parent = common_options()
    parser = argparse.ArgumentParser(
        prog="report-rag", description="Cited research over brokerage report PDFs.", parents=[parent]
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", parents=[parent], help="add PDFs (files, folders, globs) to the library")
    add_ingest_arguments(p)
    p.set_defaults(handler=cmd_ingest)

    p = sub.add_parser("reports", parents=[parent], help="list the reports in the library")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_reports)

    p = sub.add_parser("search", parents=[parent], help="find passages (no LLM)")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    p.add_argument("--include-boilerplate", action="store_true", help="also search disclaimers etc.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("ask", parents=[parent], help="answer a question with cited passages")
    p.add_argument("question")
    p.add_argument("--report", help="only this report (id or file name)")
    p.add_argument("--broker", help="only reports from this broker")
    p.add_argument("--since", type=_parse_date, help="only reports dated on/after YYYY-MM-DD")
    p.add_argument("--until", type=_parse_date, help="only reports dated on/before YYYY-MM-DD")
    p.add_argument("-k", type=int, default=6, help="passages to give the model (default 6)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--local", action="store_true",
                   help="load the models in this process even when this library's `serve` is running")
    p.set_defaults(handler=cmd_ask)

    p = sub.add_parser("models", parents=[parent], help="show configured models, presence and device")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_models)

    p = sub.add_parser("summarize", parents=[parent], help="facts and a cited brief for one report")
    p.add_argument("report", help="report id or file name")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--markdown", action="store_true", help="print Markdown (the default)")
    p.add_argument("--no-llm", action="store_true", help="facts only: skip the model-drafted brief")
    p.set_defaults(handler=cmd_summarize)

    p = sub.add_parser("picks", parents=[parent], help="recommended stocks across reports")
    p.add_argument("--stock", help="name (suffix-insensitive) or code")
    p.add_argument("--broker")
    p.add_argument("--since", type=_parse_date, help="reports dated on/after YYYY-MM-DD")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--csv", action="store_true", help="CSV on stdout")
    out.add_argument("--xlsx", metavar="FILE", help="write an Excel workbook")
    p.set_defaults(handler=cmd_picks)

    p = sub.add_parser("stock", parents=[parent], help="one stock across brokers: ratings, targets, forecasts")
    p.add_argument("query", help="a code (600519.SH, 0700.HK, 700 HK) or a name (贵州茅台, Tencent)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--csv", action="store_true", help="CSV on stdout (the table --table names)")
    out.add_argument("--xlsx", metavar="FILE", help="write an Excel workbook, one sheet per table")
    p.add_argument("--table", choices=["latest", "history", "forecasts", "spreads"], default="latest",
                   help="the table --csv writes (default: latest)")
    p.set_defaults(handler=cmd_stock)

    p = sub.add_parser("digest", parents=[parent], help="rating changes, top picks, consensus, with a cited summary")
    p.add_argument("--since", type=_parse_date)
    p.add_argument("--sector")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--markdown", action="store_true", help="print Markdown (the default)")
    p.add_argument("--no-llm", action="store_true", help="tables only: skip the model-drafted summary")
    p.set_defaults(handler=cmd_digest)

    p = sub.add_parser("reextract", parents=[parent], help="re-run fact extraction on stored reports")
    p.add_argument("--stale", action="store_true", help="only reports extracted by older rules")
    p.set_defaults(handler=cmd_reextract)

    p = sub.add_parser("reindex", parents=[parent], help="re-embed all chunks with the configured embedder")
    p.set_defaults(handler=cmd_reindex)

    p = sub.add_parser("app", parents=[parent], help="start the web UI")
    p.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.set_defaults(handler=cmd_app)

    p = sub.add_parser("serve", parents=[parent], help="start the HTTP API (OpenAPI docs at /docs)")
    p.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--workers", type=int, default=1,
                   help="server processes (default 1); they share the library and follow each other's writes")
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("delete", parents=[parent], help="remove a report (id or file name)")
    p.add_argument("report")
    p.set_defaults(handler=cmd_delete)
    return parser


def run(argv: list[str] | None, parser: argparse.ArgumentParser) -> int:
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    try:
        settings = load_settings(args)
    except Exception as exc:  # pydantic ValidationError: bad REPORT_RAG_* values
        print(f"report-rag: invalid settings: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args, settings)
    except ReportRagError as exc:
        print(f"report-rag: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("report-rag: interrupted", file=sys.stderr)
        return 130


def main(argv: list[str] | None = None) -> int:
    import signal

    # `report-rag picks | head` should stop quietly, not with a traceback.
    if hasattr(signal, "SIGPIPE") and argv is None:
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    return run(argv, build_parser())


if __name__ == "__main__":
    sys.exit(main())
