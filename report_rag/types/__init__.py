"""The typed records every stage shares, in one place: `records` (reports, pages, chunks,
 passages, answers), `facts` (what extraction reads off a report, each value with its evidence) and `stocks` (one
 security across reports)."""

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
from report_rag.types.stocks import (
    CoverageEntry,
    ForecastPoint,
    ForecastSpread,
    Security,
    SourceRef,
    StockView,
)

__all__ = ["Analyst", "Answer", "Chunk", "Citation", "CoverageEntry", "Evidence", "FailedFile", "Field", "Forecast", "ForecastPoint", "ForecastSpread", "IngestSummary", "IngestedFile", "Page", "Passage", "Performance", "Price", "Rating", "RatingDefinition", "RelatedReport", "Report", "ReportFacts", "ReportMeta", "ReportStatus", "Risk", "SearchHit", "Security", "SourceRef", "StockView", "SkippedFile", "StockPick"]
