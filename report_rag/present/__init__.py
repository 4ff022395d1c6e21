"""Stage 9: results as people read them: page images with the quote marked, CSV/XLSX, a stock's view as tables."""

from report_rag.present.export import csv_bytes, write_csv, write_xlsx, xlsx_book_bytes, xlsx_bytes
from report_rag.present.render import PageRenderError, RenderedPage, render_citation, render_page, render_report_page
from report_rag.present.stock import stock_markdown, stock_tables, stock_xlsx_bytes

__all__ = ["PageRenderError", "RenderedPage", "csv_bytes", "render_citation", "render_page", "render_report_page", "stock_markdown", "stock_tables", "stock_xlsx_bytes", "write_csv", "write_xlsx", "xlsx_book_bytes", "xlsx_bytes"]
