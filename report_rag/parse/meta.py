"""Cheap report metadata read off the cleaned text: title, broker, date, language.

Rules only (no model), and no guessing: a field without good evidence stays None.

* language: the share of CJK characters among letters.
* date: the publication date, preferring page 1, dates near the top, labelled dates
  (发布日期 / 报告日期 / Date) and dates on a line of their own; never a date from a
  相关报告 / Related research list, a data date ("截至…", "Price (as of …)") or an event
  date inside prose.
* broker: the securities firm named most often and most formally (…证券股份有限公司,
  …证券研究所, "本报告仅供…的客户使用", "… Securities Limited"), shortened to its brand
  (华金证券, Acme Securities).
* title: the longest meaningful line in page 1's header zone (before 投资要点 / Key points),
  skipping sector names, report types, broker, date, rating and label lines; else the PDF's
  /Title when it looks like a real title.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from report_rag.parse.boilerplate import boilerplate_opening, disclaimer_phrase_count
from report_rag.parse.brokers import firm_from_email_domain, identify_broker
from report_rag.parse.headings import (
    AMBIGUOUS_RISK_RE,
    CONTENT_HEADING_RE,
    cjk_count,
    classify_heading,
    strip_bullet,
    strip_markup,
)
from report_rag.parse.layout import TextRun, display_text, has_display_type, headline
from report_rag.text import CJK, dates_in_line
from report_rag.types import Page, ReportMeta

_LATIN_RE = re.compile(r"[A-Za-z]")
_ZH_SHARE = 0.25
_MIN_LETTERS_FOR_LANGUAGE = 10

# --- dates -------------------------------------------------------------------------------

# "[Table_Reportdate] 2025年05月09日": a template's field tag labels the date too.
_DATE_LABEL_RE = re.compile(
    r"(?:发布日期|报告日期|发布时间|报告时间|日期|date|published|publication)\]?\s*[:：]?\s*$", re.IGNORECASE
)
# A data date is not the publication date: "数据日期 2025/05/08" beside "报告日期 2025年05月09日".
_AS_OF_RE = re.compile(
    r"(?:截至|截止|截止到|收盘价?|股价|数据日期|数据截[至止]日?|价格日期|行情日期|收盘日期|股价日期|"
    r"as of|as at|prices?|close|closing|pricing date|data date)\s*[（(]?\s*[:：]?\s*$",
    re.IGNORECASE,
)
_RELATED_HEADING_RE = re.compile(
    r"相关(?:研究|报告)|往期|近期(?:研究|报告)|历史报告|相关阅读|related\s+(?:research|reports?|reading)|"
    r"recent\s+(?:research|reports?)|previous\s+reports?",
    re.IGNORECASE,
)
_RELATED_ITEM_RE = re.compile(rf"-[{CJK}A-Za-z]{{2,12}}(?:证券|研究所|国际)-|《[^》]{{4,}}》")


def _date_score(line: str, start: int, end: int, line_index: int, page_index: int) -> float | None:
    """How likely this date is the publication date; None when it is not one: a data date
    ("截至…", "Price (14 Aug 2024)"), a date inside prose (an event), or an unlabelled date
    past page 1."""
    before = line[:start]
    labelled = _DATE_LABEL_RE.search(before) is not None
    rest = len(line) - (end - start)
    if _AS_OF_RE.search(before) or (page_index > 0 and not labelled):
        return None
    # A date inside prose is an event's. Long header strips at the top are fine; a bullet
    # or a sentence with Chinese punctuation is prose even there.
    prose = _is_bulleted(line) or re.search(r"[。，；]", before + line[end:]) is not None
    if not labelled and ((prose and rest > 30) or (rest > 60 and line_index > 2)):
        return None
    score = 50.0 - 45.0 * page_index - 0.5 * min(line_index, 60) + 40 * labelled
    return score + 10 if rest <= 30 else score  # a date on a line of its own (maybe with a place)


def find_date(pages: list[Page]) -> date | None:
    """The publication date (see the module docstring), or None."""
    best: tuple[float, date] | None = None
    for page_index, page in enumerate(pages[:3]):
        for line_index, line in _lines_outside_related(page):
            for start, end, found in dates_in_line(line):
                score = _date_score(line, start, end, line_index, page_index)
                if score is not None and (best is None or score > best[0]):
                    best = (score, found)
    return best[1] if best else None


def _lines_outside_related(page: Page) -> list[tuple[int, str]]:
    """(index, line) for the page's lines that are not in a 相关报告 / Related research list
    (the list runs from its heading to the next heading that is not itself a list item)."""
    kept = []
    in_related = False
    for index, line in enumerate(_page_lines(page)):
        heading = classify_heading(line)
        if _RELATED_HEADING_RE.search(line) and (heading is not None or len(line) <= 12):
            in_related = True
            continue
        if in_related and heading is not None and not dates_in_line(line) and not _is_bulleted(line):
            in_related = False
        if in_related or _RELATED_ITEM_RE.search(line) or line.startswith("《"):
            continue
        kept.append((index, line))
    return kept


def _is_bulleted(line: str) -> bool:
    return strip_bullet(line) != line.strip()


def _page_lines(page: Page) -> list[str]:
    return [stripped for raw in page.text.split("\n") if (stripped := strip_markup(raw))]


# --- broker --------------------------------------------------------------------------------

_LEGAL_SUFFIX_ZH = r"(?:股份有限公司|有限责任公司|有限公司|\s*[（(]香港[）)]\s*有限公司)"
_RESEARCH_ZH = r"(?:研究所|研究院|研究部|研究中心)"
# Words after 证券 that make it the common noun ("securities"), not a firm's name.
_ZH_NOT_FIRM_AFTER = re.compile(r"业|监督|市场|投资|交易|法|代码|简称|买卖|或|及|期货|公司|行业|从业|化|研究报告|账户|登记|时报|日报|报")
_ZH_NOT_FIRM_PREFIX = frozenset(
    "中国 相关 所述 该等 上述 其他 任何 有价 买卖 持有 发行 投资 境外 境内 上市 这些 部分 标的 各类 国内 海外 主要 "
    "综合 从事 金融 以及 或者 关联 券商 该类 我国 香港 指数 债券 一家 多家 其它 前述 本地 外资 合资".split()
)
_ZH_FUNCTION_CHARS = set("的之等与及或对于在为由供向从被将把经是了也并本该其所给")
_EN_SUFFIX_RE = re.compile(
    r"\b(?P<suffix>(?:Securities|Capital)(?:\s+(?:Research|Markets|Partners|Group|International|Asia))?"
    r"|Research|Equities|Investment Bank|Brokerage)\b"
    r"(?P<legal>(?:\s+\([A-Z][A-Za-z ]+\))?\s+(?:Asia\s+)?"
    r"(?:Limited|Ltd\b\.?|LLC|L\.L\.C\.|Inc\b\.?|Co\.,?\s*Ltd\.?|plc|AG|S\.?A\.|Corporation|Corp\.))?"
)
_EN_NOT_FIRM_AFTER = re.compile(
    r"\s+(?:and\s+(?:Futures|Exchange)|Regulatory|Commission|Act\b|Law\b|Association|Exchange|Ordinance"
    r"|Market\b|Industry)"
)
_EN_GENERIC_WORDS = frozenset(
    "Equity Global Investment Independent Industry Sector Company Our The This That Credit Fixed Income Macro "
    "Strategy Working Human Invested Return Total Venture Private Debt Market Regulatory Futures Listed Other "
    "Related Issuing Underlying Government Asia China Hong Kong Cost Of Social Intellectual Natural Growth".split()
)
_EN_NAME_WORD_RE = re.compile(r"[A-Z][A-Za-z&'.\-]*$|[A-Z]{2,}$")
_LETTERHEAD_LINES = 3  # a firm named in page 1's first lines is the publisher's letterhead


@dataclass(slots=True)
class _Mention:
    readings: list[str]  # shortest first: 华金证券 / 供华金证券; Meridian Capital / … Research
    weight: float  # how firmly the context marks a firm name
    position: int


def _line_around(text: str, start: int, end: int) -> str:
    line_end = text.find("\n", end)
    return text[text.rfind("\n", 0, start) + 1 : line_end if line_end >= 0 else len(text)]


def _zh_mentions(text: str) -> list[_Mention]:
    """Each firm-like "…证券", read with a 2-, 3- and 4-character name."""
    found = []
    for match in re.finditer("证券", text):
        after = text[match.end() : match.end() + 8]
        legal = re.match(_LEGAL_SUFFIX_ZH, after) is not None
        research = re.match(_RESEARCH_ZH, after) is not None
        if not (legal or research) and _ZH_NOT_FIRM_AFTER.match(after):
            continue
        run = re.search(rf"[{CJK}]{{2,4}}$", text[max(0, match.start() - 4) : match.start()])
        if run is None:
            continue
        readings = []
        for size in range(2, len(run.group()) + 1):
            head = run.group()[-size:]
            if head[-2:] in _ZH_NOT_FIRM_PREFIX or _ZH_FUNCTION_CHARS & set(head):
                break
            readings.append(head + "证券")
        if readings:
            disclaimer = disclaimer_phrase_count(_line_around(text, match.start(), match.end())) > 0
            found.append(_Mention(readings, 1.0 + legal + research + disclaimer, match.start()))
    return found


def _en_mentions(text: str) -> list[_Mention]:
    found = []
    for match in _EN_SUFFIX_RE.finditer(text):
        suffix, legal = " ".join(match.group("suffix").split()), bool(match.group("legal"))
        if _EN_NOT_FIRM_AFTER.match(text, match.end("suffix")):
            continue
        if suffix in {"Research", "Equities"} and not legal:
            continue  # "Equity Research", "Bloomberg Research": too generic without "Limited"
        words = text[max(0, match.start() - 60) : match.start()].split(" ")[:-1]
        names = []
        for size in range(1, min(3, len(words)) + 1):
            word = words[-size]
            if not _EN_NAME_WORD_RE.match(word) or (size == 1 and word in _EN_GENERIC_WORDS):
                break
            names.append(" ".join(words[-size:]))
        short_suffix = suffix.split()[0]
        readings = [f"{name} {short_suffix}" for name in names]
        if short_suffix != suffix:  # "Meridian Capital Research" also reads "Meridian Capital"
            readings += [f"{name} {suffix}" for name in names]
        if readings:
            disclaimer = disclaimer_phrase_count(_line_around(text, match.start(), match.end())) > 0
            found.append(_Mention(readings, 1.0 + legal + disclaimer, match.start()))
    return found


def _letterhead_end(text: str) -> int:
    """Where page 1's first few non-blank lines end."""
    position = 0
    for _ in range(_LETTERHEAD_LINES):
        while position < len(text) and text[position] in " \n":
            position += 1
        next_break = text.find("\n", position)
        position = len(text) if next_break < 0 else next_break
    return position


def find_broker(pages: list[Page]) -> str | None:
    """A broker the registry (parse/brokers.py) does not know: its short name, or None when
    no firm is named convincingly.

    Mentions are pooled by their shortest reading (华金证券 and 供华金证券 are one firm);
    a firm on page 1's letterhead wins, else, for Chinese names only, the firm with the
    most evidence. English text names many firms in its disclosures (index providers,
    affiliates, the bank that distributes the note), so an English name counts only on the
    letterhead. The name given is the longest reading most mentions support.
    """
    text = "\n".join(page.text for page in pages)
    letterhead_end = _letterhead_end(pages[0].text) if pages else 0
    best: tuple[float, str] | None = None
    for mentions, by_evidence in ((_zh_mentions(text), True), (_en_mentions(text), False)):
        counts: Counter[str] = Counter(r for m in mentions for r in m.readings)
        weights: defaultdict[str, float] = defaultdict(float)  # summed mention weights
        for mention in mentions:
            weights[mention.readings[0]] += mention.weight
        for mention in mentions:
            base = mention.readings[0]
            if weights[base] < 2:
                continue  # one passing mention: maybe a firm the report cites
            if mention.position < letterhead_end:
                return max((r for r in mention.readings if counts[r] >= 2), key=len, default=base)
            if not by_evidence:
                continue
            family = {r for m in mentions if m.readings[0] == base for r in m.readings}
            name = max((r for r in family if counts[r] >= 0.6 * counts[base]), key=len)
            if best is None or weights[base] > best[0]:
                best = (weights[base], name)
    return best[1] if best else None


# --- title ---------------------------------------------------------------------------------

_REPORT_TYPE_RE = re.compile(
    r"(?:研究|快报|快评|点评|深度|报告|简报|周报|月报|日报|专题|跟踪|动态|首次覆盖|调研|纪要|策略|晨会|"
    r"equity research|company (?:update|report|note)|industry (?:report|update|note)|sector (?:note|update|report)|"
    r"flash(?: note)?|initiation|results? review|earnings review|first take|morning note|research report)",
    re.IGNORECASE,
)
_LABEL_RE = re.compile(
    r"^(?:投资评级|评级|目标价格?|股价|收盘价|现价|当前价|总?市值|分析师|研究员|联系人|执业证书编号|证书编号|SAC|电话|邮箱|"
    r"资料来源|数据来源|来源|发布日期|报告日期|日期|行业|证券代码|股票代码|"
    r"e-?mail|tel|source|sources|rating|target price|price target|share price|price|market cap|analysts?|date|"
    r"ticker|bloomberg|reuters|sector|industry|recommendation|website)\s*[:：]",
    re.IGNORECASE,
)
_RATING_LINE_RE = re.compile(
    r"^(?:(?:投资|公司|行业|股票)?评级|rating|recommendation)?\s*[:：]?\s*"
    r"(?:买入|增持|持有|中性|减持|卖出|推荐|谨慎推荐|回避|领先大市|同步大市|落后大市|强于大市|优于大市|跑赢行业|看好|"
    r"buy|outperform|overweight|neutral|hold|underweight|underperform|sell)"
    r"[-–—A-Ea-e\s]*[（(]?\s*(?:维持|首次|上调|下调|首次覆盖|maintained?|initiate[sd]?|upgraded?|downgraded?|from\s+\w+)?\s*[)）]?$",
    re.IGNORECASE,
)
_TITLE_SCAN_LINES = 30
_GLUED_SECTION_RE = re.compile(
    r"(?:投资要点|核心观点|主要观点|报告摘要|内容摘要|投资建议|key points|key takeaways|investment summary|summary|highlights)"
    r"\s*[:：]?$",
    re.IGNORECASE,
)
_EMBEDDED_LABEL_RE = re.compile(
    r"\s*(?:投资评级|评级|目标价格?|rating|target price|price target|recommendation)\s*[:：]", re.IGNORECASE
)


def _meaningful_width(line: str) -> int:
    """Line length with a CJK character counted double (it carries about a word)."""
    return len(line) + cjk_count(line)


def _title_candidate(line: str, broker: str | None) -> bool:
    text = strip_markup(line)
    if not text or _is_bulleted(text) or "@" in text or "www." in text.lower() or "http" in text.lower():
        return False
    width = _meaningful_width(text)
    if width < 12 or width > 130 or text[-1] in "。.;；" or "。" in text:
        return False
    if sum(c.isalpha() for c in text) < 0.5 * len(text.replace(" ", "")):
        return False  # tables, codes, numbers
    if sum(1 for cell in text.split() if any(ch.isdigit() for ch in cell)) >= 3:
        return False  # a table row: "DeepSeek-V3 2024-12 MIT MoE架构…"
    if cjk_count(text) == 0 and len(text.split()) < 3:
        return False
    if dates_in_line(text) or _LABEL_RE.match(text) or _RATING_LINE_RE.match(text):
        return False
    core = strip_bullet(text).rstrip("：: ")
    if CONTENT_HEADING_RE.match(core) or AMBIGUOUS_RISK_RE.match(core) or boilerplate_opening(text):
        return False
    if broker and broker in text and _meaningful_width(text.replace(broker, "")) < 12:
        return False
    if re.search(r"证券股份有限公司|研究所|证券研究报告|Securities\s+(?:Limited|Ltd)|\|", text):
        return False  # the broker's letterhead or a "sector | type | rating" strip
    if _REPORT_TYPE_RE.search(text) and width <= 24:
        return False  # "行业快报", "电子行业深度报告", "Company Update"
    return True


def _headline_part(line: str) -> tuple[str, bool]:
    """The line without what text extraction glued onto a headline: a trailing section
    heading ("…多点开花投资要点") or a rating strip ("… 2H Rating: Buy | Target price: …").
    The flag says a section heading was glued on, i.e. the header zone ends here."""
    text = strip_markup(line)
    label = _EMBEDDED_LABEL_RE.search(text)
    if label and label.start() > 0:
        text = text[: label.start()].rstrip()
    glued = _GLUED_SECTION_RE.search(text)
    if glued and _meaningful_width(text[: glued.start()]) >= 12:
        return text[: glued.start()].rstrip(), True
    return text, False


def find_title(pages: list[Page], broker: str | None = None) -> str | None:
    """The report headline from page 1's header zone, or None."""
    if not pages:
        return None
    candidates: list[str] = []
    for index, line in _lines_outside_related(pages[0]):
        if index >= _TITLE_SCAN_LINES:
            break
        core = strip_bullet(line).rstrip("：: ")
        if CONTENT_HEADING_RE.match(core) and classify_heading(line) is not None and candidates:
            break  # the analysis starts: the headline is above
        text, header_ends = _headline_part(line)
        if _title_candidate(text, broker):
            candidates.append(text)
        if header_ends and candidates:
            break
    return max(candidates, key=_meaningful_width) if candidates else None


_FILE_LIKE_TITLE_RE = re.compile(
    r"^(?:microsoft\s+(?:word|powerpoint|excel)\b|untitled|document\s*\d*$|slide\s*\d*$|title$|报告$)|"
    r"\.(?:docx?|pdf|pptx?|indd|xlsx?|txt|rtf|wps)$",
    re.IGNORECASE,
)


def plausible_pdf_title(title: str | None) -> str | None:
    """The PDF /Title if it reads like a headline, not a file name or template default."""
    if not title:
        return None
    title = " ".join(title.split())
    if len(title) < 4 or len(title) > 200 or _FILE_LIKE_TITLE_RE.search(title):
        return None
    if " " not in title and cjk_count(title) == 0:
        return None  # "H3_AP202406281637801355_1", "report-final-v2"
    if sum(c.isalpha() for c in title) < 0.5 * len(title.replace(" ", "")):
        return None
    # Templates that fill "{title}：{subtitle}" from one field write the headline twice.
    doubled = _DOUBLED_TITLE_RE.fullmatch(title)
    return doubled.group(1) if doubled else title


_DOUBLED_TITLE_RE = re.compile(r"(.{4,}?)\s*[:：\-—|]\s*\1")


# --- all together --------------------------------------------------------------------------


def detect_language(pages: list[Page]) -> str | None:
    text = "".join(page.text for page in pages)
    cjk, latin = cjk_count(text), len(_LATIN_RE.findall(text))
    if cjk + latin < _MIN_LETTERS_FOR_LANGUAGE:
        return None
    return "zh" if cjk / (cjk + latin) >= _ZH_SHARE else "en"


def read_meta(
    pages: list[Page], pdf_title: str | None = None, first_page_runs: Sequence[TextRun] = ()
) -> ReportMeta:
    """Title, broker, date and language of a report; None for what the text does not show.

    The title is page 1's headline by type size when the PDF's runs are given (see
    parse/layout.py); where page 1 has no display type, the first line that reads as a
    headline; else the PDF's /Title."""
    language = detect_language(pages)
    runs = list(first_page_runs)
    known = identify_broker(pages, display_text(runs))
    unregistered = None if known else firm_from_email_domain(pages)
    if known:
        broker: str | None = known.broker.name_for(language)
    elif unregistered:
        broker = unregistered
    else:
        broker = find_broker(pages)
    title = headline(runs)
    if title is None and not has_display_type(runs):
        title = find_title(pages, broker)
    return ReportMeta(
        title=title or plausible_pdf_title(pdf_title),
        broker=broker,
        date=find_date(pages),
        language=language,
    )
