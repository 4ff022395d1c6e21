"""Analyst blocks as real notes print them, each reproduced in a generated PDF and read
through parse -> clean -> meta -> extract: addresses with a middle initial, a nickname, a
particle or a generational suffix; a title after the name; surnames in capitals with SAC
numbers in between; a name over its title and phone with no address; names with their role
in brackets over the addresses and certificates in turn (开源证券); a template's field tag
and 姓名 labels, a certificate glued to the next column's text."""

from __future__ import annotations

from pathlib import Path

from pdf_factory import make_styled_pdf, make_text_pdf

from report_rag.extract import extract_facts
from report_rag.parse import PypdfParser, clean_pages, read_meta

_BODY = "We expect the platform to keep compounding free cash flow over the next three years."
_ZH_BODY = "本周储能板块景气上行，锂电需求和盈利有望超预期，我们继续看好电池和隔膜环节的龙头企业。"


def _people(tmp_path: Path, *lines: str) -> dict[str, tuple]:
    parsed = PypdfParser(max_pages=100).parse(make_text_pdf(tmp_path / "note.pdf", ["\n".join(lines)]))
    cleaned = clean_pages(parsed.raw_pages)
    facts = extract_facts(cleaned, read_meta(cleaned, parsed.metadata_title, parsed.first_page_runs))
    return {a.name: (a.role, a.sac, a.email) for a in facts.analysts}


def test_english_addresses_spell_names_in_their_many_forms(tmp_path: Path) -> None:
    people = _people(
        tmp_path, "Software | Estimate Changes", "January 29, 2026", _BODY,
        "Patrick Walravens", "Patrick.D.Walravens@citizensbank.com", "(415) 835-8943",
        "Tom O'Malley", "+1 212 526 0692", "thomas.omalley@barclays.com",
        "Arpad von Nemes", "+1 917 344 8461", "arpad.vonnemes@bernsteinsg.com",
        "Frederick Gooding III +1 312 551 4588", "fgooding@williamblair.com",
        "Daniel Jester Analyst", "daniel.jester@bmo.com (646) 276-6546",
        "Kyle Aberasturi Senior Associate", "kyle.aberasturi@bmo.com (917) 715-0142",
    )
    assert people["Patrick Walravens"][2] == "Patrick.D.Walravens@citizensbank.com"
    assert people["Tom O'Malley"][2] == "thomas.omalley@barclays.com"
    assert people["Arpad von Nemes"][2] == "arpad.vonnemes@bernsteinsg.com"
    assert people["Frederick Gooding III"][2] == "fgooding@williamblair.com"
    assert people["Daniel Jester"][2] == "daniel.jester@bmo.com"
    assert people["Kyle Aberasturi"][2] == "kyle.aberasturi@bmo.com"


def test_an_address_that_spells_no_name_nearby_makes_no_person(tmp_path: Path) -> None:
    people = _people(tmp_path, "Software outlook", _BODY, "Vicky WU, CFA Analyst", "weijia.wu@cicc.com.cn",
                     "Contact Desk", "sales.desk@bank.com")
    assert people == {}


def test_capitalised_surnames_take_the_certificate_between_name_and_address(tmp_path: Path) -> None:
    people = _people(
        tmp_path, "China Internet 2026 Outlook", _BODY,
        "Yang BAI Analyst", "SAC Reg. No.: S0080520110002", "SFC CE Ref: BGN055", "yang3.bai@cicc.com.cn",
        "Yanyan XIAO Analyst", "SAC Reg. No.: S0080521010001", "SFC CE Ref: BIL686", "yanyan.xiao@cicc.com.cn",
    )
    assert people["Yang BAI"][1:] == ("S0080520110002", "yang3.bai@cicc.com.cn")
    assert people["Yanyan XIAO"][1:] == ("S0080521010001", "yanyan.xiao@cicc.com.cn")


def _sidebar_people(tmp_path: Path, sidebar: list[str]) -> dict[str, tuple]:
    """Deutsche Bank's page 1: the body on the left, the analyst box in a narrow right column."""
    body = [(40.0, 780.0 - 14 * i, 10.0, text) for i, text in enumerate(["Capital goods: AI energy demand", *[_BODY[:60]] * 6])]
    box = [(420.0, 780.0 - 14 * i, 9.0, text) for i, text in enumerate(sidebar)]
    parsed = PypdfParser(max_pages=10).parse(make_styled_pdf(tmp_path / "box.pdf", [body + box]))
    cleaned = clean_pages(parsed.raw_pages)
    facts = extract_facts(cleaned, read_meta(cleaned, parsed.metadata_title, parsed.first_page_runs))
    return {a.name: (a.role, a.sac, a.email) for a in facts.analysts}


def test_names_over_their_titles_and_phones(tmp_path: Path) -> None:
    people = _sidebar_people(tmp_path, [
        "Gael de-Bray, CFA", "Research Analyst", "+33-1-4495-6562",
        "Nicole DeBlase", "Research Analyst", "+1-212-250-5916", "Key Changes",
    ])
    assert set(people) == {"Gael de-Bray, CFA", "Nicole DeBlase"}
    assert all(role == "analyst" for role, _, _ in people.values())
    # a name over a title with nothing to reach them by is not read as a signer
    assert _sidebar_people(tmp_path, ["Nicole DeBlase", "Research Analyst", "Key Changes"]) == {}


def test_names_with_roles_in_brackets_over_addresses_and_certificates_in_turn(tmp_path: Path) -> None:
    people = _people(
        tmp_path, "四季度业绩承压，储能高景气持续——公司信息更新报告",
        "殷晟路（分析师） 周航（联系人）", "yinshenglu@kysec.cn", "证书编号：S0790522080001",
        "zhouhang1@kysec.cn", "证书编号：S0790125050020", _ZH_BODY,
    )
    assert people["殷晟路"] == ("analyst", "S0790522080001", "yinshenglu@kysec.cn")
    assert people["周航"] == ("contact", "S0790125050020", "zhouhang1@kysec.cn")


def test_template_tags_name_labels_and_a_certificate_glued_to_the_next_column(tmp_path: Path) -> None:
    people = _people(
        tmp_path, "稳扎稳打，关注一季报较好的方向",
        "[Table_Author] 分析师：谭国超", "执业证书号：S0010521120002", "邮箱：tangc@hazq.com",
        "证券分析师", "姓名：卢仁扬", "资格编号：S1350525120002证券研究报告|宏观专题报告", _ZH_BODY,
    )
    assert people["谭国超"] == ("analyst", "S0010521120002", "tangc@hazq.com")
    assert people["卢仁扬"][:2] == ("analyst", "S1350525120002")


def test_the_sales_desk_listed_with_certificates_is_not_among_the_authors(tmp_path: Path) -> None:
    # 中航证券's disclosures page: "销售团队：" then names, phones, addresses and SAC numbers.
    people = _people(
        tmp_path, "药明康德（603259）", _ZH_BODY,
        "分析师：李蔚", "SAC执业证书：S0640523060001", "邮箱：liwjr@acicsec.com",
        _ZH_BODY,
        "销售团队：",
        "陈艺丹，18611188969，chenyd@avicsec.com，S0640125020003",
        "李裕淇，18674857775，liyuq@avicsec.com，S0640119010012",
        "分析师承诺：",
    )
    assert people == {"李蔚": ("analyst", "S0640523060001", "liwjr@acicsec.com")}
