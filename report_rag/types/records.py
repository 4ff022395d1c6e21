"""Reports, pages, chunks, passages, citations, answers and ingest results.

Every chunk knows where it came from (report, page span, character offsets into the
cleaned page text), so a citation can always be traced back and highlighted.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class ReportStatus(enum.StrEnum):
    READY = "ready"  # parsed, chunked, embedded, searchable
    NO_TEXT = "no_text"  # no text layer (looks scanned); kept so it is not retried forever
    FAILED = "failed"  # could not be read; error says why


@dataclass(frozen=True, slots=True)
class Page:
    """One page's cleaned text. `number` is 1-based, as printed in a viewer."""

    number: int
    text: str


@dataclass(slots=True)
class Chunk:
    """A retrievable passage.

    `start_offset` indexes into the text of `page_start`, `end_offset` into the text of
    `page_end` (exclusive). For a single-page chunk the text equals
    ``page.text[start_offset:end_offset]`` (modulo the overlap prefix, which is real text too).
    """

    text: str
    page_start: int
    page_end: int
    start_offset: int
    end_offset: int
    ordinal: int = 0  # position within the report
    section: str = ""  # nearest heading above the chunk, if any
    is_boilerplate: bool = False  # disclaimers, rating definitions, certifications
    id: int | None = None  # assigned by the store; also the FAISS id
    report_id: int | None = None


@dataclass(slots=True)
class ReportMeta:
    """Metadata that is cheap to read off the text at ingest time."""

    title: str | None = None
    broker: str | None = None
    date: date | None = None
    language: str | None = None  # "zh" | "en"


@dataclass(slots=True)
class Report:
    id: int  # a Report is only ever read back from the store
    file_name: str
    path: str
    content_hash: str
    status: ReportStatus
    pages: int = 0
    chunks: int = 0
    error: str | None = None
    meta: ReportMeta = field(default_factory=ReportMeta)
    ingested_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    chunk_id: int
    report_id: int
    file_name: str
    page: int
    page_end: int
    score: float
    text: str
    title: str | None = None
    broker: str | None = None


@dataclass(frozen=True, slots=True)
class IngestedFile:
    report_id: int
    file: str
    pages: int
    chunks: int


@dataclass(frozen=True, slots=True)
class SkippedFile:
    file: str
    reason: str


@dataclass(frozen=True, slots=True)
class FailedFile:
    file: str
    error: str


@dataclass(slots=True)
class IngestSummary:
    ingested: list[IngestedFile] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    failed: list[FailedFile] = field(default_factory=list)
    # Wall seconds per stage (parse, chunk, embed, index, store, total), for benchmarks.
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "ingested": [
                {"report_id": i.report_id, "file": i.file, "pages": i.pages, "chunks": i.chunks}
                for i in self.ingested
            ],
            "skipped": [{"file": s.file, "reason": s.reason} for s in self.skipped],
            "failed": [{"file": f.file, "error": f.error} for f in self.failed],
        }


@dataclass(frozen=True, slots=True)
class Citation:
    """A checkable pointer: `quote` is exactly ``page_text[start:end]`` of that report page."""

    n: int  # the passage number shown to the model and the user
    report_id: int
    file: str
    title: str | None
    page: int
    quote: str
    start: int
    end: int
    chunk_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "report_id": self.report_id,
            "file": self.file,
            "title": self.title,
            "page": self.page,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Citation:
        return cls(n=int(data["n"]), report_id=int(data["report_id"]), file=str(data["file"]),
                   title=data.get("title"), page=int(data["page"]), quote=str(data["quote"]),
                   start=int(data.get("start", 0)), end=int(data.get("end", 0)))


@dataclass(slots=True)
class Answer:
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)  # answer sentences nothing supports
    model: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    language: str = "zh"

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "unsupported": list(self.unsupported),
            "model": self.model,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "language": self.language,
        }

    @classmethod
    def from_json(cls, question: str, data: dict[str, Any]) -> Answer:
        return cls(question=question, answer=str(data["answer"]), refused=bool(data["refused"]),
                   citations=[Citation.from_json(c) for c in data.get("citations", [])],
                   unsupported=list(data.get("unsupported", [])), model=str(data.get("model", "")),
                   timings={k: float(v) for k, v in data.get("timings", {}).items()},
                   language=str(data.get("language", "zh")))


@dataclass(frozen=True)
class Passage:
    chunk: Chunk
    report: Report
    score: float  # fused score; higher is better
    dense_rank: int | None = None
    lexical_rank: int | None = None

    def to_hit(self) -> SearchHit:
        assert self.chunk.id is not None  # a passage's chunk is read back from the store
        return SearchHit(
            chunk_id=self.chunk.id,
            report_id=self.report.id,
            file_name=self.report.file_name,
            page=self.chunk.page_start,
            page_end=self.chunk.page_end,
            score=self.score,
            text=self.chunk.text,
            title=self.report.meta.title,
            broker=self.report.meta.broker,
        )
