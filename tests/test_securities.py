"""Securities joined across reports, one rule per test, and the stock view built on them."""

from __future__ import annotations

import json

import pytest

from report_rag.errors import StockNotFoundError
from report_rag.store.securities import Mention, SecurityDirectory, listing_key, stock_view


def _one(directory: SecurityDirectory, name: str | None, code: str | None):
    found = directory.of(name, code)
    assert found is not None
    return found


def test_every_printing_of_a_code_is_one_listing() -> None:
    assert {listing_key(c) for c in ("300750", "300750 CH", "300750.SZ")} == {"300750.SZ"}
    assert {listing_key(c) for c in ("700 HK", "00700.HK", "0700.HK")} == {"0700.HK"}
    assert {listing_key(c) for c in ("NVDA.O", "NVDA US", "NVDA.US")} == {"NVDA US"}
    directory = SecurityDirectory([Mention(1, "宁德时代", "300750"), Mention(2, "CATL", "300750 CH"),
                                   Mention(3, None, "300750.SZ")])
    [catl] = directory.securities
    assert catl.codes == ("300750.SZ",) and catl.reports == (1, 2, 3)
    assert set(catl.names) == {"宁德时代", "CATL"}


def test_a_name_printed_with_codes_in_two_markets_joins_them_as_share_classes() -> None:
    directory = SecurityDirectory([Mention(1, "比亚迪", "002594.SZ"), Mention(2, "比亚迪股份", "1211.HK"),
                                   Mention(3, "比亚迪", "1211 HK")])
    [byd] = directory.securities
    assert byd.codes == ("002594.SZ", "1211.HK") and byd.reports == (1, 2, 3)


def test_a_name_without_a_code_joins_its_named_security_suffix_insensitively() -> None:
    directory = SecurityDirectory([Mention(1, "快手-W", "1024.HK"), Mention(2, "快手", None)])
    [kuaishou] = directory.securities
    assert kuaishou.reports == (1, 2)
    assert _one(directory, "快手", None) is kuaishou


def test_a_name_with_two_codes_in_one_market_is_ambiguous_and_joins_nothing() -> None:
    # Two different A-share listings printed under one short name: a wrong code somewhere, or
    # two companies. Neither is merged into the other, and the bare name stays on its own.
    directory = SecurityDirectory([Mention(1, "华能", "600011.SH"), Mention(2, "华能", "600027.SH"),
                                   Mention(3, "华能", None)])
    assert len(directory.securities) == 3
    alone = _one(directory, "华能", None)
    assert alone.codes == () and alone.ambiguous_names == ("华能",)
    assert _one(directory, "华能", "600011.SH") != _one(directory, "华能", "600027.SH")


def test_different_names_without_codes_stay_apart() -> None:
    directory = SecurityDirectory([Mention(1, "腾讯控股", None), Mention(2, "Tencent Holdings", None)])
    assert len(directory.securities) == 2  # no code, no curated alias: not joined by guess


def test_find_by_code_form_whole_name_or_unique_part() -> None:
    directory = SecurityDirectory([Mention(1, "美团-W", "03690.HK"), Mention(2, "Meituan", "3690 HK"),
                                   Mention(3, "贵州茅台", "600519.SH"), Mention(4, "茅台酒业", None)])
    assert [s.key for s in directory.find("3690 HK")] == ["3690.HK"]
    assert [s.key for s in directory.find("meituan")] == ["3690.HK"]
    assert [s.key for s in directory.find("美团")] == ["3690.HK"]
    assert len(directory.find("茅台")) == 2  # a part naming two: the caller must choose
    assert directory.find("no such company") == []


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory, sample_pdfs):
    from report_rag.pipeline.ingest import ingest_paths
    from report_rag.settings import Settings
    from report_rag.store.library import Library

    home = tmp_path_factory.mktemp("stocks-home")
    with Library(Settings.for_tests(home)) as library:
        assert not ingest_paths(library, [str(p) for p in sample_pdfs]).failed
    return home


def test_the_samples_two_notes_on_moutai_join_in_one_view(sample_home) -> None:
    from report_rag.settings import Settings
    from report_rag.store import Store

    store = Store(Settings.for_tests(sample_home).db_url)
    view = stock_view(store, "600519")
    assert view.security.codes == ("600519.SH",)
    brokers = {entry.broker: entry for entry in view.latest}
    assert set(brokers) == {"开元证券", "华锦证券"}
    note = brokers["开元证券"]
    assert (note.kind, note.target, note.currency, note.price) == ("company", 1880.0, "CNY", 1426.0)
    assert round(note.upside or 0, 3) == round(1880 / 1426 - 1, 3)
    assert note.target_evidence is not None and "1880" in note.target_evidence.quote
    assert brokers["华锦证券"].kind == "list" and brokers["华锦证券"].rating_normalized == "buy"
    eps = {(p.year, p.value) for p in view.forecasts if p.metric == "eps"}
    assert (2025, 78.69) in eps
    assert all(p.source.evidence.quote for p in view.forecasts)
    with pytest.raises(StockNotFoundError, match="no stock"):
        stock_view(store, "不存在的公司")
    store.close()


def test_cli_json_matches_the_view_field_for_field(sample_home, capsys, tmp_path) -> None:
    from openpyxl import load_workbook

    from report_rag.cli.main import main
    from report_rag.settings import Settings
    from report_rag.store import Store

    store = Store(Settings.for_tests(sample_home).db_url)
    expected = stock_view(store, "Tencent").to_json()
    store.close()
    assert main(["--home", str(sample_home), "stock", "Tencent", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == expected
    assert main(["--home", str(sample_home), "stock", "0700.HK", "--xlsx", str(tmp_path / "t.xlsx")]) == 0
    book = load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == ["latest", "history", "forecasts", "spreads"]
    header = [c.value for c in book["forecasts"][1]]
    assert {"file", "page", "quote"} <= set(header)
    assert book["latest"].max_row == len(expected["latest"]) + 1
    assert main(["--home", str(sample_home), "stock", "nothing-like-this"]) != 0
    assert "no stock" in capsys.readouterr().err


def test_legal_form_words_do_not_split_a_company() -> None:
    directory = SecurityDirectory([Mention(1, "NVIDIA Corporation", "NVDA US"), Mention(2, "NVIDIA Corp", None),
                                   Mention(3, "NVIDIA Corp.", "NVDA.O")])
    [nvidia] = directory.securities
    assert nvidia.reports == (1, 2, 3) and nvidia.codes == ("NVDA US",)


def test_the_digest_counts_one_stock_under_two_names_once() -> None:
    from report_rag.answer.digest import consensus
    from report_rag.store.facts_queries import PickRecord
    from report_rag.types import Evidence

    def pick(report_id: int, broker: str, stock: str, code: str | None, rating: str) -> PickRecord:
        return PickRecord(report_id, f"r{report_id}.pdf", None, broker, None, None, None, stock, code, rating,
                          Evidence(1, stock))

    picks = [pick(1, "华锦证券", "腾讯控股", "0700.HK", "买入"), pick(2, "Harbourline", "Tencent", "700 HK", "Neutral"),
             pick(3, "开元证券", "腾讯控股", None, "增持")]
    directory = SecurityDirectory(Mention(p.report_id, p.stock, p.code) for p in picks)
    [tencent] = consensus(picks, directory)
    assert tencent.mentions == 3 and tencent.code == "0700.HK"
    assert tencent.disagreement  # buy vs neutral vs outperform, across the joined names
    assert len(consensus(picks)) == 3  # without the directory: three "stocks"


def test_an_unrated_row_does_not_take_the_industry_notes_rating() -> None:
    from report_rag.answer.digest import consensus
    from report_rag.store.facts_queries import PickRecord
    from report_rag.types import Evidence

    # 爱建证券's table lists 中芯国际 as 未评级 in a 强于大市 industry note: listed, not rated
    unrated = PickRecord(1, "r1.pdf", None, "爱建证券", None, "强于大市", "outperform", "中芯国际", "0981.HK", "未评级",
                         Evidence(1, "中芯国际"))
    rated = PickRecord(1, "r1.pdf", None, "爱建证券", None, "强于大市", "outperform", "江波龙", "301308.SZ", None,
                       Evidence(1, "江波龙"))
    by_stock = {c.stock: c for c in consensus([unrated, rated])}
    assert by_stock["中芯国际"].ratings == {} and by_stock["中芯国际"].mentions == 1
    assert by_stock["江波龙"].ratings == {"爱建证券": "outperform"}  # no rating of its own: the note's


def test_a_bare_symbol_beside_its_listing_is_shown_as_that_listing() -> None:
    directory = SecurityDirectory([Mention(1, "NVIDIA", "NVDA"), Mention(2, "NVIDIA Corporation", "NVDA US")])
    [nvidia] = directory.securities
    assert nvidia.codes == ("NVDA US",) and nvidia.reports == (1, 2)


def _entry(report_id: int, broker: str | None, day: str | None, rating: str, normalized: str,
           target: float | None = None, currency: str | None = "CNY", action: str | None = None):
    from datetime import date

    from report_rag.types import Evidence
    from report_rag.types.stocks import CoverageEntry

    return CoverageEntry(
        report_id=report_id, file=f"r{report_id}.pdf", broker=broker, date=date.fromisoformat(day) if day else None,
        kind="company", rating=rating, rating_normalized=normalized, action=action, target=target,
        currency=currency, price=None, rating_evidence=Evidence(1, f"评级：{rating}"),
        target_evidence=None, price_evidence=None,
    )


def test_a_brokers_notes_on_one_stock_show_its_moves_between_them() -> None:
    from report_rag.store.securities import _with_moves

    history = [
        _entry(1, "国金证券", "2024-03-01", "增持", "outperform", 200.0),
        _entry(2, "中信证券", "2024-04-01", "买入", "buy", 250.0),
        _entry(3, "国金证券", "2024-06-01", "买入", "buy", 230.0),
        _entry(4, "国金证券", None, "中性", "neutral"),  # undated: no place in the order
        _entry(5, "国金证券", "2024-09-01", "买入", "buy", 30.0, currency="HKD"),
        _entry(6, "中信证券", "2024-10-01", "中性", "neutral", 180.0),
    ]
    moved = {e.report_id: e for e in _with_moves(history)}
    assert (moved[3].move, moved[3].previous_rating, moved[3].previous_target) == ("upgrade", "增持", 200.0)
    assert moved[1].move is None and moved[2].move is None  # each broker's first note
    assert moved[4].move is None and moved[4].previous_rating is None
    assert moved[5].move == "maintain" and moved[5].previous_target is None  # another currency's target
    assert moved[6].move == "downgrade" and moved[6].previous_rating == "买入"
    assert [e.report_id for e in moved.values() if e.changed] == [3, 6]


def test_the_digest_lists_rating_changes_per_joined_security(monkeypatch) -> None:
    from report_rag.answer import digest as digest_module
    from report_rag.store.securities import _with_moves
    from report_rag.types.stocks import Security, StockView

    meituan = Security(key="3690.HK", names=("美团", "Meituan"), codes=("3690.HK",), reports=(1, 2, 3))
    history = _with_moves([
        _entry(1, "华锦证券", "2024-05-01", "增持", "outperform"),
        _entry(2, "华锦证券", "2024-08-01", "买入", "buy"),  # a note naming it Meituan: same security
        _entry(3, "Harbourline", "2024-09-01", "Overweight", "outperform", action="initiate"),
    ])
    monkeypatch.setattr(digest_module, "security_views", lambda store, directory=None: [StockView(meituan, history=history)])

    class FakeLibrary:
        store = None

    changes = digest_module.security_changes(FakeLibrary())  # type: ignore[arg-type]
    assert [(s.key, e.report_id) for s, e in changes] == [("3690.HK", 3), ("3690.HK", 2)]  # newest first
    from datetime import date

    recent = digest_module.security_changes(FakeLibrary(), since=date(2024, 8, 15))  # type: ignore[arg-type]
    assert [e.report_id for _, e in recent] == [3]


def test_a_question_across_brokers_on_one_stock_is_answered_from_the_joined_view(sample_home) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from scripted_generator import ScriptedGenerator

    from report_rag.answer import ask
    from report_rag.settings import Settings
    from report_rag.store.library import Library

    model = ScriptedGenerator("NOT_FOUND")  # must not be needed
    with Library(Settings.for_tests(sample_home)) as library:
        answer = ask(library, model, "各家券商分别给贵州茅台什么评级？")
        assert not answer.refused and model.seen_messages == []
        assert "开元证券" in answer.answer and "华锦证券" in answer.answer
        # one line per broker, each cited to its own report's page
        assert len({c.report_id for c in answer.citations}) == 2
        pages = {c.report_id: {p.number: p.text for p in library.store.pages(c.report_id)} for c in answer.citations}
        assert all(c.quote in pages[c.report_id][c.page] for c in answer.citations)
        # in English, by the stock's English name; both rate it Buy, so no one is singled out
        rated = ask(library, model, "Which broker is more positive on Kweichow Moutai?")
        assert not rated.refused and "开元证券" in rated.answer and "华锦证券" in rated.answer
        assert "most positive" not in rated.answer
        # a target only one broker prints: one report's look-up, the model's job
        assert ask(library, model, "Which broker has the highest target price for Moutai?").refused
        # one broker named: that report's own look-up, not the cross-broker answer
        single = ask(library, model, "开元证券给贵州茅台的目标价是多少？")
        assert "华锦证券" not in single.answer
        # a question naming no stock of the library is not answered from any view
        assert ask(library, model, "Which broker is most positive on Apple?").refused


def test_the_broker_singled_out_only_when_the_numbers_decide() -> None:
    from report_rag.answer.coverage import _ranking
    from report_rag.types import Evidence
    from report_rag.types.stocks import CoverageEntry

    def entry(report_id: int, broker: str, rating: str, level: str, target: float | None, currency: str = "USD"):
        return CoverageEntry(report_id, f"r{report_id}.pdf", broker, None, "company", rating, level, None, target,
                             currency, None, Evidence(1, rating), Evidence(1, str(target)), None)

    numbers = {1: 1, 2: 2, 3: 3}
    three = [entry(1, "BofA", "BUY", "buy", 235.0), entry(2, "Morgan Stanley", "Overweight", "outperform", 170.0),
             entry(3, "UBS", "Buy", "buy", 175.0)]
    assert _ranking("Which broker has the highest NVIDIA price target?", three, numbers, False) == (
        "The highest target price is BofA's: 235 USD", 1)
    assert _ranking("哪家券商目标价最低？", three, numbers, True) == ("目标价最低的是Morgan Stanley：170 USD", 2)
    assert _ranking("Which one is more positive?", three, numbers, False) is None  # two Buys tie
    # "rates … highest" asks about the rating, not the target
    rated = [three[1], entry(6, "Roth", "NEUTRAL", "neutral", 150.0)]
    assert _ranking("Which broker rates NVIDIA highest?", rated, {2: 1, 6: 2}, False, wants_target=False) == (
        "The most positive is Morgan Stanley (Overweight)", 1)
    two = three[1:2] + [entry(4, "Citizens JMP", "MARKET OUTPERFORM", "outperform", 285.0)]
    assert _ranking("Which one is more positive?", two, {2: 1, 4: 2}, False) is None  # same level
    mixed = [three[0], entry(5, "CICC", "跑赢行业", "outperform", 1800.0, "HKD")]
    assert _ranking("Which broker has the highest target?", mixed, {1: 1, 5: 2}, False) is None  # two currencies
