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
from report_rag.extract.person_names import (
    SURNAME_PARTICLES,
    address_spells,
    has_surname,
    pinyin_spellings,
    surname_readings,
)
from report_rag.text import CJK
from report_rag.types import Analyst, Evidence

_SAC_RE = re.compile(r"(?<![A-Za-z0-9])S\d{13}(?!\d)")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_PHONE_RE = re.compile(r"(?:电话|Tel|Phone)?\s*[:]?\s*\+?\(?\d[\d\s()\-]{6,}\d")
_LICENCE_RE = re.compile(
    r"(?:SFC\s*CE\s*(?:No\.?|number|#)?|CE\s*No\.?|CE\s*Ref\.?)\s*[:]?\s*(?P<licence>[A-Z]{3}\d{3})", re.IGNORECASE
)
_SAC_LABEL_RE = re.compile(
    r"(?:SAC\s*)?(?:执业证书(?:编号|编码|号)?|执业资格证书编号|执业(?:编号|证号)|执证编号|证书编号|(?:分析师)?登记编(?:号|码)|"
    r"资格编号|SAC\s*(?:No\.?|编号|执证编号)?)\s*[:]?",
    re.IGNORECASE,
)
_EMAIL_LABEL_RE = re.compile(r"(?:邮箱|电邮|e-?mail)\s*[:]?", re.IGNORECASE)
_ROLE_LABEL_RE = re.compile(
    r"^(?P<label>(?:证券)?分析师|研究员|首席分析师|联系人|研究助理|"
    r"(?i:research\s+)?(?i:analysts?|contacts?|associates?|assistants?))"
    r"(?=$|[\s:|])\s*[:]?\s*",
)
# A second label on the same line: after a space, glued to the previous person's certificate
# ("…S1190523060002证券分析师：张崴"), or after a cut-off "（执业" of the column beside it.
_REPEATED_LABEL_RE = re.compile(r"(?:(?<=\s)|(?<=\d)|(?<=[（(]执业))(?:证券)?分析师\s*[:：]\s*")
_CONTACT_LABEL_RE = re.compile(r"联系人|研究助理|contact|associate|assistant", re.IGNORECASE)
# A heading over the sales desk's names ("销售团队：" then "陈艺丹，186…，chenyd@…，S0640…"):
# they hold certificates too, but write nothing of the report.
_SALES_HEADING_RE = re.compile(
    r"^\s*(?:机构)?销售(?:团队|联系人|人员|服务团队)?\s*:?\s*$|^\s*(?:institutional\s+)?sales\s+(?:team|contacts?)\s*:?\s*$",
    re.IGNORECASE,
)
_ZH_NAME_RE = re.compile(rf"[{CJK}]{{2,4}}(?![{CJK}])|[{CJK}]\s[{CJK}]{{1,2}}(?![{CJK}])")
# Surnames may carry a particle, an apostrophe or a second capital: "Arpad von Nemes",
# "Gael de-Bray", "Tom O'Malley", "Nicole DeBlase".
_PARTICLES = "|".join(SURNAME_PARTICLES)
_EN_SURNAME = rf"(?:(?:{_PARTICLES})[\s-])?(?:[A-Z]['’])?[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z]?[a-z]+)?"
_EN_NAME_RE = re.compile(
    rf"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?(?:\s+[A-Z][a-z]*\.?)?(?:\s+{_EN_SURNAME}){{1,2}}"
    r"(?:,?\s+(?:III|II|IV|Jr\.|Sr\.)(?![A-Za-z]))?(?:,\s*(?:CFA|CPA|PhD|Ph\.D\.|FRM|ACCA|CFA,\s*CPA))?"
)
_NOT_NAMES = re.compile(
    r"分析师|联系人|研究员|相关|报告|证券|编号|电话|邮箱|地址|基本数据|股价|走势|资料来源|数据|评级|投资|行业|公司|表现|"
    r"执业|证书|资格|登记|编码|助理|首席|"
    r"Analyst|Contact|Research|Related|Source|Equity|Securities|Key|Rating|Price|Target|Market|Please|Important"
)


_LINE_PREFIX_RE = re.compile(r"^(?:\s*\[Table_\w+\]\s*)+|^\s*姓名\s*[:：]\s*")
# "资格编号：S1350525120002证券研究报告|宏观专题报告": the certificate, then the next column's text.
_SAC_FIRST_RE = re.compile(rf"^\s*{_SAC_LABEL_RE.pattern}\s*(?P<sac>S\d{{13}})(?!\d)", re.IGNORECASE)


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
        # A template's field tag ("[Table_Author] 分析师：谭国超") or a 姓名 label opens the line.
        text = _LINE_PREFIX_RE.sub("", line.folded)
        shift = len(line.folded) - len(text)  # _people_in_line reads the whole line
        if _SALES_HEADING_RE.match(text):
            role, current = "sales", None
            continue
        label = _ROLE_LABEL_RE.match(text)
        if label is not None:
            # 联系人 and research assistants are listed, but do not sign the report.
            role = "contact" if _CONTACT_LABEL_RE.search(label.group("label")) else "analyst"
            current = None
            rest = text[label.end():]
            if not rest.strip():
                continue
            inline = []
            # "证券分析师：王蔚祺 证券分析师：李全": one label per person on one line.
            starts = [shift + label.end(), *(shift + m.end() for m in _REPEATED_LABEL_RE.finditer(text, label.end()))]
            for start in starts:
                inline.extend(_people_in_line(line, start, role, named_by_label=True))
            people.extend(inline)
            current = inline[-1] if inline else None
            continue
        glued = _REPEATED_LABEL_RE.search(text)
        if glued is not None and glued.start() > 0 and _SAC_RE.search(text[: glued.start()]):
            # "分析师登记编号：S…证券分析师：张崴": the first person's certificate, then the next label.
            _attach(current, text[: glued.start()], whole_line=False)
            inline = _people_in_line(line, shift + glued.end(), "analyst", named_by_label=True)
            people.extend(inline)
            role, current = "analyst", (inline[-1] if inline else current)
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
    people.extend(_people_with_role_after_name(document, people))
    people.extend(_people_signing_emails(document, people))
    people.extend(_names_over_their_addresses(document, people))
    people.extend(_names_over_their_titles(document, people))
    _pair_certificates_in_order(document, people)
    return _deduplicate([_to_analyst(document, p) for p in people if p.confirmed() and p.role != "sales"])


# "殷晟路（分析师） 周航（联系人）": names with their role in brackets, attributes on later lines.
_NAME_THEN_ROLE_RE = re.compile(rf"([{CJK}]{{2,4}})\s*[（(]\s*((?:首席)?分析师|联系人|研究助理|研究员)\s*[）)]")


def _people_with_role_after_name(document: Document, known: list[_Person]) -> list[_Person]:
    names = {p.name for p in known}
    found: list[_Person] = []
    lines = document.content_lines()
    for position, line in enumerate(lines):
        on_line: list[_Person] = []
        for match in _NAME_THEN_ROLE_RE.finditer(line.folded):
            name = match.group(1)
            if name in names or _NOT_NAMES.search(name) or not has_surname(name):
                continue
            role = "contact" if _CONTACT_LABEL_RE.search(match.group(2)) else "analyst"
            on_line.append(_Person(name, role, line, line, named_by_label=True))
            names.add(name)
        if on_line:
            _attach_spelled_addresses(on_line, lines[position + 1 : position + 2 + 3 * len(on_line)])
        found.extend(on_line)
    return found


def _attach_spelled_addresses(people: list[_Person], below: list[TextLine]) -> None:
    """"殷晟路（分析师） 周航（联系人）" over "yinshenglu@…" / "证书编号：S079…" / "zhouhang1@…" / …:
    each address goes to the person it spells, and the certificate after it (before the next
    address) with it."""
    owner: _Person | None = None
    for line in below:
        text = line.folded.strip()
        address = _EMAIL_RE.fullmatch(text)
        if address is not None:
            local = re.sub(r"[^a-z]", "", address.group().split("@")[0].lower())
            owner = next((p for p in people if p.email is None and local in pinyin_spellings(p.name)), None)
            if owner is not None:
                owner.email, owner.last = address.group(), line
            continue
        sac = _SAC_RE.search(text)
        if sac is not None and owner is not None and owner.sac is None and _attributes(text).only:
            owner.sac, owner.last = sac.group(), line
            owner = None
        elif sac is None:
            break  # the block is over


_ZH_TOKEN_RE = re.compile(rf"(?<![{CJK}])[{CJK}]{{2,4}}(?![{CJK}])")


def _people_signing_emails(document: Document, known: list[_Person]) -> list[_Person]:
    """Analysts whose block shows no label the main pass understands: a name within three
    lines of an e-mail address that spells it ("曾朵红" … zengdh@…, "Andrew Boone, CFA" …
    aboone@…). Both halves must agree, so a stray name or address makes no person."""
    names = {p.name for p in known}
    emails = {p.email for p in known if p.email}
    lines = [line for line in document.content_lines() if line.page <= (document.pages[0].number + 1 if document.pages else 1)]
    found: list[_Person] = []
    for position, line in enumerate(lines):
        for email_match in _EMAIL_RE.finditer(line.folded):
            email = email_match.group()
            if email in emails:
                continue
            local = re.sub(r"[^a-z]", "", email.split("@")[0].lower())
            if len(local) < 3:
                continue
            window = lines[max(0, position - 3) : position + 1]
            person = _name_spelled_by(email, window, names)
            if person is None:
                continue
            name, name_line = person
            role = "contact" if _CONTACT_LABEL_RE.search(name_line.folded) else "analyst"
            signer = _Person(name, role, name_line, line, email=email)
            # The certificate sits in the same block: between the name and just after the address.
            # Between the two first (the next person's may follow the address), else just after.
            taken = {p.sac for p in known} | {p.sac for p in found}
            for block in (lines[lines.index(name_line) : position + 1], lines[position + 1 : position + 3]):
                sacs = {m.group() for other in block for m in _SAC_RE.finditer(other.folded)} - taken
                if sacs:
                    signer.sac = sacs.pop() if len(sacs) == 1 else None
                    break
            found.append(signer)
            names.add(name)
            emails.add(email)
    return found


# "文昊, CPA" / "胡泽宇，CFA医药分析师" over "bob.wen@bocomgroup.com": a Hong Kong broker's block,
# the address spelled with an English given name and the pinyin surname.
_NAME_LINE_RE = re.compile(rf"^(?P<name>[{CJK}]{{2,4}})(?:\s*[,，]\s*(?:CFA|CPA|FRM|PhD|ACCA)(?![A-Za-z]))?(?:[{CJK}]{{0,8}}分析师)?$")
_TITLE_LINE_RE = re.compile(rf"^[{CJK}]{{0,8}}(?:分析师|经济学家|策略师|研究员)$")


def _names_over_their_addresses(document: Document, known: list[_Person]) -> list[_Person]:
    """A line holding only a Chinese name (a CFA/CPA or a title after it allowed) directly
    above a line holding only an e-mail address whose parts include the name's surname in
    pinyin ("童钰枫" over "Carrie.Tong@…"). Page 1 only, where the analyst box is."""
    if not document.pages:
        return []
    names = {p.name for p in known}
    emails = {p.email for p in known if p.email}
    lines = [line for line in document.content_lines() if line.page == document.pages[0].number]
    found: list[_Person] = []
    for position, above in enumerate(lines[:-1]):
        below = lines[position + 1]
        if _TITLE_LINE_RE.match(below.folded.strip()) and position + 2 < len(lines):
            below = lines[position + 2]  # "赖烨烨" / "首席策略分析师" / "Melody_lai@…"
        match = _NAME_LINE_RE.match(above.folded.strip())
        address = _EMAIL_RE.fullmatch(below.folded.strip())
        if match is None or address is None or address.group() in emails:
            continue
        name = match.group("name")
        if name in names or not has_surname(name) or _NOT_NAMES.search(name):
            continue
        parts = set(re.split(r"[._\-]", address.group().split("@")[0].lower()))
        if not surname_readings(name) & parts:
            continue
        found.append(_Person(name, "analyst", above, below, email=address.group()))
        names.add(name)
        emails.add(address.group())
    return found


# A title after the name on its line: "Daniel Jester Analyst", "Kyle Aberasturi Senior Associate".
_TRAILING_TITLE_RE = re.compile(
    r"\s+(?:(?:Senior|Lead|Research|Equity|Managing)\s+)*(?:Analyst|Associate|Economist|Strategist|Director)s?$"
)
# "Yang BAI", "Qiuting WANG, CFA": the surname in capitals (Chinese and Korean banks).
_EN_CAPITAL_SURNAME_RE = re.compile(r"[A-Z][a-z]+(?:[\s-][A-Z][a-z]+)?\s+[A-Z]{2,}(?![A-Za-z])")


_TITLE_ONLY_RE = re.compile(r"^(?:(?:Senior|Lead|Chief)\s+)?(?:Research\s+|Equity\s+)?(?P<title>Analyst|Associate|Economist|Strategist)$")


def _names_over_their_titles(document: Document, known: list[_Person]) -> list[_Person]:
    """"Nabil Najeeb" / "Research Analyst" / "+44-20-754-17410": page 1's analyst box with no
    address — a name alone on its line, its title alone below, a phone or address below that."""
    if not document.pages:
        return []
    names = {p.name.replace(" ", "") for p in known}
    lines = [line for line in document.content_lines() if line.page == document.pages[0].number]
    found: list[_Person] = []
    for above, title_line, contact in zip(lines, lines[1:], lines[2:], strict=False):
        name_match = _EN_NAME_RE.fullmatch(above.folded.strip())
        title = _TITLE_ONLY_RE.match(title_line.folded.strip())
        reachable = _PHONE_RE.fullmatch(contact.folded.strip()) or _EMAIL_RE.fullmatch(contact.folded.strip())
        if name_match is None or title is None or not reachable:
            continue
        name = tidy(name_match.group())
        if name.replace(" ", "") in names or _NOT_NAMES.search(name):
            continue
        role = "contact" if _CONTACT_LABEL_RE.search(title.group("title")) else "analyst"
        person = _Person(name, role, above, contact, named_by_label=True)
        _attach(person, contact.folded)
        found.append(person)
        names.add(name.replace(" ", ""))
    return found


def _name_spelled_by(address: str, window: list[TextLine], taken: set[str]) -> tuple[str, TextLine] | None:
    local = re.sub(r"[^a-z]", "", address.split("@")[0].lower())
    for line in reversed(window):
        for token in _ZH_TOKEN_RE.findall(line.folded):
            for size in (3, 2, 4):  # a name glued to a label: 证券分析师曾朵红
                name = token[-size:] if len(token) >= size else None
                if not name or name in taken or not has_surname(name) or _NOT_NAMES.search(name):
                    continue
                if local in pinyin_spellings(name):
                    return name, line
        text = _TRAILING_TITLE_RE.sub("", line.folded.strip())
        for pattern in (_EN_NAME_RE, _EN_CAPITAL_SURNAME_RE):
            for match in pattern.finditer(text):
                name = match.group().strip()
                if name not in taken and not _NOT_NAMES.search(name) and address_spells(address, name):
                    return name, line
    return None


def _pair_certificates_in_order(document: Document, people: list[_Person]) -> None:
    """Templates that print the names first and the certificates after them ("证券分析师：王蔚祺
    证券分析师：李全" … "S0980520080003 S0980524070002"): when the page holds exactly as many
    unattributed SAC numbers as named people without one, they pair in print order."""
    for page in {p.first.page for p in people}:
        # Contacts (联系人) hold no certificate: only signing analysts wait for one.
        waiting = [p for p in people if p.first.page == page and p.sac is None and p.role == "analyst" and p.confirmed()]
        taken = {p.sac for p in people if p.sac}
        free = [
            (line.index, m.group())
            for line in document.content_lines()
            if line.page == page
            for m in _SAC_RE.finditer(line.folded)
            if m.group() not in taken
        ]
        if waiting and len(free) == len(waiting) and all(index > waiting[0].first.index for index, _ in free):
            for person, (_, sac) in zip(waiting, free):
                person.sac = sac


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
        name, end = match.group(), match.end()
        glued = _GLUED_LABEL_RE.search(name) if pattern is _ZH_NAME_RE else None
        if glued is not None and glued.start() >= 2:
            name, end = name[: glued.start()], glued.start()  # "周豫电话：": the phone label abuts
        after = stripped[end : end + 1]
        if _NOT_NAMES.search(name.replace(" ", "")):
            continue
        if pattern is _ZH_NAME_RE and not has_surname(name.replace(" ", "")):
            continue  # 邮箱, 港股, 姓名: label words, not people
        if pattern is _EN_NAME_RE and after and after.isalpha():
            continue
        return tidy(name), offset + end
    return None


_GLUED_LABEL_RE = re.compile(r"(?:电话|邮箱|电邮|手机|执业)$")


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
    # "•：010-80927696": a bullet or a colon before the value is layout, not content.
    rest = _SAC_LABEL_RE.sub("", _EMAIL_LABEL_RE.sub("", rest)).strip(" |,;:•·▪●")
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
        glued = _SAC_FIRST_RE.match(text)
        if not found.only and glued is not None and len(_SAC_RE.findall(text)) == 1 and person.sac in (None, glued.group("sac")):
            person.sac = glued.group("sac")
            return True
        if not found.only or len(_SAC_RE.findall(text)) > 1:
            return False  # a row of several people's certificates is paired in order later
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
    if match is None or _NOT_NAMES.search(match.group(1)) or not has_surname(match.group(1)):
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
