"""Stage 9: results as people read them: page images with the quote marked, CSV/XLSX."""

from report_rag.present.export import csv_bytes, write_csv, write_xlsx, xlsx_bytes
from report_rag.present.render import PageRenderError, RenderedPage, render_citation, render_page, render_report_page

__all__ = ["PageRenderError", "RenderedPage", "csv_bytes", "render_citation", "render_page", "render_report_page", "write_csv", "write_xlsx", "xlsx_bytes"]
