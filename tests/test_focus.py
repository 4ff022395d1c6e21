"""The lean prompt: which passage sentences reach the model, within what budget."""

from __future__ import annotations

from report_rag.answer.focus import GAP, focus_passages, segments
from report_rag.answer.prompt import build_prompt
from report_rag.types import Chunk, Passage, Report, ReportMeta, ReportStatus


def chars(text: str) -> int:  # a stand-in tokenizer: deterministic, roughly proportional
    return max(1, len(text) // 2)


NOTE = (
    "公司发布2025年年报，营收同比增长12%。海外业务拓展顺利，新产能于四季度投产。"
    "我们维持买入评级，目标价45.6元。风险提示：原材料价格波动。\n"
    "盈利预测 2024A 2025E 2026E 2027E\n"
    "营业收入(百万元) 1200 1380 1560 1720\n"
    "EPS(元) 1.20 1.52 1.83 2.10\n"
    "PE 38 30 25 22"
)


def test_sentences_lines_and_english_sentence_ends():
    texts = [s.text.strip() for s in segments("We raise our PT to $200. Demand vs. our last check rose. U.S. Bank agrees.\n第一句的内容。第二行内容")]
    assert texts == ["We raise our PT to $200.", "Demand vs. our last check rose.", "U.S. Bank agrees.", "第一句的内容。", "第二行内容"]


def test_keeps_what_the_question_asks_and_drops_the_rest():
    [focused] = focus_passages("目标价是多少？", [NOTE], budget_tokens=20, count_tokens=chars)
    assert focused is not None and "目标价45.6元" in focused.text
    assert "原材料" not in focused.text and focused.tokens <= 20
    assert focused.text.startswith(GAP)  # what was cut is marked, not hidden


def test_a_table_row_keeps_its_period_header():
    [focused] = focus_passages("2026年EPS是多少", [NOTE], budget_tokens=30, count_tokens=chars)
    assert focused is not None
    lines = focused.text.split("\n")
    assert "EPS(元) 1.20 1.52 1.83 2.10" in lines
    assert lines.index("盈利预测 2024A 2025E 2026E 2027E") < lines.index("EPS(元) 1.20 1.52 1.83 2.10")


def test_english_question_finds_the_chinese_sentence():
    [focused] = focus_passages("What is the target price?", [NOTE], budget_tokens=20, count_tokens=chars)
    assert focused is not None and "目标价45.6元" in focused.text


def test_budget_spans_passages_best_first_and_leaves_out_the_irrelevant():
    other = "行业景气度回升，下游需求改善。渠道库存处于低位。"
    out = focus_passages("目标价是多少？", [NOTE, other], budget_tokens=20, count_tokens=chars)
    assert out[0] is not None and out[1] is None
    generous = focus_passages("目标价是多少？", [NOTE, other], budget_tokens=10_000, count_tokens=chars)
    assert generous[0] is not None and "目标价45.6元" in generous[0].text
    # Room for everything sends the prose around it too (context), never a chart's label line.
    assert generous[1] is not None and generous[1].text.startswith("行业景气度回升")
    assert "PE 38 30 25 22" not in generous[0].text


def test_source_notes_and_the_brokers_name_make_nothing_relevant():
    text = ("公司发布2025年年报，营收同比增长12%。海外业务拓展顺利。\n数据来源：Wind、开源证券研究所\n"
            "开源证券证券研究报告\n我们维持买入评级，目标价45.6元。")
    question = "开源证券给的目标价是多少？"
    [tight] = focus_passages(question, [text], budget_tokens=10, count_tokens=chars, ignore=["开源证券"])
    assert tight is not None and "目标价45.6元" in tight.text and "开源证券证券研究报告" not in tight.text
    [naive] = focus_passages(question, [text], budget_tokens=10, count_tokens=chars)
    assert naive is not None and "开源证券证券研究报告" in naive.text  # what the name alone would pick
    [generous] = focus_passages(question, [text], budget_tokens=10_000, count_tokens=chars, ignore=["开源证券"])
    assert generous is not None and "数据来源" not in generous.text


def _passage(text: str, section: str, report_id: int = 1) -> Passage:
    chunk = Chunk(text=text, page_start=1, page_end=1, start_offset=0, end_offset=len(text), section=section,
                  report_id=report_id)
    report = Report(id=report_id, file_name="note.pdf", path="note.pdf", content_hash="0" * 64,
                    status=ReportStatus.READY, meta=ReportMeta(title="点评"))
    return Passage(chunk=chunk, report=report, score=1.0)


def test_prompt_lean_or_whole_and_facts_always_whole():
    facts = _passage("评级：买入（维持）\n目标价：45.6元\n" + "分析师：张三 S0910519010001\n" * 20, "extracted facts")
    prose = _passage(NOTE, "正文")
    lean = build_prompt("目标价是多少？", [facts, prose], count_tokens=chars, budget_tokens=4000, passage_tokens=20)
    whole = build_prompt("目标价是多少？", [facts, prose], count_tokens=chars, budget_tokens=4000)
    assert facts.chunk.text.strip() in lean.user and facts.chunk.text.strip() in whole.user
    assert "原材料" not in lean.user and "原材料" in whole.user
    assert len(lean.user) < len(whole.user)
