"""Hybrid retrieval: BM25 over CJK-aware tokens fused with dense FAISS results.

Reciprocal rank fusion (score = sum of 1/(60 + rank)) needs no score calibration between
the two rankers, which have incomparable scales. Filters (reports, broker, dates,
boilerplate) apply inside both rankers, so filtering never starves the result list.
Near-duplicate passages (the same paragraph in two reports, overlapping chunks) collapse to
the best-ranked one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from report_rag.retrieval.aliases import expand_query
from report_rag.retrieval.question import asks_for_definition, scope_question
from report_rag.store.library import Library
from report_rag.types import Passage, Report, SearchHit

RRF_K = 60
CANDIDATES = 50  # per ranker, before fusion


@dataclass(frozen=True)
class Filters:
    report_ids: tuple[int, ...] | None = None
    broker: str | None = None
    since: date | None = None
    until: date | None = None
    include_boilerplate: bool = False

    def is_report_filtered(self) -> bool:
        return bool(self.report_ids or self.broker or self.since or self.until)



@dataclass
class Retrieval:
    passages: list[Passage] = field(default_factory=list)
    scoped_to: tuple[int, ...] | None = None  # reports the question was narrowed to
    scope_reason: str = ""


def _filtered_report_ids(reports: list[Report], filters: Filters) -> tuple[int, ...] | None:
    if not filters.is_report_filtered():
        return None
    wanted = set(filters.report_ids) if filters.report_ids else None
    broker = filters.broker.lower() if filters.broker else None
    keep = []
    for r in reports:
        if wanted is not None and r.id not in wanted:
            continue
        if broker and broker not in (r.meta.broker or "").lower():
            continue
        if filters.since and (r.meta.date is None or r.meta.date < filters.since):
            continue
        if filters.until and (r.meta.date is None or r.meta.date > filters.until):
            continue
        keep.append(r.id)
    return tuple(keep)


_NORMALISE = re.compile(r"[\s\W_]+", re.UNICODE)


def _shingles(text: str) -> set[str]:
    flat = _NORMALISE.sub("", text.lower())
    return {flat[i : i + 4] for i in range(max(len(flat) - 3, 1))}


def _near_duplicate(a: set[str], b: set[str], threshold: float = 0.85) -> bool:
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= threshold


class Retriever:
    def __init__(self, library: Library) -> None:
        self.library = library

    def _rank(self, query: str, mask: np.ndarray, n: int, *, company_scoped: bool = False) -> tuple[list[int], list[int]]:
        """Dense and BM25 rankings (chunk ids, best first) among the rows `mask` allows.
        `company_scoped`: the reports are those about the company the question names, so its
        other names would only favour the chunks that repeat them (page 1's header, the
        related-reports list) over the ones that answer."""
        library = self.library
        catalog = library.catalog
        dense: list[int] = []
        index = library.index
        allowed_count = int(mask.sum())
        # Both rankers get the other-language names of the question's terms: BM25 cannot
        # cross scripts on its own, and the small embedder crosses them weakly.
        expanded = expand_query(query, with_companies=not company_scoped)
        if len(index) and allowed_count:
            vector = library.queries.encode_queries([expanded])
            if allowed_count < len(mask) // 2:
                # A narrow filter (some reports): exact search among those ids only.
                _, ids = index.search(vector, n, allowed=catalog.ids[mask])
                dense = [int(i) for i in ids[0] if i >= 0]
            else:
                # Only boilerplate (or little) excluded: search everything a bit deeper and
                # drop what the mask forbids; cheaper than an ID selector over most ids.
                # Deep enough at once that the allowed share of the results fills n (one
                # full scan, not two).
                depth = min(len(index), int(n * len(mask) / allowed_count * 1.3) + 8)
                while True:
                    _, ids = index.search(vector, depth)
                    found = ids[0][ids[0] >= 0]
                    keep = found[catalog.rows_allowed(found, mask)]
                    if len(keep) >= n or depth >= len(index):
                        break
                    depth = min(len(index), depth * 3)
                dense = [int(i) for i in keep[:n]]
        lexical = [cid for cid, _ in catalog.lexical.search(expanded, n, row_mask=mask)]
        return dense, lexical

    def retrieve(
        self, query: str, k: int = 8, filters: Filters = Filters(), *, use_question_scope: bool = True
    ) -> Retrieval:
        library = self.library
        reports = library.reports()
        by_id = {r.id: r for r in reports}
        report_ids = _filtered_report_ids(reports, filters)
        result = Retrieval()
        single = False
        if use_question_scope:
            candidates = reports if report_ids is None else [by_id[i] for i in report_ids]
            scope = scope_question(query, candidates, library.report_heads(), library.report_sectors())
            single = scope.single_report and not (report_ids is not None and len(report_ids) == 1)
            if scope.report_ids is not None:
                report_ids = scope.report_ids
                result.scoped_to, result.scope_reason = scope.report_ids, scope.reason
        if report_ids is not None and not report_ids:
            return result
        include_boilerplate = filters.include_boilerplate or (use_question_scope and asks_for_definition(query))
        mask = library.catalog.mask(report_ids, include_boilerplate)
        if not mask.any():
            return result
        company_scoped = "company/ticker named" in result.scope_reason
        dense, lexical = self._rank(query, mask, max(CANDIDATES, 4 * k), company_scoped=company_scoped)

        fused: dict[int, float] = {}
        for ranking in (dense, lexical):
            for rank, cid in enumerate(ranking):
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
        order = sorted(fused, key=lambda cid: -fused[cid])
        if single and order:
            # "该报告…" without a name: answer from the best-matching report only.
            owners = library.catalog.report_of(np.array(order))
            top_report = int(owners[0])
            order = [c for c, owner in zip(order, owners) if owner == top_report]
            result.scoped_to, result.scope_reason = (top_report,), "question refers to one report"

        chunks = library.chunks(order[: 4 * k])
        dense_pos = {cid: i for i, cid in enumerate(dense)}
        lexical_pos = {cid: i for i, cid in enumerate(lexical)}
        kept_shingles: list[set[str]] = []
        for cid in order:
            chunk = chunks.get(cid)
            if chunk is None:
                continue
            shingles = _shingles(chunk.text)
            if any(_near_duplicate(shingles, other) for other in kept_shingles):
                continue
            kept_shingles.append(shingles)
            assert chunk.report_id is not None  # read back from the store
            result.passages.append(
                Passage(chunk, by_id[chunk.report_id], fused[cid], dense_pos.get(cid), lexical_pos.get(cid))
            )
            if len(result.passages) >= k:
                break
        return result


def search(
    library: Library,
    query: str,
    k: int = 5,
    *,
    include_boilerplate: bool | None = None,
    report_ids: Sequence[int] | None = None,
) -> list[SearchHit]:
    """Plain hybrid passage search (no question scoping): what `report-rag search` shows.
    Boilerplate (disclaimers etc.) is left out unless asked for or the settings say so."""
    if include_boilerplate is None:
        include_boilerplate = library.settings.retrieval.include_boilerplate
    library.check_fingerprint()  # refuse before anything is answered
    filters = Filters(report_ids=tuple(report_ids) if report_ids else None, include_boilerplate=include_boilerplate)
    return [p.to_hit() for p in Retriever(library).retrieve(query, k, filters, use_question_scope=False).passages]
