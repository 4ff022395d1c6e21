"""Chunking: structure-first cuts, exact offsets, headings, overlap, boilerplate flags."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from gold import gold_reports
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_fixtures import EN_NOTE, ZH_COMPANY, ZH_FLASH

from report_rag.parse.chunking import ChunkingParams, chunk_pages, chunk_source_text
from report_rag.parse.headings import classify_heading
from report_rag.types import Chunk, Page

PARAMS = ChunkingParams(size=450, overlap=60)


def index_of(pages: list[Page], number: int) -> int:
    return next(i for i, page in enumerate(pages) if page.number == number)


def covered(pages: list[Page], chunk: Chunk) -> dict[int, tuple[int, int]]:
    """Page index -> (start, end) the chunk covers on that page."""
    first, last = index_of(pages, chunk.page_start), index_of(pages, chunk.page_end)
    spans = {}
    for i in range(first, last + 1):
        start = chunk.start_offset if i == first else 0
        end = chunk.end_offset if i == last else len(pages[i].text)
        spans[i] = (start, end)
    return spans


def assert_chunk_invariants(pages: list[Page], chunks: list[Chunk], params: ChunkingParams) -> None:
    """Offsets map back to the text, chunks are in order and together cover every
    non-blank character of every page."""
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        first, last = index_of(pages, chunk.page_start), index_of(pages, chunk.page_end)
        assert first <= last
        assert chunk.text == chunk_source_text(pages, first, last, chunk.start_offset, chunk.end_offset)
        if first == last:
            assert pages[first].text[chunk.start_offset : chunk.end_offset] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
    for previous, chunk in zip(chunks, chunks[1:]):
        assert (index_of(pages, previous.page_end), previous.end_offset) <= (
            index_of(pages, chunk.page_end),
            chunk.end_offset,
        )
    for i, page in enumerate(pages):
        seen = [False] * len(page.text)
        for chunk in chunks:
            start, end = covered(pages, chunk).get(i, (0, 0))
            for position in range(start, end):
                seen[position] = True
        missing = [ch for ch, hit in zip(page.text, seen) if not hit and not ch.isspace()]
        assert not missing, f"page {page.number}: not in any chunk: {''.join(missing)[:80]!r}"


def chunk_with(chunks: list[Chunk], needle: str) -> Chunk:
    return next(c for c in chunks if needle in c.text)


def test_params_fingerprint_and_validation() -> None:
    fingerprint = PARAMS.fingerprint()
    assert json.loads(json.dumps(fingerprint)) == fingerprint
    assert fingerprint["size"] == 450 and fingerprint["overlap"] == 60 and "rules" in fingerprint
    assert ChunkingParams(500, 60).fingerprint() != fingerprint
    assert ChunkingParams() == PARAMS
    with pytest.raises(ValueError):
        ChunkingParams(size=100, overlap=60)
    with pytest.raises(ValueError):
        ChunkingParams(size=5, overlap=0)


@pytest.mark.parametrize("pages", [ZH_FLASH, ZH_COMPANY, EN_NOTE], ids=["zh-flash", "zh-company", "en-note"])
def test_realistic_reports_keep_invariants(pages: list[Page]) -> None:
    chunks = chunk_pages(pages, PARAMS)
    assert_chunk_invariants(pages, chunks, PARAMS)
    for chunk in chunks:
        lines = [line for line in chunk.text.split("\n") if line.strip()]
        if not any(classify_heading(line) for line in lines):
            assert len(chunk.text) <= PARAMS.size + PARAMS.overlap


def test_headings_attach_to_what_follows_and_name_the_section() -> None:
    chunks = chunk_pages(ZH_FLASH, PARAMS)
    first = chunks[0]
    assert "投资要点" in first.text and "热点事件" in first.text
    assert first.section == "投资要点"
    for chunk in chunks[:-1]:
        last_line = chunk.text.rstrip().split("\n")[-1]
        assert last_line not in {"投资要点", "相关报告", "分析师", "行业评级体系", "免责声明：", "风险提示："}
    assert chunk_with(chunks, "钉钉举办重磅会议").section == "相关报告"
    english = chunk_pages(EN_NOTE, PARAMS)
    assert chunk_with(english, "Our US$145 target price").section == "Valuation"
    assert chunk_with(english, "Our US$145 target price").text.startswith("Valuation\n")
    assert chunk_with(english, "Revenue 41,200").section == "Financial summary"


def test_long_bullet_is_split_at_sentence_ends_with_overlap() -> None:
    chunks = chunk_pages(ZH_FLASH, PARAMS)
    pieces = [c for c in chunks if "Gemma 2" in c.text and c.section == "投资要点"]
    assert len(pieces) >= 2
    for previous, chunk in zip(chunks, chunks[1:]):
        if chunk.page_start != previous.page_end or chunk.start_offset >= previous.end_offset:
            continue
        shared = ZH_FLASH[index_of(ZH_FLASH, chunk.page_start)].text[chunk.start_offset : previous.end_offset]
        assert previous.text.endswith(shared) and chunk.text.startswith(shared)
        assert 0 < len(shared) <= PARAMS.overlap
        # The overlap starts at a sentence boundary here (the text has plenty).
        before = ZH_FLASH[0].text[chunk.start_offset - 1]
        assert before in "。；！？\n" or before.isspace()


def test_no_overlap_into_a_new_section_or_page() -> None:
    chunks = chunk_pages(ZH_COMPANY, PARAMS)
    for chunk in chunks:
        if chunk.text.split("\n")[0].startswith(("一、", "二、", "核心观点", "免责声明")):
            assert chunk.text.split("\n")[0] in chunk.section or chunk.is_boilerplate
    second = chunk_with(chunks, "二、盈利预测与投资建议")
    assert second.text.startswith("二、盈利预测与投资建议")


def test_paragraph_running_over_a_page_break_is_one_chunk() -> None:
    chunks = chunk_pages(ZH_COMPANY, PARAMS)
    spanning = chunk_with(chunks, "带动\n产品结构持续优化")
    assert (spanning.page_start, spanning.page_end) == (1, 2)
    assert spanning.section == "一、服务器电源放量，盈利能力持续提升"
    assert ZH_COMPANY[0].text[spanning.start_offset :].startswith("一、服务器电源放量")
    assert ZH_COMPANY[1].text[: spanning.end_offset].endswith("提升空间。")


def test_heading_at_page_end_moves_to_the_next_page_content() -> None:
    chunks = chunk_pages(ZH_COMPANY, PARAMS)
    risks = chunk_with(chunks, "三、风险提示")
    assert "下游需求不及预期" in risks.text
    assert (risks.page_start, risks.page_end) == (2, 3)
    assert risks.section == "三、风险提示" and not risks.is_boilerplate
    view = "Demand is recovering across regions and channel inventory is back to normal. " * 3
    pages = [Page(1, f"Our view\n\n{view.strip()}\n\nValuation"), Page(2, "We value the shares at 12x EV/EBITDA.")]
    chunks = chunk_pages(pages, PARAMS)
    valuation = chunk_with(chunks, "12x EV/EBITDA")
    assert valuation.section == "Valuation" and valuation.text.startswith("Valuation\n")
    assert (valuation.page_start, valuation.page_end) == (1, 2)


def test_sentence_ending_at_page_break_does_not_span_pages() -> None:
    pages = [Page(1, "投资要点\n\n公司业绩超预期，毛利率创新高。"), Page(2, "我们上调盈利预测，维持买入评级。")]
    chunks = chunk_pages(pages, PARAMS)
    assert [(c.page_start, c.page_end) for c in chunks] == [(1, 1), (2, 2)]
    assert chunks[1].text == pages[1].text  # no overlap across the page break


def test_empty_input_and_blank_pages() -> None:
    assert chunk_pages([], PARAMS) == []
    assert chunk_pages([Page(1, ""), Page(2, "  \n\n ")], PARAMS) == []
    pages = [Page(1, "公司主营业务为服务器电源，客户覆盖海外主要云厂商，"), Page(2, ""), Page(3, "并已进入英伟达供应链。")]
    chunks = chunk_pages(pages, PARAMS)
    assert_chunk_invariants(pages, chunks, PARAMS)
    assert len(chunks) == 1 and (chunks[0].page_start, chunks[0].page_end) == (1, 3)
    assert chunks[0].text == "公司主营业务为服务器电源，客户覆盖海外主要云厂商，\n并已进入英伟达供应链。"


def test_page_with_only_a_table_is_kept_whole() -> None:
    rows = ["FY Dec (RMBm) 2023A 2024E 2025E 2026E"] + [
        f"Item{i} {1000 + i:,} {1100 + i:,} {1200 + i:,} {1300 + i:,}" for i in range(8)
    ]
    pages = [Page(1, "\n".join(rows))]
    chunks = chunk_pages(pages, PARAMS)
    assert len(chunks) == 1 and chunks[0].text == pages[0].text and not chunks[0].is_boilerplate
    long_table = [Page(1, "\n".join(rows * 5))]
    chunks = chunk_pages(long_table, PARAMS)
    assert_chunk_invariants(long_table, chunks, PARAMS)
    for chunk in chunks:  # cut between rows, never inside one
        own = chunk.text.split("\n")
        assert all(line in rows for line in own[1:-1])
        assert own[-1] in rows


def test_giant_cjk_paragraph_without_punctuation() -> None:
    text = "公司持续加大研发投入推动产品迭代升级" * 200  # 3,800 characters, no punctuation
    pages = [Page(1, text)]
    chunks = chunk_pages(pages, PARAMS)
    assert_chunk_invariants(pages, chunks, PARAMS)
    assert len(chunks) >= len(text) // PARAMS.size
    assert all(len(c.text) <= PARAMS.size + PARAMS.overlap for c in chunks)


def test_english_never_cut_inside_words_or_numbers() -> None:
    words = "year-on-year growth of 1,234.56 million in next-generation AI-optimised servers drove margins".split()
    text = " ".join(words * 60)  # one block, no sentence end
    pages = [Page(1, text)]
    chunks = chunk_pages(pages, PARAMS)
    assert_chunk_invariants(pages, chunks, PARAMS)
    vocabulary = set(words)
    for chunk in chunks:
        tokens = chunk.text.split()
        assert tokens[0] in vocabulary and tokens[-1] in vocabulary
        assert len(chunk.text) <= PARAMS.size + PARAMS.overlap
    unbroken = [Page(1, "x" * 1000)]  # a single token longer than `size` must still be cut
    chunks = chunk_pages(unbroken, PARAMS)
    assert_chunk_invariants(unbroken, chunks, PARAMS)


def test_body_risk_warning_is_content_but_disclaimer_risk_warning_is_boilerplate() -> None:
    chunks = chunk_pages(ZH_FLASH, PARAMS)
    assert not chunk_with(chunks, "风险提示：政策不确定性").is_boilerplate
    assert chunk_with(chunks, "报告中的内容和意见仅供参考").is_boilerplate
    tail_start = next(i for i, c in enumerate(chunks) if "行业评级体系" in c.text)
    assert all(c.is_boilerplate for c in chunks[tail_start:])
    assert not any(c.is_boilerplate for c in chunks[:tail_start])
    assert chunk_with(chunks, "网址：www.huajinsec.cn").is_boilerplate
    assert not chunk_with(chunks, "nishuang@huajinsec.cn").is_boilerplate

    company = chunk_pages(ZH_COMPANY, PARAMS)
    assert not chunk_with(company, "买入（维持）").is_boilerplate  # sidebar rating, not definitions
    assert not chunk_with(company, "下游需求不及预期").is_boilerplate
    assert chunk_with(company, "投资评级说明").is_boilerplate
    assert chunk_with(company, "风险提示：市场有风险").is_boilerplate
    assert chunk_with(company, "邮编：518048").is_boilerplate


def test_english_disclosures_are_boilerplate() -> None:
    chunks = chunk_pages(EN_NOTE, PARAMS)
    for needle in ("Key points", "Our US$145", "Downside risks include", "Revenue 41,200"):
        assert not chunk_with(chunks, needle).is_boilerplate, needle
    for needle in ("I, Jane Doe, certify", "for information purposes only", "Buy: the stock", "Tel: +852"):
        assert chunk_with(chunks, needle).is_boilerplate, needle
    assert chunk_with(chunks, "Investing in equities involves risk").is_boilerplate  # "Risks" in the tail


@pytest.mark.parametrize(
    "heading",
    ["免责声明", "免责声明：", "一、免责声明", "重要声明", "法律声明", "一般声明：", "特别声明", "版权声明", "信息披露",
     "评级说明", "投资评级说明", "行业评级体系", "本公司具备证券投资咨询业务资格的说明", "IMPORTANT DISCLOSURES",
     "Disclaimer", "Analyst Certification", "Disclosure Appendix", "Ratings definitions", "Legal entities"],
)
def test_boilerplate_headings_in_many_forms(heading: str) -> None:
    pages = [
        Page(1, "投资要点\n\n公司二季度收入同比增长 27%，毛利率提升 2.3 个百分点，超出市场预期。"),
        Page(2, f"{heading}\n\n本报告所载内容由研究团队编写，读者据此操作应自行判断。\n\n联系人：张三"),
    ]
    chunks = chunk_pages(pages, PARAMS)
    assert not chunk_with(chunks, "毛利率提升").is_boilerplate
    assert chunk_with(chunks, "自行判断").is_boilerplate
    assert chunk_with(chunks, "联系人").is_boilerplate


def test_inline_disclaimer_and_content_heading_closing_it() -> None:
    pages = [
        Page(1, "核心观点\n\n行业需求回暖，龙头公司份额持续提升。"),
        Page(2, "免责声明：本报告仅供本公司客户使用，本报告版权归本公司所有。\n\n二、盈利预测\n\n预计公司 2024 年净利润 8.6 亿元。"),
    ]
    chunks = chunk_pages(pages, PARAMS)
    assert chunk_with(chunks, "免责声明").is_boilerplate
    assert chunk_with(chunks, "免责声明").section == "免责声明"
    assert not chunk_with(chunks, "8.6 亿元").is_boilerplate


def test_disclaimer_paragraphs_without_heading_are_flagged() -> None:
    body = "公司发布半年报，收入同比增长 27%，净利润同比增长 42%，订单饱满。" * 6
    disclaimer = (
        "本报告仅供本公司客户使用。本报告中的信息均来源于公开资料，本公司不保证其准确性或完整性，"
        "报告中的内容和意见仅供参考，不构成投资建议，投资者据此作出的任何投资决策与本公司无关。"
    )
    pages = [Page(1, body), Page(2, f"{disclaimer}\n\n本公司及作者在自身所知情的范围内，与本报告所评价的证券没有利害关系。")]
    chunks = chunk_pages(pages, PARAMS)
    assert not chunk_with(chunks, "订单饱满").is_boilerplate
    assert chunk_with(chunks, "不构成投资建议").is_boilerplate
    assert chunk_with(chunks, "没有利害关系").is_boilerplate  # the section it opened


def test_thousand_pages_chunk_fast() -> None:
    pages = [Page(i + 1, (ZH_FLASH, EN_NOTE, ZH_COMPANY)[i % 3][i % 2].text) for i in range(1000)]
    started = time.perf_counter()
    chunks = chunk_pages(pages, PARAMS)
    elapsed = time.perf_counter() - started
    assert len(chunks) > 1000
    assert elapsed < 5.0, f"1,000 pages took {elapsed:.2f}s"  # ~0.5s on a laptop core


# --- property test -----------------------------------------------------------------------

_SENTENCES = st.sampled_from(
    [
        "公司二季度收入同比增长 27.4%，超出市场预期。",
        "毛利率提升 2.3 个百分点至 24.8%；",
        "Revenue rose 18% year-on-year to US$12.4bn.",
        "We raise FY25-26E EPS by 9-12% on stronger AI-server demand",
        "下游需求持续回暖带动出货量提升",
        "风险提示：政策不确定性、AI 落地不及预期。",
        "本报告仅供客户使用，仅供参考，不构成投资建议。",
        "Net margin 5.61 6.90 8.05 9.12",
        "x" * 120,
    ]
)
_HEADINGS = st.sampled_from(["投资要点", "一、行业概况", "Valuation", "KEY RISKS", "免责声明", "风险提示：", "Analyst Certification"])
_BULLETS = st.sampled_from(["", "◆ ", "• ", "- ", "1. ", "（一）", "■ "])


@st.composite
def _block(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(_HEADINGS)
    lines = draw(st.lists(st.tuples(_BULLETS, st.lists(_SENTENCES, min_size=1, max_size=12)), min_size=1, max_size=4))
    separator = draw(st.sampled_from(["", " "]))
    return "\n".join(bullet + separator.join(sentences) for bullet, sentences in lines)


@st.composite
def _page_text(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(_block(), max_size=8))
    gap = draw(st.sampled_from(["\n\n", "\n \n", "\n\n\n"]))
    return draw(st.sampled_from(["", " ", "\n"])) + gap.join(blocks) + draw(st.sampled_from(["", "\n", "  "]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(_page_text(), max_size=5),
    size=st.integers(40, 600),
    overlap_share=st.floats(0, 0.45),
)
def test_offsets_always_map_back_to_the_text(texts: list[str], size: int, overlap_share: float) -> None:
    params = ChunkingParams(size=size, overlap=min(int(size * overlap_share), size // 2 - 1))
    pages = [Page(i + 1, text) for i, text in enumerate(texts)]
    chunks = chunk_pages(pages, params)
    assert_chunk_invariants(pages, chunks, params)
    for chunk in chunks:
        assert not re.fullmatch(r"\s*", chunk.text)
        lines = [line for line in chunk.text.split("\n") if line.strip()]
        if not any(classify_heading(line) for line in lines):
            assert len(chunk.text) <= params.size + params.overlap


# --- the generated sample PDFs (sample_reports/gold.json) --------------------------------

SAMPLES = Path(__file__).resolve().parent.parent / "sample_reports"


@pytest.mark.parametrize("report", gold_reports(), ids=lambda r: r["file"])
def test_sample_pdfs_chunk_with_answers_whole_and_boilerplate_flagged(report: dict) -> None:
    from report_rag.parse.clean import clean_pages
    from report_rag.parse.pdf import PypdfParser

    path = SAMPLES / report["file"]
    if not path.exists():
        pytest.skip(f"{path.name} not generated: run python sample_reports/make_samples.py")
    pages = clean_pages(PypdfParser(max_pages=500).parse(path).raw_pages)
    chunks = chunk_pages(pages, PARAMS)
    assert_chunk_invariants(pages, chunks, PARAMS)
    content_only = set(report["content_pages"]) - set(report["boilerplate_pages"])
    boilerplate_only = set(report["boilerplate_pages"]) - set(report["content_pages"])
    for chunk in chunks:
        if {chunk.page_start, chunk.page_end} <= content_only:
            assert not chunk.is_boilerplate, chunk.text[:80]
        if {chunk.page_start, chunk.page_end} <= boilerplate_only:
            assert chunk.is_boilerplate, chunk.text[:80]
    squeeze = lambda text: re.sub(r"\s+", "", text)  # noqa: E731
    for qa in report["qa"]:
        hits = [c for c in chunks if squeeze(qa["answer_substring"]) in squeeze(c.text)]
        assert hits, f"answer split across chunks: {qa['answer_substring']!r}"
        assert any(c.page_start <= qa["page"] <= c.page_end for c in hits)


def test_seed_report_text_tail_is_boilerplate() -> None:
    seeds = sorted((SAMPLES.parent.parent / "shared" / "seed").glob("*.txt"))
    if not seeds:
        pytest.skip("shared/seed is not beside this checkout")
    pages = [Page(1, seeds[0].read_text(encoding="utf-8"))]
    chunks = chunk_pages(pages, PARAMS)
    assert_chunk_invariants(pages, chunks, PARAMS)
    assert not chunk_with(chunks, "政策不确定性、AI 落地不及预期").is_boilerplate
    tail = next(i for i, c in enumerate(chunks) if "行业评级体系" in c.text)
    assert all(c.is_boilerplate for c in chunks[tail:]) and not any(c.is_boilerplate for c in chunks[:tail])
