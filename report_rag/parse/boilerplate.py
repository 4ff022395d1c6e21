"""Which parts of a report are boilerplate: disclaimers, certifications, rating definitions.

Boilerplate is flagged, never deleted: it is still searchable on request, but it should not
crowd analysis out of ordinary answers. The rules:

* a boilerplate section opens at a heading such as 免责声明 / 分析师声明 / 评级说明 /
  Important Disclosures / Analyst Certification (with or without numbering or a colon, or
  inline: "免责声明：本报告仅供…"), and runs until a heading that clearly opens analysis
  (投资要点, 一、行业概况, Valuation…) or to the end of the document;
* 风险提示 / Risks never end it: inside the tail, "风险提示：报告中的内容和意见仅供参考…" is
  part of the disclaimer, while the report's own 风险提示 (before any disclaimer) is content;
* bare rating words (公司评级, 投资评级) open a section only when rating definitions follow,
  so a page-1 sidebar "公司评级 / 买入" stays content;
* any paragraph dense in disclaimer phrases is boilerplate wherever it is, and such a
  paragraph in the second half of a document opens a boilerplate section;
* short contact/address blocks (办公地址, 电话, 网址, Tel, Fax) are boilerplate once a
  boilerplate section has been seen or in the last part of the document.
"""

from __future__ import annotations

import re

from report_rag.parse.headings import Heading, classify_heading, is_content_heading, strip_bullet, strip_markup
from report_rag.text import CJK

_DEFINITE = (
    r"免责声明|免责条款|免责及|法律声明|特别声明|重要声明|一般声明|版权声明|分析师声明|分析师承诺|研究员声明|"
    r"证券分析师承诺|信息披露|披露声明|合规声明|(?:本公司|公司)?具备证券投资咨询|证券投资咨询业务资格|"
    r"(?:投资|行业|公司|股票|证券)?评级(?:说明|体系|标准|定义|规则|方法)|评级及免责|"
    r"important\s+disclosures?|disclosure\s+appendix|disclosures?\b|(?:general\s+|global\s+)?disclaimers?\b|"
    r"analysts?'?\s+certifications?|certification\s+of\s+analysts?|required\s+disclosures|other\s+disclosures|"
    r"regulatory\s+disclosures|research\s+disclosures|legal\b|ratings?\s+(?:definitions?|system|distribution|key)|"
    r"explanation\s+of\s+(?:\w+\s+)?ratings|distribution\s+of\s+ratings|"
    r"conflicts?\s+of\s+interest|copyright\b|terms\s+of\s+use"
)
_DEFINITE_RE = re.compile(rf"^(?:{_DEFINITE})", re.IGNORECASE)
# Names specific enough to mark a heading anywhere in it, not only at its start.
_SPECIFIC_RE = re.compile(
    r"免责声明|免责条款|法律声明|特别声明|重要声明|一般声明|版权声明|分析师声明|分析师承诺|研究员声明|披露声明|"
    r"合规声明|证券投资咨询业务资格|评级(?:说明|体系|标准|定义|规则)|important\s+disclosures?|disclosure\s+appendix|"
    r"disclaimers?\b|analysts?'?\s+certifications?|ratings?\s+(?:definitions?|system|distribution)",
    re.IGNORECASE,
)
# Bare rating labels: boilerplate only when definitions ("买入：未来6个月…") follow.
_RATING_LABEL_RE = re.compile(rf"^(?:[{CJK}]{{0,6}}评级|(?:[A-Za-z]+\s+){{0,2}}ratings?)$", re.IGNORECASE)
_RATING_DEFINITION_RE = re.compile(
    r"(?:买入|增持|持有|中性|减持|卖出|推荐|回避|领先大市|同步大市|落后大市|强于大市|优于大市|弱于大市|看好|"
    r"buy|outperform|overweight|neutral|hold|underweight|underperform|sell)"
    r"[^。\n]{0,30}(?:未来\s*\d|相对|以上|之间|超过|高于|低于|over the next|relative to|expected)",
    re.IGNORECASE,
)
_DISCLOSURE_WORD_RE = re.compile(
    r"声明|说明|评级|披露|资格|版权|联系|地址|免责|disclos|certif|rating|legal|disclaim|regulat|conflict|"
    r"copyright|jurisdiction|distribut|contact",
    re.IGNORECASE,
)

# Phrases that (almost) only disclaimers use. Counted distinct, so one stray phrase in an
# analysis paragraph is not enough.
_DISCLAIMER_PHRASES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"仅供参考",
        r"不构成[^。]{0,20}(?:建议|出价|要约|邀请)",
        r"本报告仅供|仅供[^。]{0,20}客户使用",
        r"版权[^。]{0,6}(?:为|归)[^。]{0,12}所有",
        r"未经[^。]{0,12}书面[^。]{0,4}(?:许可|授权|同意)",
        r"证券投资咨询(?:业务)?资格|执业资格",
        r"概不负责|不承担[^。]{0,8}责任|不对[^。]{0,30}损失[^。]{0,6}(?:负责|责任)",
        r"自行承担|自主作出投资决策|自行(?:关注|判断)|投资者[^。]{0,10}负完全责任",
        r"不保证[^。]{0,20}(?:准确|完整|及时)",
        r"特此声明|勤勉尽责|独立、客观|独立客观",
        r"入市需谨慎|投资有风险",
        r"版权所有|all rights reserved",
        r"for information(?:al)? purposes only",
        r"does not constitute|not an offer|solicitation of an offer",
        r"no representation or warranty|makes no representations?",
        r"past performance is not",
        r"(?:may|must) not be (?:reproduced|redistributed|copied|distributed)",
        r"without (?:the )?prior written (?:consent|permission)",
        r"certif(?:y|ies) that|accurately reflects? (?:his|her|their|my|our) (?:personal )?views",
        r"independent(?:ly)? (?:and|or) objective|conflicts? of interest",
        r"accepts? no (?:liability|responsibility)|(?:should|must) not (?:be )?rel(?:y|ied)",
        r"(?:authori[sz]ed and )?regulated by the",
    )
]
_CONTACT_RE = re.compile(
    r"办公地址|(?:地址|电话|传真|网址|邮编|邮政编码|邮箱|联系人)\s*[:：]|^(?:tel|fax|phone|address|e-?mail|website)\b|www\.",
    re.IGNORECASE | re.MULTILINE,
)
_CONTACT_MAX_CHARS = 160
_TAIL_FRACTION = 0.5  # "the second half of the document"
_CONTACT_TAIL_FRACTION = 0.7


def disclaimer_phrase_count(text: str) -> int:
    """How many distinct disclaimer phrases `text` contains."""
    return sum(1 for pattern in _DISCLAIMER_PHRASES if pattern.search(text))


def boilerplate_opening(line: str, following: str = "") -> str | None:
    """The section name if `line` opens a boilerplate section, else None.

    `following` is the text right after the line, used to confirm bare rating labels.
    """
    text = strip_bullet(strip_markup(line))
    match = _DEFINITE_RE.match(text)
    if match:
        rest = text[match.end():].lstrip()
        # "免责声明" / "免责声明：…" / a heading-shaped "Important Disclosures for Acme"; not
        # "Important disclosures and certifications are in the appendix".
        if rest and rest[0] in "：:":
            return text[: match.end()].strip()
        if not rest or classify_heading(line) is not None:
            return text.rstrip("：: ")
        return None
    core = text.rstrip("：: ")
    if _RATING_LABEL_RE.match(core) and _RATING_DEFINITION_RE.search(following[:300]):
        return core
    if _SPECIFIC_RE.search(core) and classify_heading(line) is not None:
        return core  # "行业及公司评级体系", "国鼎证券投资评级标准", "Other Important Disclosures"
    return None


def closes_boilerplate(heading: Heading) -> bool:
    """A heading that clearly opens analysis again (numbered sections count, unless they
    name a disclosure topic themselves)."""
    if is_content_heading(heading.text):
        return True
    core = strip_bullet(heading.text)
    numbered = core != heading.text
    return numbered and heading.strong and not _DISCLOSURE_WORD_RE.search(core) and not _RATING_LABEL_RE.match(core)


def is_contact_block(text: str) -> bool:
    return len(text) <= _CONTACT_MAX_CHARS and _CONTACT_RE.search(text) is not None


class BoilerplateTracker:
    """Walks a document's blocks in reading order and says which are boilerplate."""

    def __init__(self) -> None:
        self.active = False  # inside a boilerplate section
        self.seen = False  # a boilerplate section has opened somewhere above

    def closes_at(self, heading: Heading | None) -> bool:
        """Would this heading end the current boilerplate section?"""
        return self.active and heading is not None and closes_boilerplate(heading)

    def observe(self, opening: str | None, heading: Heading | None) -> None:
        """Advance the state past a line; `opening` is `boilerplate_opening(line, …)`."""
        if opening is not None:
            self.active = self.seen = True
        elif self.closes_at(heading):
            self.active = False

    def flag_block(self, text: str, position: float) -> bool:
        """Is this block boilerplate? `position` is its start as a fraction of the document."""
        if self.active:
            return True
        phrases = disclaimer_phrase_count(text)
        if phrases >= 3 and position >= _TAIL_FRACTION:
            self.active = self.seen = True
            return True
        if phrases >= 2:
            return True
        return is_contact_block(text) and (self.seen or position >= _CONTACT_TAIL_FRACTION)
