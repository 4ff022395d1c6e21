"""The typed records every stage shares, in one place: `records` (reports, pages, chunks,
 passages, answers) and `facts` (what extraction reads off a report, each value with its evidence)."""

from report_rag.types.facts import (
    Analyst,
    Evidence,
    Field,
    Forecast,
    Performance,
    Price,
    Rating,
    RatingDefinition,
    RelatedReport,
    ReportFacts,
    Risk,
    StockPick,
)
from report_rag.types.records import (
    Answer,
    Chunk,
    Citation,
    FailedFile,
    IngestedFile,
    IngestSummary,
    Page,
    Passage,
    Report,
    ReportMeta,
    ReportStatus,
    SearchHit,
    SkippedFile,
)

__all__ = ["Analyst", "Answer", "Chunk", "Citation", "Evidence", "FailedFile", "Field", "Forecast", "IngestSummary", "IngestedFile", "Page", "Passage", "Performance", "Price", "Rating", "RatingDefinition", "RelatedReport", "Report", "ReportFacts", "ReportMeta", "ReportStatus", "Risk", "SearchHit", "SkippedFile", "StockPick"]
