"""Ask page under AppTest: streamed answer, citation chips that open the highlighted page,
refusals, sidebar filters, and a missing answer model."""

from __future__ import annotations

import json

import pytest
from corpus import write_corpus
from PIL import Image

from report_rag.errors import ConfigError
from report_rag.settings import Settings
from report_rag.store.library import Library
from report_rag_app import resources

QUESTION = "贵州茅台的目标价是多少？"
CITED = "贵州茅台的目标价为 2,100 元，维持买入评级[1]。"

pytest_plugins = ("app_harness",)  # the `harness` fixture


@pytest.fixture
def corpus_harness(harness, tmp_path):
    paths = write_corpus(tmp_path / "in")
    harness.ingest(*paths.values())
    return harness


def ask(at, question: str):
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def test_cited_answer_and_the_cited_page(corpus_harness):
    corpus_harness.reply(CITED)
    at = ask(corpus_harness.page("ask").run(), QUESTION)

    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert at.chat_message[0].markdown[0].value == QUESTION
    assert "2,100" in at.chat_message[1].markdown[0].value
    chip = at.button(key="ask-0-cite-0")
    assert chip.label == "[1] moutai.pdf p.1"
    assert not at.image  # the page opens on demand

    chip.click().run()
    assert not at.exception
    [image] = at.image
    assert image.captions == ["moutai.pdf · page 1 of 2"]
    quote = [m.value for m in at.markdown if m.value.startswith("> ")]
    assert quote and "2,100" in quote[0]
    # The served image is the rendered page with the quote found and marked (render cache).
    [meta] = (corpus_harness.home / "cache" / "page_images").glob("*.json")
    rendered = json.loads(meta.read_text())
    assert rendered["page"] == 1 and rendered["quote_found"] is True and rendered["boxes"]
    png = Image.open(meta.with_suffix(".png"))
    assert png.width > 500 and png.height > 700

    at.button(key="ask-0-cite-0").click().run()  # a second click closes it
    assert not at.image


def test_refusal_is_shown_as_a_refusal(corpus_harness):
    corpus_harness.reply("NOT_FOUND")
    at = ask(corpus_harness.page("ask").run(), "这份报告提到的银行股有哪些？")
    [warning] = at.warning
    assert "No answer from the reports" in warning.value
    assert "已入库的报告中没有提到这一点" in warning.value
    assert not [b for b in at.button if b.key and "-cite-" in b.key]


def test_unsupported_claims_are_listed(corpus_harness):
    corpus_harness.reply("营业收入为 999.99 亿元。")
    at = ask(corpus_harness.page("ask").run(), "贵州茅台上半年营业收入是多少？")
    assert "No answer" in at.warning[0].value
    [expander] = at.expander
    assert "not supported" in expander.label
    assert "999.99" in expander.markdown[0].value


def test_sidebar_report_filter_limits_the_search(corpus_harness):
    corpus_harness.reply(CITED)
    at = corpus_harness.page("ask").run()
    with Library(Settings()) as library:
        tencent = library.resolve_report("tencent_note.pdf").id
    at.sidebar.multiselect(key="ask_reports").set_value([tencent]).run()
    ask(at, QUESTION)
    # Only the Tencent note may be searched: the Moutai sentence is unsupported there.
    assert "No answer" in at.warning[0].value
    assert not [b for b in at.button if b.key and "-cite-" in b.key]


def test_broker_and_date_filters_reach_the_retriever(corpus_harness, monkeypatch):
    seen = []
    from report_rag_app import page_ask

    real = page_ask.ask_shared

    def spy(library, gate, reading, question, *, filters, k):
        seen.append((filters, k))
        return real(library, gate, reading, question, filters=filters, k=k)

    monkeypatch.setattr(page_ask, "ask_shared", spy)
    at = corpus_harness.page("ask").run()
    at.sidebar.checkbox(key="ask_by_date").check().run()
    at.sidebar.number_input(key="ask_k").set_value(4).run()
    ask(at, QUESTION)
    [(filters, k)] = seen
    assert k == 4 and filters.report_ids is None and filters.broker is None
    assert filters.since is not None and filters.until is not None and filters.since <= filters.until


def test_missing_answer_model_is_explained(corpus_harness, monkeypatch):
    def broken(settings):
        raise ConfigError("no GGUF at /nowhere/model.gguf")

    monkeypatch.setattr(resources, "make_generator", broken)
    resources.generator.clear()
    at = ask(corpus_harness.page("ask").run(), QUESTION)
    assert any("answer model is not available" in e.value and "/nowhere/model.gguf" in e.value for e in at.error)
