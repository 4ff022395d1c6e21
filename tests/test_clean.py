"""clean_pages: soft wraps rejoined, structure kept, page furniture dropped — in Chinese and
English, on synthetic text (every rule) and, when they exist, on the sample report PDFs
checked against their ground truth (sample_reports/gold.json)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from report_rag.parse.clean import clean_pages
from report_rag.parse.pdf import PypdfParser
from report_rag.types import Page

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_reports"

# Body lines as a typesetter wraps them: CJK cut at any character, each line full.
CN_PARAGRAPH = (
    "◆ 热点事件：6月27日，Google 面向全球研究人员和开发人员发布 Gemma 2 大语言\n"
    "模型，目前有 90 亿参数 (9B) 和 270 亿参数 (27B) 两种大小，并将在未来几个月发\n"
    "布参数为 26 亿的 Gemma 2 模型，更适合智能手机的人工智能应用场景。"
)
CN_JOINED = CN_PARAGRAPH.replace("\n", "")
EN_PARAGRAPH = (
    "Revenue grew 20% year on year, driven by strong demand for cloud services and\n"
    "better pricing across the semi-\n"
    "conductor portfolio. Margins widened as the AI-driven mix shift continued and\n"
    "operating leverage improved."
)
EN_JOINED = (
    "Revenue grew 20% year on year, driven by strong demand for cloud services and "
    "better pricing across the semiconductor portfolio. Margins widened as the AI-driven "
    "mix shift continued and operating leverage improved."
)
CN_LONG = "大语言模型持续迭代，降本增效有望加速 AI 赋能 B 端和 C 端应用和生产，我们持续看好"


def clean_one(text: str) -> str:
    return clean_pages([text])[0].text


def blocks(text: str) -> list[str]:
    return text.split("\n\n")


# --- joining soft wraps -----------------------------------------------------------------


def test_chinese_wraps_join_without_spaces():
    assert clean_one(CN_PARAGRAPH) == CN_JOINED


def test_english_wraps_join_with_spaces_and_dehyphenate():
    assert clean_one(EN_PARAGRAPH) == EN_JOINED


def test_real_hyphens_survive_a_line_break():
    text = (
        "The company signed long-term contracts with several cloud providers and its AI-\n"
        "driven products and COVID-\n"
        "19 recovery plans were well received by long-\n"
        "term investors in the Sino-\n"
        "American market, beating its five-\n"
        "year average in a slower-than-\n"
        "expected market."
    )
    cleaned = clean_one(text)
    assert "AI-driven" in cleaned  # an upper-case fragment is an acronym, not a syllable
    assert "COVID-19" in cleaned
    assert "long-term investors" in cleaned  # seen hyphenated elsewhere in the document
    assert "Sino-American" in cleaned  # the next line starts upper-case
    assert "five-year" in cleaned  # a number word heads a compound
    assert "slower-than-expected" in cleaned  # a chain of hyphens is a compound


def test_mixed_chinese_and_latin_wraps():
    text = (
        "我们认为大语言模型持续迭代，降本增效有望加速人工智能赋能各行业，并推动\n"
        "Gemma 2 等开源模型在端侧落地，相关产业链公司有望受益于这一趋势的演进并\n"
        "实现业绩增长。"
    )
    assert clean_one(text) == text.replace("\n", "")


def test_line_cut_short_because_a_number_did_not_fit():
    text = (
        "三季度中芯国际收入环比增长\n"
        "14.2%，主要来自晶圆出货量的增长以及\n"
        "产品组合的变化。"
    )
    assert clean_one(text) == text.replace("\n", "")


def test_comma_at_line_end_always_continues():
    text = "建议关注：腾讯控股、网易-S、美图公司、汤姆猫、\n昆仑万维等。"
    assert clean_one(text) == "建议关注：腾讯控股、网易-S、美图公司、汤姆猫、昆仑万维等。"


def test_no_join_after_chinese_sentence_end():
    text = (
        "大语言模型持续迭代，降本增效有望加速 AI 赋能 B 端和 C 端应用和生产落地。\n"
        "与此同时，端侧模型的参数规模持续下降，部署门槛降低，利好 AI 生态持续拓展。"
    )
    cleaned = clean_one(text)
    assert re.search("生产落地。\n+与此同时", cleaned)


def test_short_last_line_ends_the_paragraph():
    text = (
        "第一段的文字很长很长，一直写到版心的最右边才会换行，换行之后还有一些文\n"
        "字。\n"
        "第二段的文字也很长，一直写到版心的最右边才会换行，换行之后还有一些文字。"
    )
    assert blocks(clean_one(text)) == [
        "第一段的文字很长很长，一直写到版心的最右边才会换行，换行之后还有一些文字。",
        "第二段的文字也很长，一直写到版心的最右边才会换行，换行之后还有一些文字。",
    ]


# --- structure is never joined across ------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        "◆ 投资建议：优质模型持续迭代",
        "⚫ 第二点",
        "● 第三点",
        "❑ 核心观点",
        "■ 重点公司",
        "□ 风险",
        "• Bullet in English",
        "▪ small square",
        "- dash item",
        "* star item",
        "1. First numbered",
        "2、第二项",
        "3) third",
        "（一）行业概况",
        "(1) 第一点",
        "一、行业概况",
        "图表 1：全球大模型参数规模",
        "资料来源：Wind，华金证券研究所",
        "Figure 2: Revenue by segment",
        "Source: company data",
    ],
)
def test_list_items_and_captions_start_a_new_block(item):
    assert blocks(clean_one(f"{CN_LONG}\n{item}")) == [CN_LONG, item]


def test_decimal_at_line_start_is_not_a_list_item():
    text = "公司预计 2024 年全年实现营业收入约\n1.5 亿元，同比增长。"
    assert clean_one(text) == "公司预计 2024 年全年实现营业收入约1.5 亿元，同比增长。"


def test_headings_stay_on_their_own_line():
    text = (
        "投资要点\n"
        f"{CN_LONG}\n"
        "优质轻量模型的迭代。\n"
        "风险提示\n"
        "政策不确定性、AI 落地不及预期、宏观环境波动风险等，请投资者注意相关风险因素。\n"
        "Key points\n"
        "Revenue grew 20% year on year, driven by strong demand for cloud services and more."
    )
    assert blocks(clean_one(text)) == [
        "投资要点",
        f"{CN_LONG}优质轻量模型的迭代。",
        "风险提示",
        "政策不确定性、AI 落地不及预期、宏观环境波动风险等，请投资者注意相关风险因素。",
        "Key points",
        "Revenue grew 20% year on year, driven by strong demand for cloud services and more.",
    ]


def test_section_heading_is_not_glued_to_its_body():
    text = (
        "一、DeepSeek-R1：开源推理模型的里程碑\n"
        "R1在训练中大规模使用强化学习，在仅有少量标注数据的情况下显著提升了推理能力。"
    )
    assert blocks(clean_one(text)) == text.split("\n")


def test_sidebar_label_after_a_column_cut_mid_sentence_is_not_glued():
    text = (
        "Capital expenditure rose as the company invests in GPUs for its foundation\n"
        "model, but the depreciation burden remains manageable relative to gross\n"
        "Key data\n"
        "Rating Buy (maintained)\n"
        "Target price HK$480.00"
    )
    cleaned = clean_one(text)
    assert "relative to gross\n\nKey data\nRating Buy (maintained)" in cleaned


def test_table_rows_stay_separate_lines():
    text = (
        "一年行业表现相对沪深 300 指数明显落后，主要受到宏观环境和行业政策的双重影响\n"
        "升幅% 1M 3M 12M\n"
        "相对收益 -4.21 -16.44 -24.01\n"
        "绝对收益 -9.2 -17.82 -34.18\n"
        "预计未来几个月行业估值仍有修复空间，我们维持领先大市评级，建议关注龙头。"
    )
    assert blocks(clean_one(text)) == [
        "一年行业表现相对沪深 300 指数明显落后，主要受到宏观环境和行业政策的双重影响",
        "升幅% 1M 3M 12M\n相对收益 -4.21 -16.44 -24.01\n绝对收益 -9.2 -17.82 -34.18",
        "预计未来几个月行业估值仍有修复空间，我们维持领先大市评级，建议关注龙头。",
    ]


def test_text_cell_rows_and_label_value_lines_stay_separate():
    text = (
        f"{CN_LONG}。\n"
        "公司 发布内容 主要看点\n"
        "商汤科技 日日新5.5 流式原生多模态交互\n"
        "中芯国际 688981.SH 买入\n"
        "总股本（亿股） 12.56\n"
        "52周最高/最低（元） 1880.10/1413.00"
    )
    assert blocks(clean_one(text))[1].split("\n") == text.split("\n")[1:]


def test_prose_with_dates_is_not_a_table_row():
    text = "1Q24: Video Accounts ads and Mini Games lead the\nrecovery (15 May 2024)"
    assert clean_one(text) == text.replace("\n", " ")


def test_blank_lines_separate_paragraphs():
    assert clean_one("First paragraph.\n\n\n\nSecond paragraph.") == (
        "First paragraph.\n\nSecond paragraph."
    )


def test_bullet_glyph_on_its_own_line_is_attached_to_its_text():
    assert clean_one("◆\n热点事件：谷歌发布大模型。") == "◆ 热点事件：谷歌发布大模型。"


@pytest.mark.parametrize("glyph", ["\uf06c", "\uf0b7", "\x7f", "\ufffd"])
def test_unmapped_symbol_font_bullet_becomes_a_bullet(glyph):
    # Wingdings/Symbol bullets without a Unicode mapping: private-use or control characters.
    assert clean_one(f"{glyph} 热点事件：谷歌发布大模型。") == "• 热点事件：谷歌发布大模型。"


def test_email_lines_stay_on_their_own():
    text = "SAC 执业证书编号：S1250523060004\nlinshuyao@hjsec.com.cn"
    assert clean_one(text) == text


# --- page furniture -------------------------------------------------------------------


def _body(page: int) -> list[str]:
    return [
        f"第{page}页正文第{n}行，大语言模型持续迭代，降本增效有望加速赋能各个行业的应用落地。"
        for n in range(1, 13)
    ]


def test_repeated_headers_footers_and_page_numbers_are_dropped():
    pages = []
    for n in range(1, 7):
        footer = "第 3 页 共 6 页" if n == 3 else f"{n}/6"
        header = ["华金证券 | 行业快报", "Gemma 2 发布，降本提效延展 AI 生态"]
        pages.append("\n".join([*header, *_body(n), "请务必阅读正文之后的免责条款(部分)", footer]))
    for page in clean_pages(pages):
        assert "华金证券 | 行业快报" not in page.text
        assert "Gemma 2 发布，降本提效延展 AI 生态" not in page.text
        assert "免责条款" not in page.text
        assert not re.search(r"\d/6|共 6 页", page.text)
        assert f"第{page.number}页正文第1行" in page.text
        assert f"第{page.number}页正文第12行" in page.text


def test_footer_with_notice_url_and_page_number_in_one_line_is_dropped():
    pages = [
        "\n".join([*_body(n), f"本报告仅供参考，请阅读最后一页的免责声明 www.ahsec.com.cn 第{n}页/共2页"])
        for n in (1, 2)
    ]
    for page in clean_pages(pages):
        assert "免责声明" not in page.text and "ahsec" not in page.text


def test_line_repeated_once_in_the_body_is_kept():
    pages = [
        "\n".join(["Acme Corp (ACME) | Equity Research", *_body(n), str(n)]) for n in range(1, 5)
    ]
    repeated = "我们维持买入评级。"
    pages[1] = pages[1].replace("第2页正文第6行", f"{repeated}\n第2页正文第6行")
    pages[3] = pages[3].replace("第4页正文第6行", f"{repeated}\n第4页正文第6行")
    cleaned = clean_pages(pages)
    assert repeated in cleaned[1].text and repeated in cleaned[3].text
    assert all("Acme Corp" not in page.text for page in cleaned)
    assert all(not page.text.endswith(str(page.number)) for page in cleaned)


def test_two_page_document_drops_footer_on_both_pages():
    pages = [
        "\n".join(
            [*_body(n), "Please see the last page for important disclosures.", f"Page {n} of 2"]
        )
        for n in (1, 2)
    ]
    for page in clean_pages(pages):
        assert "disclosures" not in page.text and "Page" not in page.text
        assert page.text.endswith("落地。")


def test_single_page_keeps_its_lines_but_drops_page_number_and_bare_urls():
    text = "\n".join(["Acme Corp (ACME)", *_body(1), "www.huajinsec.com", "- 1 -"])
    cleaned = clean_one(text)
    assert cleaned.startswith("Acme Corp (ACME)")
    assert "www.huajinsec.com" not in cleaned and "- 1 -" not in cleaned


def test_urls_inside_text_and_tickers_are_kept():
    text = "详见公司官网 www.example.com 的公告。\n0700.HK\n600519.SH"
    cleaned = clean_one(text)
    assert "www.example.com" in cleaned and "0700.HK" in cleaned and "600519.SH" in cleaned


# --- vertical sidebar text and whitespace ---------------------------------------------


def test_vertical_one_character_lines_collapse():
    text = "开\n源\n证\n券\n大语言模型持续迭代，降本增效有望加速赋能。"
    assert blocks(clean_one(text)) == ["开源证券", "大语言模型持续迭代，降本增效有望加速赋能。"]
    # Two single characters are not a vertical run (here: short table cells).
    assert clean_one("大语言模型持续迭代，降本增效有望加速赋能。\n是\n否").endswith("是\n否")


def test_vertical_sidebar_repeated_on_every_page_is_dropped():
    pages = ["\n".join(["开", "源", "证", "券", *_body(n)]) for n in (1, 2, 3)]
    for page in clean_pages(pages):
        assert "开源证券" not in page.text and "第" in page.text


def test_whitespace_and_control_characters_are_normalised():
    text = (
        "Revenue\u00a0grew\u3000to  RMB 1,234 mn   \x07\nin 2024\u200b.\r\n\n\n\n"
        "Next\x00 one\t here."
    )
    assert clean_one(text) == "Revenue grew to RMB 1,234 mn in 2024.\n\nNext one here."


def test_letter_spacing_between_chinese_characters_is_removed():
    assert clean_one("投 资 要 点") == "投资要点"
    assert clean_one("风 险 提 示：") == "风险提示："
    assert clean_one("模型持续迭代 降本增效，有望加速 AI 赋能 B 端。") == (
        "模型持续迭代降本增效，有望加速 AI 赋能 B 端。"
    )
    assert clean_one("降本增效 ，有望加速") == "降本增效，有望加速"


def test_spaces_between_latin_words_and_numbers_are_kept():
    assert clean_one("Gemma 2 发布 9B 和 27B 两种参数，共 13 万亿 tokens。") == (
        "Gemma 2 发布 9B 和 27B 两种参数，共 13 万亿 tokens。"
    )
    assert clean_one("相对收益 -4.21 -16.44 -24.01") == "相对收益 -4.21 -16.44 -24.01"
    # A label and its value are separate cells, not letter-spacing.
    assert clean_one("投资评级 领先大市-A维持") == "投资评级 领先大市-A维持"
    assert clean_one("产品/渠道 2024H1收入（亿元） 同比（%） 占比（%）") == (
        "产品/渠道 2024H1收入（亿元） 同比（%） 占比（%）"
    )


def test_radical_and_ligature_glyphs_fold_to_normal_characters():
    assert clean_one("⽣产经营情况良好，⼈⼯智能持续发展。") == (
        "生产经营情况良好，人工智能持续发展。"
    )
    assert clean_one("ﬁnancial ﬂows") == "financial flows"


# --- the contract -------------------------------------------------------------------


def test_every_page_comes_back_numbered_from_one():
    cleaned = clean_pages(["first page text", "", "\n \n", "third"])
    assert [page.number for page in cleaned] == [1, 2, 3, 4]
    assert all(isinstance(page, Page) for page in cleaned)
    assert cleaned[1].text == "" and cleaned[2].text == ""
    assert clean_pages([]) == []


def test_three_hundred_pages_are_fast_and_deterministic():
    pages = []
    for n in range(1, 301):
        body = _body(n) * 3 + ["相对收益 -4.21 -16.44 -24.01", "Revenue grew 20% on better pricing"]
        pages.append(
            "\n".join(["华金证券 | 行业快报", *body, "请务必阅读正文之后的免责条款", f"{n}/300"])
        )
    started = time.perf_counter()
    first = clean_pages(pages)
    elapsed = time.perf_counter() - started
    assert first == clean_pages(pages)
    assert elapsed < 3, f"300 pages took {elapsed:.2f}s"
    print(f"clean_pages: 300 pages ({sum(map(len, pages)):,} chars) in {elapsed * 1000:.0f} ms")


def test_round_trip_through_a_pdf(tmp_path):
    from pdf_factory import make_text_pdf

    pages = [
        f"华金证券 | 行业快报\n投 资 要 点\n{CN_PARAGRAPH}\n{EN_PARAGRAPH}\n"
        f"请务必阅读正文之后的免责条款(部分)\n{n} / 3"
        for n in (1, 2, 3)
    ]
    parsed = PypdfParser(max_pages=10).parse(make_text_pdf(tmp_path / "r.pdf", pages))
    for page in clean_pages(parsed.raw_pages):
        assert page.text == f"{CN_JOINED}\n\n{EN_JOINED}"


# --- the sample reports ---------------------------------------------------------------

SAMPLE_PDFS = sorted(SAMPLE_DIR.glob("*.pdf"))
GOLD_FILE = SAMPLE_DIR / "gold.json"
GOLD = json.loads(GOLD_FILE.read_text()) if GOLD_FILE.exists() else []


def _cleaned(pdf: Path) -> tuple[list[str], list[Page]]:
    raw_pages = PypdfParser(max_pages=500).parse(pdf).raw_pages
    return raw_pages, clean_pages(raw_pages)


@pytest.mark.skipif(not SAMPLE_PDFS, reason="no sample_reports/*.pdf generated yet")
@pytest.mark.parametrize("pdf", SAMPLE_PDFS, ids=lambda p: p.name)
def test_sample_report_has_no_broken_sentences_and_intact_identifiers(pdf):
    raw_pages, pages = _cleaned(pdf)
    assert len(pages) == len(raw_pages)
    # No wrapped Chinese sentence left broken: two long lines, the first ending in a Han
    # character, the second starting with one (short lines are labels or headings).
    for page in pages:
        lines = page.text.split("\n")
        for above, below in zip(lines, lines[1:], strict=False):
            if len(above) >= 30 and len(below) >= 30 and re.search(r"[\u4e00-\u9fff]$", above):
                assert not re.match(r"[\u4e00-\u9fff]", below), f"p{page.number}: {above!r}"
    text = "\n".join(page.text for page in pages)
    raw = "\n".join(raw_pages)
    for identifier in set(re.findall(r"S\d{13}|[\w.]+@[\w.-]+\.\w+", raw)):
        assert identifier in text  # SAC numbers and e-mails are never split or glued


@pytest.mark.skipif(not GOLD, reason="no sample_reports/gold.json generated yet")
@pytest.mark.parametrize("report", GOLD, ids=lambda report: report["file"])
def test_sample_report_matches_its_ground_truth(report):
    _, pages = _cleaned(SAMPLE_DIR / report["file"])
    text_of = {page.number: page.text for page in pages}
    lines_of = {page.number: set(page.text.split("\n")) for page in pages}

    for qa in report.get("qa", []):  # answers are found unbroken by a line break
        assert any(qa["answer_substring"] in text_of[n] for n in qa["pages"]), qa
    for number, headings in (report.get("headings") or {}).items():
        for heading in headings:  # headings stay on a line of their own
            assert heading in lines_of[int(number)], heading
    running = report.get("running_text") or {}
    for furniture in [*running.get("footer", []), *running.get("page_numbers", [])]:
        assert all(furniture not in lines for lines in lines_of.values()), furniture
    for header in running.get("header", []):  # a cover page may print it once
        assert sum(header in lines for lines in lines_of.values()) <= 1, header
    for word in report.get("hyphenated") or []:  # soft hyphens removed, real ones kept
        assert word["word"] in text_of[word["page"]], word
    for analyst in report.get("analysts", []):
        for key in ("sac", "email", "sfc_ce"):
            if analyst.get(key):
                assert any(analyst[key] in text for text in text_of.values()), analyst[key]
