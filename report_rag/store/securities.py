"""Securities as entities across reports, and the stock view built on them.

Join rules (each has a test in tests/test_securities.py):

* A code joins every printing of itself: 300750 / 300750 CH / 300750.SZ; 700 HK / 00700.HK;
  NVDA.O / NVDA US (one listing key per listing).
* A name printed with a code joins that code; the same name printed with codes in different
  markets joins them as share classes of one company (比亚迪 002594.SZ and 1211.HK).
* A name printed with two different codes of one market is ambiguous: it joins nothing, and
  a mention of it without a code stays on its own, marked as such — never merged by guess.
* A name printed without a code joins the security its name belongs to, or stands alone.
  Names compare without share-class suffixes (快手-W = 快手) or legal-form words (NVIDIA
  Corp = NVIDIA Corporation; 某某股份有限公司 = 某某): nothing looser.

Mentions come from the stored facts: a company note's company and ticker, industry notes'
stock lists (name, code, rating), and covered-companies forecast rows.
"""

from __future__ import annotations

import re
import statistics
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from report_rag.errors import StockNotFoundError
from report_rag.extract.ratings import normalize_rating, rating_move, term_of
from report_rag.store.facts_tables import load_facts
from report_rag.store.sql import Store
from report_rag.text import US_SUFFIXES, canonical_code, name_key
from report_rag.types import Evidence, ReportFacts, ReportStatus
from report_rag.types.stocks import (
    CoverageEntry,
    ForecastPoint,
    ForecastSpread,
    Security,
    SourceRef,
    StockView,
)

FORECAST_METRICS = ("eps", "net_profit", "revenue")
_US_DOT = re.compile(rf"^([A-Z][A-Z0-9]{{0,5}})\.(?:{'|'.join(US_SUFFIXES)})$")


_LEGAL_FORM = re.compile(
    r"(?:[,\s]+(?:inc|incorporated|corp|corporation|co|company|ltd|limited|plc|sa|ag|nv|n\.v|se|llc|lp)\.?)+$"
    r"|(?:集团)?股份有限公司$|有限公司$",
    re.I,
)


def join_key(name: str) -> str:
    """How two printings of one company's name compare when joining reports."""
    stripped = _LEGAL_FORM.sub("", " ".join(name.split()).strip(" ,"))
    return name_key(stripped or name)


def listing_key(code: str) -> str:
    """One key per listing: canonical codes, and US tickers in one form (NVDA.O = NVDA US)."""
    code = canonical_code(code)
    us = _US_DOT.match(code)
    return f"{us.group(1)} US" if us else code


def market_of(listing: str) -> str:
    """The market a listing trades in; two listings of one name in one market conflict."""
    if listing.endswith((".SH", ".SZ", ".BJ")):
        return "CN-A"
    if " " in listing:
        return listing.rsplit(" ", 1)[1]
    if "." in listing:
        return listing.rsplit(".", 1)[1]
    return "?"


@dataclass(frozen=True)
class Mention:
    """A stock named in a report, as printed."""

    report_id: int
    name: str | None
    code: str | None


class SecurityDirectory:
    """Mentions joined into securities by the rules above."""

    def __init__(self, mentions: Iterable[Mention]) -> None:
        self.mentions = [m for m in mentions if (m.name and join_key(m.name)) or m.code]
        self._parent: dict[str, str] = {}
        name_listings: dict[str, set[str]] = defaultdict(set)
        for m in self.mentions:
            if m.name and m.code:
                name_listings[join_key(m.name)].add(listing_key(m.code))
        self.ambiguous = {
            key for key, listings in name_listings.items()
            if len({market_of(c) for c in listings}) < len(listings)
        }
        for m in self.mentions:
            node = self.node_of(m.name, m.code)
            self._find(node)
            if m.code and m.name and join_key(m.name) not in self.ambiguous:
                self._union(f"n:{join_key(m.name)}", f"c:{listing_key(m.code)}")
        groups: dict[str, list[Mention]] = defaultdict(list)
        for m in self.mentions:
            groups[self._find(self.node_of(m.name, m.code))].append(m)
        self._by_root: dict[str, Security] = {}
        for root, members in groups.items():
            self._by_root[root] = self._security(members)
        self.securities = sorted(self._by_root.values(), key=lambda s: (-len(s.reports), s.key))

    def node_of(self, name: str | None, code: str | None) -> str:
        """The graph node a printed (name, code) pair stands for."""
        if code:
            return f"c:{listing_key(code)}"
        key = join_key(name or "")
        return f"a:{key}" if key in self.ambiguous else f"n:{key}"

    def of(self, name: str | None, code: str | None) -> Security | None:
        node = self.node_of(name, code)
        if node not in self._parent:
            return None
        return self._by_root.get(self._find(node))

    def find(self, query: str) -> list[Security]:
        """Securities a user's query names: a code, a whole name, else a unique part of one."""
        text = " ".join(query.split())
        if not text:
            return []
        listing = listing_key(text.upper())
        by_code = [s for s in self.securities if listing in s.codes]
        if by_code:
            return by_code
        key = join_key(text)
        whole = [s for s in self.securities if any(join_key(n) == key for n in s.names)]
        if whole:
            return whole
        return [s for s in self.securities if any(key in join_key(n) for n in s.names)]

    def _security(self, members: list[Mention]) -> Security:
        names = Counter(m.name.strip() for m in members if m.name and m.name.strip())
        codes = sorted({listing_key(m.code) for m in members if m.code})
        # A bare symbol ("NVDA" in a headline) beside its qualified listing ("NVDA US") is that listing.
        codes = [c for c in codes if not (re.fullmatch(r"[A-Z]{1,5}", c) and any(q.split(" ")[0] == c for q in codes if q != c))]
        ordered_names = tuple(n for n, _ in sorted(names.items(), key=lambda item: (-item[1], item[0])))
        key = codes[0] if codes else "name:" + join_key(ordered_names[0] if ordered_names else "?")
        ambiguous = tuple(n for n in ordered_names if join_key(n) in self.ambiguous)
        return Security(key=key, names=ordered_names, codes=tuple(codes),
                        reports=tuple(sorted({m.report_id for m in members})), ambiguous_names=ambiguous)

    def _find(self, node: str) -> str:
        parent = self._parent.setdefault(node, node)
        while parent != self._parent[parent]:
            self._parent[parent] = self._parent[self._parent[parent]]
            parent = self._parent[parent]
        self._parent[node] = parent
        return parent

    def _union(self, a: str, b: str) -> None:
        root_a, root_b = self._find(a), self._find(b)
        if root_a != root_b:
            self._parent[max(root_a, root_b)] = min(root_a, root_b)


@dataclass(frozen=True)
class _ReportFacts:
    report_id: int
    file: str
    broker: str | None
    date: date | None
    facts: ReportFacts


_FACTS_CACHE: dict[str, tuple[tuple[int, int], list[_ReportFacts]]] = {}
_FACTS_LOCK = threading.Lock()


def _library_facts(store: Store) -> list[_ReportFacts]:
    """Every READY report's facts, read once per library state (the change log's generation
    moves with every add, delete and re-extraction), so a stock page does not re-read them."""
    generation = store.generation()
    with _FACTS_LOCK:
        cached = _FACTS_CACHE.get(store.url)
    if cached is not None and cached[0] == generation:
        return cached[1]
    facts = _read_library_facts(store)
    with _FACTS_LOCK:
        _FACTS_CACHE[store.url] = (generation, facts)
    return facts


def _read_library_facts(store: Store) -> list[_ReportFacts]:
    out = []
    for report in store.list_reports():
        if report.status != ReportStatus.READY:
            continue
        facts = load_facts(store, report.id)
        if facts is None:
            continue
        broker = facts.broker.value if facts.broker else report.meta.broker
        when = facts.date.value if facts.date else report.meta.date
        out.append(_ReportFacts(report.id, report.file_name, broker, when, facts))
    return out


def mentions_of(report_id: int, facts: ReportFacts) -> list[Mention]:
    """The stocks one report names: its company (a company note), its stock list, the rows
    of its covered-companies tables."""
    found = []
    if facts.company or facts.ticker:
        found.append(Mention(report_id, facts.company.value if facts.company else None,
                             facts.ticker.value if facts.ticker else None))
    found.extend(Mention(report_id, pick.name, pick.code) for pick in facts.picks)
    found.extend(Mention(report_id, f.security, f.security_code) for f in facts.forecasts
                 if f.security or f.security_code)
    return found


def _mentions(item: _ReportFacts) -> list[Mention]:
    return mentions_of(item.report_id, item.facts)


def build_directory(store: Store) -> SecurityDirectory:
    return _directory(_library_facts(store))


def _directory(library: list[_ReportFacts]) -> SecurityDirectory:
    return SecurityDirectory(m for item in library for m in _mentions(item))


def stock_view(store: Store, query: str) -> StockView:
    """What every broker in the library says about the stock `query` names (a code or name).

    Raises StockNotFoundError when no security matches, or several do (naming them)."""
    library = _library_facts(store)
    directory = _directory(library)
    matches = directory.find(query)
    if not matches:
        raise StockNotFoundError(f"no stock in the library matches {query!r}")
    if len(matches) > 1:
        names = "; ".join(s.label for s in matches[:8])
        raise StockNotFoundError(f"{query!r} matches several stocks: {names}. Give a code or a full name.")
    security = matches[0]
    return _view(directory, security, [item for item in library if item.report_id in security.reports])


def view_named_in(store: Store, text: str) -> StockView | None:
    """The stock view of the one security `text` (a question, with its aliases) names by a
    printed name or a code — None when it names none, or several. Latin names and symbols
    count as whole words; a name's legal form is not needed (NVIDIA = NVIDIA Corp.)."""
    library = _library_facts(store)
    directory = _directory(library)
    named = [s for s in directory.securities if _names_security(text, s)]
    if len(named) != 1:
        return None
    security = named[0]
    return _view(directory, security, [item for item in library if item.report_id in security.reports])


def _names_security(text: str, security: Security) -> bool:
    lowered = text.lower()
    for name in security.names:
        core = _LEGAL_FORM.sub("", " ".join(name.split()).strip(" ,")).strip(" ,") or name
        if re.search(r"[A-Za-z]", core):
            if len(core) >= 3 and re.search(rf"(?<![A-Za-z0-9]){re.escape(core.lower())}(?![A-Za-z0-9])", lowered):
                return True
        elif len(core) >= 2 and core in text:
            return True
    for code in security.codes:
        root = code.split(" ")[0].split(".")[0]
        if len(root) >= 2 and re.search(rf"(?<![A-Za-z0-9]){re.escape(root)}(?![A-Za-z0-9])", text):
            return True
    return False


def _view(directory: SecurityDirectory, security: Security, items: list[_ReportFacts]) -> StockView:
    history: list[CoverageEntry] = []
    points: list[tuple[_ReportFacts, ForecastPoint]] = []
    for item in items:
        facts = item.facts
        is_subject = (facts.company or facts.ticker) and directory.of(
            facts.company.value if facts.company else None, facts.ticker.value if facts.ticker else None
        ) == security
        if is_subject:
            history.append(_company_entry(item))
        else:
            for pick in facts.picks:
                if directory.of(pick.name, pick.code) == security:
                    history.append(_list_entry(item, pick.rating, pick.evidence))
                    break
        seen: set[tuple[str, int]] = set()
        for cell in facts.forecasts:
            if cell.metric not in FORECAST_METRICS or not cell.estimate:
                continue
            covered = cell.security or cell.security_code
            if covered and directory.of(cell.security, cell.security_code) != security:
                continue
            if not covered and not is_subject:
                continue
            if (cell.metric, cell.year) in seen:  # the first row of a metric is the report's figure
                continue
            seen.add((cell.metric, cell.year))
            source = SourceRef(item.report_id, item.file, item.broker, item.date, cell.evidence)
            points.append((item, ForecastPoint(cell.metric, cell.year, cell.value, cell.unit, cell.label, source)))
    history.sort(key=lambda e: (e.date or date.min, e.report_id))
    history = _with_moves(history)
    latest_by_broker: dict[str, CoverageEntry] = {}
    for entry in history:  # oldest first: the last one per broker wins
        latest_by_broker[entry.broker or f"report {entry.report_id}"] = entry
    latest = sorted(latest_by_broker.values(), key=lambda e: (e.date or date.min, e.report_id), reverse=True)
    forecasts = _latest_forecasts(points)
    return StockView(security=security, latest=latest, history=history, forecasts=forecasts,
                     spreads=_spreads(forecasts))


def _with_moves(history: list[CoverageEntry]) -> list[CoverageEntry]:
    """Each entry against its broker's previous dated one: the rating then and the move. Only
    between dated notes of one named broker (an undated one has no place in the order)."""
    previous: dict[str, CoverageEntry] = {}
    out = []
    for entry in history:
        before = previous.get(entry.broker or "") if entry.broker and entry.date else None
        if before is not None and before.date and before.date < entry.date:  # type: ignore[operator]
            same_currency = before.currency == entry.currency
            entry = replace(
                entry, previous_rating=before.rating, move=rating_move(before.rating_normalized, entry.rating_normalized),
                previous_target=before.target if same_currency else None,
            )
        if entry.broker and entry.date and (entry.rating_normalized or entry.target is not None):
            previous[entry.broker] = entry
        out.append(entry)
    return out


def security_views(store: Store, directory: SecurityDirectory | None = None) -> list[StockView]:
    """A stock view of every security the library names (the digest's rating changes);
    `directory`: one the caller already built from this library."""
    library = _library_facts(store)
    directory = directory or _directory(library)
    by_id = {item.report_id: item for item in library}
    return [
        _view(directory, security, [by_id[r] for r in security.reports if r in by_id])
        for security in directory.securities
    ]


def _company_entry(item: _ReportFacts) -> CoverageEntry:
    facts = item.facts
    rating, target, price = facts.rating, facts.target_price, facts.current_price
    if target is not None and price is not None and target.currency and price.currency \
            and target.currency != price.currency:
        price = None  # an upside across currencies would be meaningless
    return CoverageEntry(
        report_id=item.report_id, file=item.file, broker=item.broker, date=item.date, kind="company",
        rating=rating.raw if rating else None, rating_normalized=rating.normalized if rating else None,
        action=rating.action if rating else None, target=target.value if target else None,
        currency=(target.currency if target else None) or (price.currency if price else None),
        price=price.value if price else None, rating_evidence=rating.evidence if rating else None,
        target_evidence=target.evidence if target else None, price_evidence=price.evidence if price else None,
    )


def _list_entry(item: _ReportFacts, rating: str | None, evidence: Evidence) -> CoverageEntry:
    normalized = normalize_rating(term_of(rating)) if rating else None
    return CoverageEntry(
        report_id=item.report_id, file=item.file, broker=item.broker, date=item.date, kind="list",
        rating=rating, rating_normalized=normalized, action=None, target=None, currency=None, price=None,
        rating_evidence=evidence, target_evidence=None, price_evidence=None,
    )


def _latest_forecasts(points: list[tuple[_ReportFacts, ForecastPoint]]) -> list[ForecastPoint]:
    """Each broker's figures from its newest report that has any."""
    newest: dict[str, tuple[date, int]] = {}
    for item, _ in points:
        broker = item.broker or f"report {item.report_id}"
        stamp = (item.date or date.min, item.report_id)
        newest[broker] = max(newest.get(broker, stamp), stamp)
    kept = [point for item, point in points
            if (item.date or date.min, item.report_id) == newest[item.broker or f"report {item.report_id}"]]
    return sorted(kept, key=lambda p: (FORECAST_METRICS.index(p.metric), p.year, p.source.broker or ""))


def _spreads(points: list[ForecastPoint]) -> list[ForecastSpread]:
    grouped: dict[tuple[str, int], list[ForecastPoint]] = defaultdict(list)
    for point in points:
        grouped[(point.metric, point.year)].append(point)
    spreads = []
    for (metric, year), group in grouped.items():
        unit = Counter(p.unit for p in group).most_common(1)[0][0]
        values = [p.value for p in group if p.unit == unit]  # never compare 元 with 百万元
        spreads.append(ForecastSpread(metric, year, unit, len(values), min(values), statistics.median(values),
                                      max(values)))
    return sorted(spreads, key=lambda s: (FORECAST_METRICS.index(s.metric), s.year))
