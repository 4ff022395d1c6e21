"""Stage 1: a PDF becomes cleaned pages, metadata and chunks with page spans."""

from report_rag.parse.chunking import ChunkingParams, chunk_pages
from report_rag.parse.clean import clean_pages
from report_rag.parse.discover import discover
from report_rag.parse.meta import detect_language, read_meta
from report_rag.parse.pdf import ParsedPdf, PdfParser, PypdfParser, looks_scanned

__all__ = ["ChunkingParams", "ParsedPdf", "PdfParser", "PypdfParser", "chunk_pages", "clean_pages", "detect_language", "discover", "looks_scanned", "read_meta"]
