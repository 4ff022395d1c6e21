"""Analysts who sign the report (name, SAC certificate S + 13 digits, email, other licence)
and contacts (联系人), kept apart by the label above them.

The analyst block is read as a sequence of people: a label (分析师 / 研究员 / 联系人 /
Analysts / Contact) sets the role, a name line opens a person, and SAC, email, phone and
licence lines attach to the person above. Inline forms work too: "分析师：何俊峰 执业证书
编号：S0560521070001", "分析师 陆雪 S1100522080001 luxue@…", "Analyst: Lim Wei Ming |
weiming.lim@… ". A person needs a SAC number, an email or a licence, unless the label line
itself names them. Disclaimer lines are skipped (the certification repeats the names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from report_rag.extract.evidence import Document, TextLine, tidy
from report_rag.text import CJK
from report_rag.types import Analyst, Evidence

_SAC_RE = re.compile(r"(?<![A-Za-z0-9])S\d{13}(?!\d)")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_PHONE_RE = re.compile(r"(?:电话|Tel|Phone)?\s*[:]?\s*\+?\(?\d[\d\s()\-]{6,}\d")
_LICENCE_RE = re.compile(
    r"(?:SFC\s*CE\s*(?:No\.?|number|#)?|CE\s*No\.?|CE\s*Ref\.?)\s*[:]?\s*(?P<licence>[A-Z]{3}\d{3})", re.IGNORECASE
)
_SAC_LABEL_RE = re.compile(r"(?:SAC\s*)?(?:执业证书编号|执业证书编码|执业编号|证书编号|登记编号|执业证号|SAC\s*(?:No\.?|编号)?)\s*[:]?", re.IGNORECASE)
_EMAIL_LABEL_RE = re.compile(r"(?:邮箱|电邮|e-?mail)\s*[:]?", re.IGNORECASE)
_ROLE_LABEL_RE = re.compile(
    r"^(?P<label>(?:证券)?分析师|研究员|首席分析师|联系人|研究助理|"
    r"(?i:research\s+)?(?i:analysts?|contacts?|associates?|assistants?))"
    r"(?=$|[\s:|])\s*[:]?\s*",
)
_CONTACT_LABEL_RE = re.compile(r"联系人|研究助理|contact|associate|assistant", re.IGNORECASE)
_ZH_NAME_RE = re.compile(rf"[{CJK}]{{2,4}}(?![{CJK}])|[{CJK}]\s[{CJK}]{{1,2}}(?![{CJK}])")
_EN_NAME_RE = re.compile(
    r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?(?:\s+[A-Z][a-z]*\.?)?(?:\s+[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?){1,2}"
    r"(?:,\s*(?:CFA|CPA|PhD|Ph\.D\.|FRM|ACCA|CFA,\s*CPA))?"
)
_NOT_NAMES = re.compile(
    r"分析师|联系人|研究员|相关|报告|证券|编号|电话|邮箱|地址|基本数据|股价|走势|资料来源|数据|评级|投资|行业|公司|表现|"
    r"Analyst|Contact|Research|Related|Source|Equity|Securities|Key|Rating|Price|Target|Market|Please|Important"
)


@dataclass(slots=True)
class _Person:
    name: str
    role: str
    first: TextLine
    last: TextLine
    sac: str | None = None
    email: str | None = None
    licence: str | None = None
    named_by_label: bool = False

    def confirmed(self) -> bool:
        return bool(self.sac or self.email or self.licence or self.named_by_label)


def find_analysts(document: Document) -> list[Analyst]:
    people: list[_Person] = []
    role: str | None = None  # inside a labelled block
    current: _Person | None = None
    for line in document.content_lines():
        text = line.folded
        label = _ROLE_LABEL_RE.match(text)
        if label is not None:
            # 联系人 and research assistants are listed, but do not sign the report.
            role = "contact" if _CONTACT_LABEL_RE.search(label.group("label")) else "analyst"
            current = None
            rest = text[label.end():]
            if not rest.strip():
                continue
            inline = _people_in_line(line, label.end(), role, named_by_label=True)
            people.extend(inline)
            current = inline[-1] if inline else None
            continue
        attributes = _attach(current, text) if current is not None else False
        if attributes and current is not None:
            current.last = line
            continue
        name = _name_at(text, 0)
        if name is None and _has_attributes(text):
            name = _name_before_attributes(text)
        if name is not None and (role is not None or _has_attributes(text)):
            person = _Person(name[0], role or "analyst", line, line)
            _attach(person, text[name[1]:], whole_line=False)
            people.append(person)
            current = person
            continue
        if current is None and role is None and _SAC_RE.search(text):
            continue  # a certificate number with no name near it: nothing to attribute
        role, current = None, None  # the block ended
    return _deduplicate([_to_analyst(document, p) for p in people if p.confirmed()])


def _people_in_line(line: TextLine, start: int, role: str, named_by_label: bool) -> list[_Person]:
    """People named on a label's own line: "分析师：孙立 S123… a@b", "分析师：张三、李四"."""
    text = line.folded
    people: list[_Person] = []
    position = start
    while position < len(text):
        while position < len(text) and text[position] in " 、,;|/:":
            position += 1
        name = _name_at(text, position)
        if name is None:
            break
        following = re.search(r"[、,;/]\s*(?=[^\s])", text[name[1]:])
        # "张三、李四": the separator ends this person, unless attributes sit before it.
        attribute_end = len(text)
        if following and not _has_attributes(text[name[1] : name[1] + following.start()]):
            attribute_end = name[1] + following.start()
        person = _Person(name[0], role, line, line, named_by_label=named_by_label)
        _attach(person, text[name[1] : attribute_end] if attribute_end > name[1] else text[name[1]:], whole_line=False)
        people.append(person)
        if person.sac or person.email:
            break  # the attributes ran to the line's end
        position = attribute_end
    return people


def _name_at(text: str, position: int) -> tuple[str, int] | None:
    """(name, end) for a person's name starting at `position`, else None."""
    rest = text[position:]
    stripped = rest.lstrip()
    offset = position + len(rest) - len(stripped)
    for pattern in (_ZH_NAME_RE, _EN_NAME_RE):
        match = pattern.match(stripped)
        if match is None:
            continue
        name = match.group()
        after = stripped[match.end() : match.end() + 1]
        if _NOT_NAMES.search(name):
            continue
        if pattern is _EN_NAME_RE and after and after.isalpha():
            continue
        return tidy(name), offset + match.end()
    return None


def _has_attributes(text: str) -> bool:
    return bool(_SAC_RE.search(text) or _EMAIL_RE.search(text) or _LICENCE_RE.search(text))


@dataclass(frozen=True, slots=True)
class _Attributes:
    sac: str | None
    email: str | None
    licence: str | None
    only: bool  # the text holds nothing else (labels, a phone number and separators aside)


def _attributes(text: str) -> _Attributes:
    sac, email, licence = _SAC_RE.search(text), _EMAIL_RE.search(text), _LICENCE_RE.search(text)
    rest = _SAC_RE.sub("", _EMAIL_RE.sub("", _LICENCE_RE.sub("", text)))
    rest = _SAC_LABEL_RE.sub("", _EMAIL_LABEL_RE.sub("", rest)).strip(" |,;:")
    only = not rest or _PHONE_RE.fullmatch(rest) is not None
    return _Attributes(
        sac.group() if sac else None, email.group() if email else None, licence.group("licence") if licence else None, only
    )


def _attach(person: _Person | None, text: str, *, whole_line: bool = True) -> bool:
    """Give `person` the SAC / email / licence in `text`. For a line of its own
    (`whole_line`) only when it holds nothing else and does not contradict what the
    person has (then it is the next person's). True when attached."""
    if person is None:
        return False
    found = _attributes(text)
    if whole_line:
        if not found.only:
            return False
        if (person.sac and found.sac and person.sac != found.sac) or (
            person.email and found.email and person.email != found.email
        ):
            return False
    person.sac = person.sac or found.sac
    person.email = person.email or found.email
    person.licence = person.licence or found.licence
    return True


def _name_before_attributes(text: str) -> tuple[str, int] | None:
    """"本报告作者：王磊 SAC编号：S…": the name written right before the first attribute."""
    first = min(
        (m.start() for pattern in (_SAC_LABEL_RE, _SAC_RE, _EMAIL_LABEL_RE, _EMAIL_RE) if (m := pattern.search(text))),
        default=None,
    )
    if first is None:
        return None
    before = text[:first].rstrip(" :|,")
    match = re.search(rf"(?:^|(?<=[\s:|,]))([{CJK}]{{2,4}})$", before)
    if match is None or _NOT_NAMES.search(match.group(1)):
        return None
    return match.group(1), match.end(1)


def _to_analyst(document: Document, person: _Person) -> Analyst:
    evidence = document.quote_between(person.first, person.last)
    return Analyst(person.name, person.sac, person.email, person.role, Evidence(evidence.page, evidence.quote), person.licence)


def _deduplicate(analysts: list[Analyst]) -> list[Analyst]:
    kept: dict[tuple[str, str], Analyst] = {}
    for analyst in analysts:
        key = (analyst.name.replace(" ", ""), analyst.role)
        if key in kept:
            existing = kept[key]
            existing.sac = existing.sac or analyst.sac
            existing.email = existing.email or analyst.email
            existing.licence = existing.licence or analyst.licence
        else:
            kept[key] = analyst
    return list(kept.values())
