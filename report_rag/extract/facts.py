"""Extract a report's facts — rating, picks, analysts, prices, risks … — with evidence.

`extract_facts(pages, meta)` is pure and deterministic: the same cleaned pages give the
same facts. Rules only; each value comes with the page and the verbatim quote it was read
from, and a field the report does not print stays empty. The rules live one concept per
module (ratings, rating_scale, prices, picks, analysts, risks, related_reports, price_performance,
report_header); this module picks the report's headline rating and puts it together.

Which rating is the report's: a company note's is the company rating, an industry note's
the industry rating (a report is a company note when its header names a covered company
or its type says so). A rating printed after a label (投资评级 / 公司评级 / Rating:) wins
over one stated in prose (维持“买入”评级, "Reiterate Buy"); prose statements about the same
term supply the action (首次/维持/上调/下调) and previous rating when the label has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from report_rag.extract.analysts import find_analysts
from report_rag.extract.evidence import Document, TextLine, find_quote, locate, read_document, tidy
from report_rag.extract.forecasts import find_covered_forecasts, find_forecasts
from report_rag.extract.picks import find_picks
from report_rag.extract.price_performance import find_performance
from report_rag.extract.prices import find_prices
from report_rag.extract.rating_scale import attach_definition, read_rating_definitions
from report_rag.extract.ratings import (
    RatingText,
    find_prose_ratings,
    find_rating_labels,
    is_bare_label,
    is_stock_only,
    normalize_action,
    normalize_rating,
    read_rating_value,
    term_of,
)
from report_rag.extract.related_reports import find_related_reports, related_line_indices
from report_rag.extract.report_header import Header, header_lines, read_header
from report_rag.extract.risks import find_risks
from report_rag.parse.brokers import broker_named
from report_rag.parse.headings import CONTENT_HEADING_RE
from report_rag.parse.meta import read_meta
from report_rag.text import dates_in_line
from report_rag.types import Field, Page, Rating, ReportFacts, ReportMeta

_COMPANY_TYPE_RE = re.compile(r"公司|个股|company|initiat", re.IGNORECASE)
_PROSE_PAGES = 2  # a rating stated only in prose is read from the first pages

# Bump when extraction rules change in a way that changes stored facts, so
# `reextract_library(..., only_stale=True)` knows which reports to redo.
RULES_VERSION = 5  # 3: forecast tables; 投资建议 stock lists with reasons. 4: covered-companies tables. 5: company from running headers, labelled codes, a rated symbol, the chart legend


def extract_facts(pages: list[Page], meta: ReportMeta | None = None) -> ReportFacts:
    """The facts of one report, from its cleaned pages (see the module docstring)."""
    document = read_document(pages)
    meta = meta if meta is not None else read_meta(pages)
    facts = ReportFacts(rules_version=RULES_VERSION)
    if not document.lines:
        return facts
    facts.broker = _located_broker(document, meta.broker)
    facts.title = _located_title(document, meta.title)
    facts.date = _date_field(document, meta)
    header = read_header(document, meta.broker)
    facts.report_type, facts.sector = header.report_type, header.sector
    facts.company, facts.ticker = header.company, header.ticker
    related_lines = related_line_indices(document)
    facts.rating_definitions = read_rating_definitions(document)
    facts.rating, facts.industry_rating = _ratings(document, header, facts, related_lines)
    symbol = _symbol_of(header.ticker.value) if header.ticker is not None else None
    facts.target_price, facts.current_price = find_prices(document, symbol)
    facts.picks = find_picks(document, related_lines, one_company=facts.company is not None)
    facts.analysts = find_analysts(document)
    facts.risks = find_risks(document)
    facts.related_reports = find_related_reports(document)
    facts.performance = find_performance(document)
    facts.forecasts = find_forecasts(document) + find_covered_forecasts(document)
    _drop_single_stock_values_of_a_many_stock_note(facts)
    return facts


def _drop_single_stock_values_of_a_many_stock_note(facts: ReportFacts) -> None:
    """A sector note that picks several stocks has no target price of its own, and no stock
    rating for a headline: one pick's "Buy, PT $167" read as the report's would be wrong.
    Without a covered company, a price deep in the body is some stock's, not the report's."""
    if facts.company is not None:
        return
    for name in ("target_price", "current_price"):
        price = getattr(facts, name)
        if price is not None and price.evidence.page > 1:
            setattr(facts, name, None)
    if len(facts.picks) < 2:
        return
    facts.target_price = facts.current_price = None
    if facts.rating is not None and facts.rating.scope == "company":
        facts.rating = None


# --- broker, title, date: values from `meta`, evidence from the text ---------------------


def _located(document: Document, value: str | None) -> Field[str] | None:
    if not value:
        return None
    evidence = locate(document, value)
    return Field(value, evidence) if evidence is not None else None


def _located_broker(document: Document, name: str | None) -> Field[str] | None:
    """The broker's name, with evidence where the report prints it or any registry form of it
    (an English note prints "J.P. Morgan Securities LLC" for J.P. Morgan)."""
    if not name:
        return None
    known = broker_named(name)
    for printed in (name, *(known.printed_names() if known else ())):
        evidence = locate(document, printed)
        if evidence is not None:
            return Field(name, evidence)
    return None


def _located_title(document: Document, title: str | None) -> Field[str] | None:
    """The headline, with evidence for as much of it as the page prints in one piece: a
    headline wrapped around a sidebar is split in the text layer, and its first line still
    points the reader at it."""
    if not title:
        return None
    evidence = locate(document, title)
    for keep in range(len(title) - 1, 7, -1):
        if evidence is not None:
            break
        evidence = find_quote(document.pages, title[:keep], order=[1])
    return Field(title, evidence) if evidence is not None else None


def _date_field(document: Document, meta: ReportMeta) -> Field[date] | None:
    if meta.date is None:
        return None
    for line in document.lines:
        for start, end, found in dates_in_line(line.folded):
            if found == meta.date:
                return Field(meta.date, line.evidence(start, end))
    return None


# --- ratings ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    reading: RatingText  # offsets into line.folded
    line: TextLine
    scope: str | None  # what the label says, if anything
    labelled: bool
    previous: bool = False  # the value of a 原评级 / Previous rating label


def _candidates(document: Document, skip: set[int], note: Header) -> list[_Candidate]:
    lines = [line for line in document.content_lines() if line.index not in skip]
    header = {line.index for line in header_lines(document)}
    first_pages = [page.number for page in document.pages[:_PROSE_PAGES]]
    symbol = _symbol_of(note.ticker.value) if note.ticker is not None else None
    labelled: list[_Candidate] = []
    prose: list[_Candidate] = []
    for position, line in enumerate(lines):
        text = line.folded
        below = lines[position + 1] if position + 1 < len(lines) else None
        for label in find_rating_labels(text):
            reading = read_rating_value(text, label.end)
            target = line
            if reading is None and is_bare_label(text) and below is not None:
                target = below  # "投资评级" above "买入（维持）"
                reading = read_rating_value(target.folded, 0)
            if reading is not None:
                labelled.append(_Candidate(reading, target, label.scope, True, label.previous))
        on_first = line.page in first_pages[:1]
        if on_first and not find_rating_labels(text):
            boxed = _rating_box(line, below, in_header=line.index in header, company_note=note.company is not None)
            if boxed is not None:
                labelled.append(_Candidate(boxed, line, None, True))
        if on_first and below is not None:
            boxed = _boxed_rating(line, below)
            if boxed is not None:
                labelled.append(_Candidate(boxed, line, None, True))
        if symbol is not None and on_first:
            rated = _rated_symbol(text, symbol, below)
            if rated is not None:
                labelled.append(_Candidate(rated, line, "company", True))
        if line.page in first_pages:
            prose.extend(_Candidate(r, line, None, False) for r in find_prose_ratings(text))
            if symbol is not None:
                prose.extend(_Candidate(r, line, "company", False) for r in _symbol_prose_ratings(text, symbol))
    return labelled + prose


def _symbol_of(ticker: str) -> str | None:
    """The bare symbol a note's prose rates by: "NVDA" of NVDA US / NVDA.O; none for numeric codes."""
    found = re.match(r"^([A-Z]{2,5})(?:[ .][A-Z]{1,2})?$", ticker)
    return found.group(1) if found else None


# Sector views some brokers print instead of a stock rating: alone on a line they are no box.
_VIEW_TERMS = frozenset({"attractive", "positive", "cautious", "negative", "看好", "看淡"})
_BARE_ACTION_RE = re.compile(
    r"^[(（]?\s*(?P<action>首次覆盖|首次评级|首次|维持|重申|上调|下调|调高|调低|unchanged|maintain\w*|reiterat\w*|"
    r"initiat\w*|upgrad\w*|downgrad\w*)(?:评级)?\s*[)）]?$",
    re.IGNORECASE,
)


def _action_below(below: TextLine | None, line: TextLine) -> str | None:
    """An action alone on the next line of the box: "维持", "(Maintain)", "Unchanged"."""
    if below is None or below.page != line.page:
        return None
    found = _BARE_ACTION_RE.match(below.folded.strip())
    return normalize_action(found.group("action")) if found else None


def _rating_box(line: TextLine, below: TextLine | None, *, in_header: bool, company_note: bool) -> RatingText | None:
    """Page 1's rating box printed without a label: a line that is only the rating —
    "增持（维持）" anywhere on page 1 (after a 相关研究 list too); "看好 /" above "维持"; a rating
    glued to the summary's heading ("强于大市 投资要点："); in a company note's header, a
    stock rating alone ("Overweight" under the headline)."""
    text = line.folded
    reading = read_rating_value(text, 0)
    if reading is None:
        return None
    rest = text[reading.end :].strip()
    if not rest:
        if reading.action or reading.grade:
            return reading
        action = _action_below(below, line)
        if action is not None:
            return replace(reading, action=action)
        if in_header and company_note and reading.term.lower() not in _VIEW_TERMS:
            return reading
        return None
    if rest in ("/", "／"):
        action = _action_below(below, line)
        return replace(reading, action=action) if action is not None else None
    if CONTENT_HEADING_RE.match(rest.rstrip(":： ")) and len(rest) <= 12:
        return reading
    return None


def _rated_symbol(text: str, symbol: str, below: TextLine | None) -> RatingText | None:
    """A sidebar's "NVDA OVERWEIGHT" (over "Unchanged"): the note's own symbol and its rating."""
    stripped = text.strip()
    if not stripped.startswith(symbol + " "):
        return None
    at = text.find(symbol) + len(symbol)
    reading = read_rating_value(text, at)
    if reading is None or text[reading.end :].strip():
        return None
    if reading.action is None and below is not None and (action := _action_below(below, below)) is not None:
        reading = replace(reading, action=action)
    return reading


def _symbol_prose_ratings(text: str, symbol: str) -> list[RatingText]:
    """"We rate NVDA Outperform ($185 PT)", "NVDA (Outperform, $185)": the note's own symbol
    rated in prose — a peer rated in the same sentence is not."""
    found: list[RatingText] = []
    for pattern in (rf"\brate\s+{symbol}\s+", rf"\b{symbol}\s*\(\s*"):
        for match in re.finditer(pattern, text):
            reading = read_rating_value(text, match.end())
            if reading is not None and reading.term[0].isupper():
                found.append(reading)
    return found


_BOXED_ACTION_RE = re.compile(r"^[(（]\s*([A-Za-z\u4e00-\u9fff ]{2,12})\s*[)）]$")


def _boxed_rating(line: TextLine, below: TextLine) -> RatingText | None:
    """A rating box set on two lines: "Overweight" above "(Maintain)"."""
    term = term_of(line.folded)
    found = _BOXED_ACTION_RE.match(below.folded.strip())
    if term is None or found is None or below.page != line.page:
        return None
    action = normalize_action(found.group(1).strip())
    if action is None:
        return None
    start = line.folded.index(term.split("-")[0]) if term.split("-")[0] in line.folded else 0
    return RatingText(term=term, start=start, end=len(line.folded.rstrip()), action=action)


def _ratings(
    document: Document, header: Header, facts: ReportFacts, skip: set[int]
) -> tuple[Rating | None, Rating | None]:
    candidates = _candidates(document, skip, header)
    current = [c for c in candidates if not c.previous]
    kind = "company" if _is_company_note(header) else "industry"
    if kind == "industry":
        # Past page 1, an industry note's rating words belong to the stocks it discusses
        # ("Salesforce.com OUTPERFORM $196.38"); only one labelled as the industry's counts.
        first = document.pages[0].number
        current = [c for c in current if c.line.page == first or c.scope == "industry"]
    labelled = [c for c in current if c.labelled]
    primary = next((c for c in labelled if c.scope == kind), None) or next((c for c in labelled if c.scope is None), None)
    if primary is None and kind == "industry":
        # Only a 公司评级: a company note whose header named no company we could read.
        primary = next((c for c in labelled if c.scope == "company"), None)
    if primary is None and not labelled:
        primary = next((c for c in current if not c.labelled), None)  # stated in prose only
    rating = None
    if primary is not None:
        scope = primary.scope or ("company" if is_stock_only(primary.reading.term) else kind)
        rating = _rating(primary, scope, candidates, facts, headline=True)
    industry = None
    if kind == "company":
        second = next((c for c in labelled if c.scope == "industry"), None)
        industry = _rating(second, "industry", candidates, facts, headline=False) if second is not None else None
    return rating, industry


def _is_company_note(header: Header) -> bool:
    if header.company is not None:
        return True
    return header.report_type is not None and _COMPANY_TYPE_RE.search(header.report_type.value) is not None


def _rating(
    chosen: _Candidate, scope: str, candidates: list[_Candidate], facts: ReportFacts, *, headline: bool
) -> Rating:
    """The Rating for `chosen`, completed from the other candidates with the same term (and
    from a 原评级 label: an unscoped one belongs to the headline rating)."""
    reading = chosen.reading
    term = reading.term.lower()
    action, grade, previous = reading.action, reading.grade, reading.previous
    for other in candidates:
        if other is chosen or (other.scope not in (None, scope)):
            continue
        if other.previous:
            if other.scope == scope or (other.scope is None and headline):
                previous = previous or other.reading.term
            continue
        if other.reading.term.lower() != term:
            continue
        action = action or other.reading.action
        grade = grade or other.reading.grade
        previous = previous or other.reading.previous
    line = chosen.line
    rating = Rating(
        raw=tidy(line.text[reading.start : reading.end]),
        normalized=normalize_rating(reading.term, scope),
        action=action,
        grade=grade,
        scope=scope,
        evidence=line.evidence(reading.start, reading.end),
        previous=previous,
    )
    attach_definition(rating, facts.rating_definitions, reading.term)
    return rating
