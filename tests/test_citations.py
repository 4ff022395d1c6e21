"""Answer sentences checked against their passages: the rules for an answer in another
language than its passage."""

from __future__ import annotations


def test_an_answer_in_the_other_language_is_carried_by_its_facts() -> None:
    from report_rag.answer.citations import check_sentence

    chinese = "我们下调公司2026-2027年EPS预测至7.75/9.28元（前值9.52/11.01元），下调幅度-18.6%，维持买入评级。"
    english = "We maintain Outperform on Snowflake with a price target of $270, as consumption trends improve."
    assert check_sentence("BOCOM forecasts Sungrow's 2026E EPS at RMB7.75, revised down 18.6%.", chinese) == (0.6, [])
    # A number the passage does not print fails, whatever the language.
    assert check_sentence("BOCOM forecasts 2026 EPS of RMB8.10.", chinese)[1] == ["8.1"]
    # A year alone is not a fact that ties a sentence to a passage.
    assert check_sentence("The company will keep growing in 2026.", chinese)[0] < 0.5
    assert check_sentence("Wedbush 给 Snowflake 的目标价为 270 美元。", english) == (0.6, [])
    assert check_sentence("Wedbush 认为公司前景良好。", english)[0] < 0.5


def test_numbers_match_whole_numbers_only() -> None:
    from report_rag.answer.citations import check_sentence

    source = "每股盈利 13.48 元，2018 年收入 1,880.00 百万元，调整幅度 -18.6%。"
    assert check_sentence("EPS 为 3.48 元", source)[1] == ["3.48"]  # not inside 13.48
    assert check_sentence("2018年收入1880百万元，调整幅度18.6%", source)[1] == []
    assert check_sentence("收入为 18 百万元", source)[1] == ["18"]  # not inside 2018 or 18.6
