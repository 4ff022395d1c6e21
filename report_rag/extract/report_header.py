"""What page 1's header says about the report: its type (行业快报, 公司点评, Company Update),
its sector, and for a company note the covered company and its code.

Only the header zone is read: page 1's first lines, before the analysis opens (投资要点,
Key points…), skipping 相关报告 lists. Nothing is inferred: a report that does not print
its type or sector gets None.

* type: a standalone token (between separators) such as 行业快报 / 公司深度报告 /
  宏观点评 / "Company Update"; specific types (点评, 快报, 深度…) beat generic ones (公司研究);
* sector: the "传媒 | 行业快报" strip — the segment that is not the type, the broker, a
  region, a date or a company;
* company and code: `report_rag.extract.covered_company` (the header first, then the other
  places notes print them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from report_rag.extract.covered_company import COMPANY_CODE_RE, covered_company
from report_rag.extract.evidence import Document, TextLine, tidy
from report_rag.parse.headings import CONTENT_HEADING_RE, strip_bullet
from report_rag.text import CJK
from report_rag.types import Field

_HEADER_LINES = 14
_RELATED_RE = re.compile(r"^(?:相关(?:研究|报告)|近期(?:研究|报告)|related\s+(?:research|reports?))", re.IGNORECASE)

_ZH_TYPE_PREFIX = r"(?:行业|公司|个股|宏观|策略|晨会|金工|固收|债券|基金|海外|港股|美股|新股|量化|主题|产业|事件|业绩|年报|季报|中报|半年报)"
_ZH_TYPE_CORE = (
    r"(?:深度研究报告|深度报告|深度研究|深度|快报|快评|点评|简评|周报|月报|日报|晨报|专题报告|专题研究|专题|"
    r"首次覆盖报告|首次覆盖|跟踪报告|跟踪|动态跟踪|调研纪要|调研报告|纪要|研究报告|研究|简报|策略报告|报告)"
)
_ZH_TYPE_RE = re.compile(
    rf"(?<![{CJK}A-Za-z])(?P<type>{_ZH_TYPE_PREFIX}?{_ZH_TYPE_CORE})(?![{CJK}])"
)
_EN_TYPE_RE = re.compile(
    r"(?<![A-Za-z])(?P<type>(?:company|industry|sector)\s+(?:update|note|report|flash|initiation|review|comment|focus)|"
    r"initiation(?:\s+of\s+coverage)?|initiating\s+coverage|results?\s+(?:review|preview|update)|"
    r"earnings\s+(?:review|preview)|flash\s+note|first\s+take|morning\s+(?:note|call|comment)|"
    r"strategy(?:\s+report)?|thematic(?:\s+research)?)(?![A-Za-z])",
    re.IGNORECASE,
)
_GENERIC_TYPES = re.compile(r"^(?:.{0,2}研究|研究报告|报告|证券研究报告)$")
_SEGMENT_SPLIT_RE = re.compile(r"\s*[|·]\s*")
_REGIONS = re.compile(
    r"^(?:china|hong kong|united states|us|asia(?: pacific)?|apac|asean|taiwan|japan|korea|singapore|india|global|"
    r"europe|emerging markets|greater china|a股|港股|美股|中国|海外)$",
    re.IGNORECASE,
)
_GENERIC_SEGMENT_RE = re.compile(r"equity research|research|证券研究报告|研究所|研究报告", re.IGNORECASE)
_DATE_FRAGMENT_RE = re.compile(
    r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-./]\d{1,2}[-./]\d{1,2}|"
    r"\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4}|[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4}",
)


@dataclass(slots=True)
class Header:
    report_type: Field[str] | None = None
    sector: Field[str] | None = None
    company: Field[str] | None = None
    ticker: Field[str] | None = None


def header_lines(document: Document) -> list[TextLine]:
    """Page 1's header zone: first lines, up to where the analysis starts."""
    if not document.pages:
        return []
    first_page = document.pages[0].number
    zone: list[TextLine] = []
    for line in document.content_lines():
        if line.page != first_page or len(zone) >= _HEADER_LINES:
            break
        core = strip_bullet(line.folded).rstrip(": ")
        if zone and CONTENT_HEADING_RE.match(core) and len(core) <= 20:
            break
        if _RELATED_RE.match(core):
            break
        zone.append(line)
    return zone


def read_header(document: Document, broker: str | None) -> Header:
    zone = [line for line in header_lines(document) if not line.folded.lstrip().startswith("《")]
    header = Header()
    header.report_type = _report_type(zone)
    header.sector = _sector(zone, broker)
    header.company, header.ticker = covered_company(zone, document, header.report_type)
    return header


def _type_matches(line: TextLine) -> list[tuple[int, re.Match[str]]]:
    """(score, match) for report-type tokens in a line; specific beats generic."""
    found = []
    for pattern in (_ZH_TYPE_RE, _EN_TYPE_RE):
        for match in pattern.finditer(line.folded):
            if not _standalone(line.folded, match.start(), match.end()):
                continue
            token = match.group("type")
            score = 0 if _GENERIC_TYPES.match(token) else 2
            score += pattern is _ZH_TYPE_RE and re.match(_ZH_TYPE_PREFIX, token) is not None
            if token.startswith("证券"):
                continue
            found.append((score, match))
    return found


def _standalone(text: str, start: int, end: int) -> bool:
    """The token is a whole segment of a header strip (bounded by separators or a date)."""
    before = text[:start].rstrip()
    after = text[end:].lstrip()
    left_ok = not before or before[-1] in "|·—-:/" or text[start - 1].isspace()
    right_ok = not after or after[0] in "|·—-:/" or text[end : end + 1].isspace() or after[0].isdigit()
    return left_ok and right_ok


def _report_type(zone: list[TextLine]) -> Field[str] | None:
    best: tuple[int, TextLine, re.Match[str]] | None = None
    for line in zone:
        for score, match in _type_matches(line):
            if best is None or score > best[0]:
                best = (score, line, match)
    if best is None or best[0] == 0 and _GENERIC_TYPES.match(best[2].group("type")) and best[2].group("type").endswith("报告"):
        return None
    _, line, match = best
    start, end = match.span("type")
    return Field(tidy(line.text[start:end]), line.evidence(start, end))


def _sector(zone: list[TextLine], broker: str | None) -> Field[str] | None:
    return _sector_in_strip(zone, broker) or _sector_beside_type(zone, broker)


def _sector_beside_type(zone: list[TextLine], broker: str | None) -> Field[str] | None:
    """A header box printing the sector and the type on lines of their own: "传媒" over
    "行业快报". The sector line is a short word that is no type, firm or region."""
    for position, line in enumerate(zone):
        if not _is_only_type(line):
            continue
        for neighbour in zone[max(0, position - 1) : position] + zone[position + 1 : position + 2]:
            word = neighbour.folded.strip()
            if not re.fullmatch(rf"[{CJK}]{{2,8}}", word) or _is_only_type(neighbour):
                continue
            if (broker and broker in word) or re.search(r"证券|研究|报告|评级", word) or _REGIONS.match(word):
                continue
            start = neighbour.folded.find(word)
            return Field(word, neighbour.evidence(start, start + len(word)))
    return None


def _is_only_type(line: TextLine) -> bool:
    text = line.folded.strip()
    return any(match.start() == 0 and match.end() == len(text) for _, match in _type_matches(line))


def _sector_in_strip(zone: list[TextLine], broker: str | None) -> Field[str] | None:
    for line in zone:
        text = line.folded
        if "|" not in text and "·" not in text:
            continue
        segments = _SEGMENT_SPLIT_RE.split(text)
        # The first segment is often the letterhead ("Acme Securities | Asia Research | …");
        # it names the sector only beside a report type ("传媒 | 行业快报").
        typed = any(_ZH_TYPE_RE.search(s) or _EN_TYPE_RE.search(s) for s in segments[1:])
        position = 0
        for index, segment in enumerate(segments):
            start = text.find(segment, position)
            position = start + len(segment)
            if index == 0 and not typed:
                continue
            value, offset = _sector_of_segment(segment, broker)
            if value is not None:
                begin = start + offset
                return Field(tidy(line.text[begin : begin + len(value)]), line.evidence(begin, begin + len(value)))
    return None


def _sector_of_segment(segment: str, broker: str | None) -> tuple[str | None, int]:
    """The sector named by one segment of a header strip, with its offset in the segment."""
    if COMPANY_CODE_RE.search(segment) or len(segment) > 60:
        return None, 0
    cleaned = segment
    if broker:
        cleaned = cleaned.replace(broker, " " * len(broker))
    for pattern in (_DATE_FRAGMENT_RE, _ZH_TYPE_RE, _EN_TYPE_RE, _GENERIC_SEGMENT_RE):
        cleaned = pattern.sub(lambda m: " " * len(m.group()), cleaned)
    cleaned = re.sub(r"\S*证券\S*|\S+ Securities\b|\S+ Capital\b", lambda m: " " * len(m.group()), cleaned)
    value = cleaned.strip()
    if not value or _REGIONS.match(value) or re.search(r"\d", value):
        return None, 0
    if re.search(f"[{CJK}]", value):
        if len(value) > 10 or " " in value:
            return None, 0
    elif len(value.split()) > 4 or not value[0].isupper():
        return None, 0
    return value, cleaned.find(value)
