"""Cross-report digest: rating changes, most-recommended stocks, consensus and
disagreement. The tables come from the extracted facts; the prose is drafted by the model
from those facts' evidence and checked sentence by sentence like any answer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from report_rag.answer.fact_answers import evidence_passage
from report_rag.answer.qa import answer_from_passages, final_answer
from report_rag.extract.ratings import is_unrated, normalize_rating, term_of
from report_rag.store.facts_queries import PickRecord, RatingRecord, query_picks, query_ratings
from report_rag.store.securities import SecurityDirectory, build_directory, security_views
from report_rag.text import name_key
from report_rag.types import Answer, Evidence, Passage, Report
from report_rag.types.stocks import CoverageEntry, Security

if TYPE_CHECKING:
    from report_rag.llm.base import Generator
    from report_rag.store.library import Library

DIGEST_REQUEST = (
    "请根据资料写一段简短的跨报告综述（3到6句）：哪些评级发生了变化、哪些股票被最多券商推荐、"
    "各券商观点一致与分歧之处。"
)


@dataclass
class StockConsensus:
    stock: str
    code: str | None
    mentions: int  # reports recommending it
    brokers: list[str]
    ratings: dict[str, str]  # broker -> the stock's (or report's) normalised rating

    @property
    def disagreement(self) -> bool:
        return len(set(self.ratings.values())) > 1


@dataclass
class Digest:
    since: date | None
    sector: str | None
    rating_changes: list[RatingRecord] = field(default_factory=list)
    # Changes per joined security (two notes on one stock under two names are one stock):
    # printed actions and moves between a broker's notes in the library, newest first.
    security_changes: list[tuple[Security, CoverageEntry]] = field(default_factory=list)
    most_recommended: list[StockConsensus] = field(default_factory=list)
    ratings: list[RatingRecord] = field(default_factory=list)
    brief: Answer | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "sector": self.sector,
            "rating_changes": [
                {"report_id": r.report_id, "file": r.file, "broker": r.broker, "date": _iso(r.date),
                 "company": r.company, "sector": r.sector, "rating": r.raw, "action": r.action,
                 "previous": r.previous, "evidence": {"page": r.evidence.page, "quote": r.evidence.quote}}
                for r in self.rating_changes
            ],
            "security_changes": [
                {"security": security.label, "codes": list(security.codes), **entry.to_row()}
                for security, entry in self.security_changes
            ],
            "most_recommended": [
                {"stock": s.stock, "code": s.code, "reports": s.mentions, "brokers": s.brokers,
                 "ratings": s.ratings, "disagreement": s.disagreement}
                for s in self.most_recommended
            ],
            "summary": "" if self.brief is None or self.brief.refused else self.brief.answer,
            "citations": [] if self.brief is None else [c.to_json() for c in self.brief.citations],
            "unsupported": [] if self.brief is None else self.brief.unsupported,
        }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _is_change(record: RatingRecord) -> bool:
    return record.action in {"upgrade", "downgrade", "initiate"} or (
        record.previous is not None and record.previous != record.raw
    )


def consensus(picks: list[PickRecord], directory: SecurityDirectory | None = None) -> list[StockConsensus]:
    """Picks grouped by stock — by the joined security where a directory is given, so one
    stock under two names or codes (腾讯控股 / 0700.HK / 700 HK) counts once."""
    grouped: dict[str, list[PickRecord]] = defaultdict(list)
    for pick in picks:
        security = directory.of(pick.stock, pick.code) if directory is not None else None
        grouped[security.key if security else pick.code or name_key(pick.stock)].append(pick)
    out = []
    for rows in grouped.values():
        brokers = list(dict.fromkeys(r.broker or "?" for r in rows))
        ratings = {}
        for r in rows:
            # The stock's own rating where printed (normalised, so 买入 and Buy agree),
            # else the report's, which an industry note extends to its picks.
            rating = normalize_rating(term_of(r.stock_rating) or r.stock_rating) if r.stock_rating else None
            if is_unrated(r.stock_rating):
                continue  # listed as unrated (a consensus row): the note's own rating is not its
            rating = rating or r.report_rating_normalized
            if rating:
                ratings[r.broker or "?"] = rating
        code = next((r.code for r in rows if r.code), None)
        out.append(StockConsensus(rows[0].stock, code, len({r.report_id for r in rows}), brokers, ratings))
    out.sort(key=lambda s: (-s.mentions, -len(s.brokers), s.stock))
    return out


def security_changes(
    library: Library, *, since: date | None = None, allowed: set[int] | None = None,
    directory: SecurityDirectory | None = None,
) -> list[tuple[Security, CoverageEntry]]:
    """Every rating change the library shows per security (see `Digest.security_changes`)."""
    changes = [
        (view.security, entry)
        for view in security_views(library.store, directory)
        for entry in view.history
        if entry.changed and (since is None or (entry.date is not None and entry.date >= since))
        and (allowed is None or entry.report_id in allowed)
    ]
    changes.sort(key=lambda item: (item[1].date or date.min, item[1].report_id), reverse=True)
    return changes


def _evidence_passages(library: Library, digest: Digest, picks: list[PickRecord]) -> list[Passage]:
    """One passage per report, made of the evidence quotes the digest tables rest on."""
    from report_rag.store.facts_tables import load_facts

    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for record in digest.rating_changes + digest.ratings:
        if record.report_id not in evidence:  # who is rated, and by whom: once per report
            facts = load_facts(library.store, record.report_id)
            for named in (facts.company, facts.broker) if facts else ():
                if named is not None:
                    evidence[record.report_id].append(named.evidence)
        evidence[record.report_id].append(record.evidence)
    for pick in picks:
        evidence[pick.report_id].append(pick.evidence)
    reports: dict[int, Report] = library.store.reports_by_ids(evidence)
    passages = [
        evidence_passage(reports[report_id], list(dict.fromkeys(items)))
        for report_id, items in evidence.items()
    ]
    return [p for p in passages if p is not None]


def build_digest(
    library: Library,
    generator: Generator | None,
    *,
    since: date | None = None,
    sector: str | None = None,
    top: int = 10,
) -> Digest:
    ratings = query_ratings(library.store, since=since, sector=sector)
    picks = query_picks(library.store, since=since)
    if sector:
        allowed = {r.report_id for r in ratings}
        picks = [p for p in picks if p.report_id in allowed]
    digest = Digest(since=since, sector=sector, ratings=[r for r in ratings if r.role == "headline"])
    digest.rating_changes = [r for r in ratings if _is_change(r)]
    directory = build_directory(library.store)
    digest.security_changes = security_changes(
        library, since=since, allowed={r.report_id for r in ratings} if sector else None, directory=directory)
    digest.most_recommended = consensus(picks, directory)[:top]
    if generator is not None and (digest.ratings or picks):
        passages = _evidence_passages(library, digest, picks)
        digest.brief = final_answer(answer_from_passages(library, generator, DIGEST_REQUEST, passages, passage_tokens=0))
    return digest


def digest_markdown(digest: Digest) -> str:
    lines = ["# Research digest", ""]
    scope = [f"since {digest.since.isoformat()}" if digest.since else "", f"sector {digest.sector}" if digest.sector else ""]
    if any(scope):
        lines += [" · ".join(s for s in scope if s), ""]
    lines += ["## Rating changes", ""]
    if not digest.rating_changes:
        lines.append("None in these reports.")
    for r in digest.rating_changes:
        prior = f" (from {r.previous})" if r.previous else ""
        lines.append(f"- {_iso(r.date) or '?'} {r.broker or '?'} — {r.company or r.sector or r.file}: "
                     f"{r.raw}{prior} [{r.action or 'change'}] (p.{r.evidence.page})")
    lines += ["", "## Rating changes by stock", ""]
    if not digest.security_changes:
        lines.append("None in these reports.")
    for security, entry in digest.security_changes:
        move = entry.action if entry.action in {"upgrade", "downgrade", "initiate"} else entry.move
        prior = f" (from {entry.previous_rating})" if entry.previous_rating else ""
        page = entry.rating_evidence.page if entry.rating_evidence else "?"
        lines.append(f"- {_iso(entry.date) or '?'} {entry.broker or '?'} — {security.label}: "
                     f"{entry.rating}{prior} [{move}] ({entry.file} p.{page})")
    lines += ["", "## Most recommended stocks", "", "| stock | code | reports | brokers | ratings |", "|---|---|---|---|---|"]
    for s in digest.most_recommended:
        ratings = "; ".join(f"{b}: {r}" for b, r in s.ratings.items()) + (" ⚠ disagreement" if s.disagreement else "")
        lines.append(f"| {s.stock} | {s.code or ''} | {s.mentions} | {', '.join(s.brokers)} | {ratings} |")
    if digest.brief is not None and not digest.brief.refused:
        lines += ["", "## Summary", "", digest.brief.answer, ""]
        lines += [f"[{c.n}] {c.file} p.{c.page}: “{c.quote}”" for c in digest.brief.citations]
    return "\n".join(lines) + "\n"
