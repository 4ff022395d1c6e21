"""Extraction into the store: the ingest hook and re-extraction of a whole library from its
stored pages (after the rules change), one transaction per report."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from report_rag.extract import RULES_VERSION, extract_facts
from report_rag.store.facts_tables import StoreOrSession, save_facts, stored_rules_versions
from report_rag.store.sql import Store
from report_rag.types import Page, ReportFacts, ReportMeta, ReportStatus

if TYPE_CHECKING:
    from report_rag.store.library import Library

log = logging.getLogger(__name__)


def extract_and_store(
    target: StoreOrSession, report_id: int, pages: list[Page], meta: ReportMeta | None = None
) -> ReportFacts:
    """Extract one report's facts from its cleaned pages and store them (replacing any)."""
    facts = extract_facts(pages, meta)
    save_facts(target, report_id, facts)
    return facts


@dataclass
class ReextractSummary:
    reports: int = 0  # READY reports considered
    extracted: int = 0
    skipped: int = 0  # up to date (only_stale=True)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (report id, error)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"reports": self.reports, "extracted": self.extracted, "skipped": self.skipped,
                "failed": [{"report_id": i, "error": e} for i, e in self.failed], "seconds": round(self.seconds, 3)}


def reextract_library(
    library_or_store: Library | Store, *, only_stale: bool = False, progress: Callable[[int, int], None] | None = None
) -> ReextractSummary:
    """Re-extract every READY report from its stored pages, one transaction per report.

    `only_stale` skips reports already extracted with the current RULES_VERSION. A report
    whose extraction fails is recorded in the summary and the rest go on.
    """
    store = cast(Store, getattr(library_or_store, "store", library_or_store))  # a Library or a Store
    started = time.perf_counter()
    summary = ReextractSummary()
    reports = [r for r in store.list_reports() if r.status == ReportStatus.READY]
    summary.reports = len(reports)
    current = stored_rules_versions(store) if only_stale else {}
    for done, report in enumerate(reports, start=1):
        if only_stale and current.get(report.id) == RULES_VERSION:
            summary.skipped += 1
        else:
            try:
                extract_and_store(store, report.id, store.pages(report.id), report.meta)
                store.record_change(report.id, "facts")  # other processes drop their caches
                summary.extracted += 1
            except Exception as exc:  # one report's failure must not stop the library
                log.exception("extracting report %s failed", report.id)
                summary.failed.append((report.id, f"{type(exc).__name__}: {exc}"))
        if progress is not None:
            progress(done, len(reports))
    summary.seconds = time.perf_counter() - started
    if hasattr(library_or_store, "forget_cached_reports"):
        library_or_store.forget_cached_reports()  # sectors may have changed
    return summary
