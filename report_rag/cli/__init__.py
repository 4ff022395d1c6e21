"""The `report-rag` command line: parse arguments, call one library function, print its result."""

from report_rag.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
