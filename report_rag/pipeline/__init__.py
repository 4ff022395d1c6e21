"""Stage 8: the stages run end to end: bulk ingest, browser uploads, re-extraction."""

from report_rag.pipeline.ingest import ingest_paths
from report_rag.pipeline.reextract import ReextractSummary, extract_and_store, reextract_library
from report_rag.pipeline.uploads import Upload, UploadResult, ingest_uploads

__all__ = ["ReextractSummary", "Upload", "UploadResult", "extract_and_store", "ingest_paths", "ingest_uploads", "reextract_library"]
