"""Questions across brokers about one stock — "which broker has the highest NVIDIA target",
"中国银河证券和浦银国际对药明康德分别给出什么评级和目标价" — answered from the joined
securities (`report_rag.store.securities`): every broker's latest rating and target for
the stock, each line cited to its own report's evidence, with the highest / lowest target or
the most positive rating named when the question asks for it. One report's field look-up
would answer for one broker only; retrieved chunks rarely hold every broker's number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from report_rag.answer.citations import Support
from report_rag.answer.fact_answers import evidence_passage, format_number
from report_rag.extract.ratings import RATING_LEVELS, is_unrated
from report_rag.retrieval.aliases import company_aliases, mentions_broker
from report_rag.retrieval.question import asks_beyond_fields, forecast_request, question_language
from report_rag.store.securities import view_named_in
from report_rag.types import Passage
from report_rag.types.stocks import CoverageEntry

if TYPE_CHECKING:
    from report_rag.store import Library

# The question is about several brokers' views, not one report's.
_ACROSS_BROKERS = re.compile(
    r"which (?:broker|bank|firm|one)|brokers|banks in|in this set|各家|哪家|哪个券商|哪些券商|分别|两家|几家|"
    r"最高|最低|最积极|最乐观|谁的|对比|比较|highest|lowest|most (?:positive|bullish|optimistic)|"
    r"more (?:positive|bullish|optimistic)|compare|consensus",
    re.IGNORECASE,
)
_RATING_CUE = re.compile(r"评级|看多|积极|乐观|\brat(?:e|es|ed|ing|ings)\b|positive|bullish|optimistic", re.IGNORECASE)
_TARGET_CUE = re.compile(r"目标价|target|\bPT\b|price objective", re.IGNORECASE)
_HIGHEST = re.compile(r"最高|highest|most upside|largest", re.IGNORECASE)
_LOWEST = re.compile(r"最低|lowest", re.IGNORECASE)
_MOST_POSITIVE = re.compile(r"最积极|最乐观|更积极|更乐观|most (?:positive|bullish|optimistic)|more (?:positive|bullish|optimistic)", re.IGNORECASE)
_WHY = re.compile(r"为什么|原因|理由|依据|\bwhy\b|\bbasis\b|\breason", re.IGNORECASE)


@dataclass(frozen=True)
class CoverageAnswer:
    text: str
    passages: list[Passage]
    supports: list[Support]


def coverage_answer(library: Library, question: str) -> CoverageAnswer | None:
    """The brokers' latest ratings/targets for the one stock a cross-broker question names."""
    if not _ACROSS_BROKERS.search(question) or _WHY.search(question):
        return None
    wants_rating, wants_target = bool(_RATING_CUE.search(question)), bool(_TARGET_CUE.search(question))
    if not (wants_rating or wants_target) or forecast_request(question) is not None:
        return None
    if asks_beyond_fields(_TARGET_CUE.sub("", question)):
        return None  # valuation methods, EPS …: for the model
    aliases = " ".join(name for group in company_aliases(question) for name in group)
    view = view_named_in(library.store, f"{question} {aliases}")
    if view is None:
        return None
    entries = [
        e for e in view.latest
        if (wants_rating and e.rating and not is_unrated(e.rating)) or (wants_target and e.target is not None)
    ]
    named = [e for e in entries if e.broker and mentions_broker(question, e.broker)]
    if len(named) >= 2:
        entries = named  # "中国银河证券和浦银国际…": the brokers asked about
    if len(entries) < 2:
        return None  # one broker's view is one report's look-up
    zh = question_language(question) == "zh"
    name = view.security.names[0] if view.security.names else view.security.key
    lines: list[str] = []
    passages: list[Passage] = []
    supports: list[Support] = []
    numbers: dict[int, int] = {}
    for entry in entries:
        evidence = [e for e in (entry.rating_evidence if wants_rating else None,
                                entry.target_evidence if wants_target else None) if e is not None]
        report = library.store.get_report(entry.report_id)
        passage = evidence_passage(report, evidence) if report is not None else None
        if passage is None:
            continue
        passages.append(passage)
        numbers[entry.report_id] = len(passages)
        line = _entry_line(entry, wants_rating, wants_target, zh)
        lines.append(f"{line}[{len(passages)}]")
        supports.append(Support(line, passages=[len(passages)]))
    if len(passages) < 2:
        return None
    kept = [e for e in entries if e.report_id in numbers]
    summary = _ranking(question, kept, numbers, zh, wants_target=wants_target)
    if summary is not None:
        sentence, number = summary
        lines.insert(0, f"{sentence}[{number}]")
        supports.insert(0, Support(sentence, passages=[number]))
    head = f"各券商对{name}的最新观点：" if zh else f"What the brokers in the library say about {name}:"
    separator = "；\n" if zh else ";\n"
    return CoverageAnswer(head + "\n" + separator.join(lines) + ("。" if zh else "."), passages, supports)


def _entry_line(entry: CoverageEntry, rating: bool, target: bool, zh: bool) -> str:
    broker = entry.broker or entry.file
    when = f"（{entry.date.isoformat()}）" if zh and entry.date else (f" ({entry.date.isoformat()})" if entry.date else "")
    parts = []
    if rating and entry.rating:
        parts.append(f"评级{entry.rating}" if zh else f"rating {entry.rating}")
    if target and entry.target is not None:
        value = f"{format_number(entry.target)}{' ' + entry.currency if entry.currency else ''}"
        parts.append(f"目标价{value}" if zh else f"target price {value}")
    if not parts:
        parts.append("未给出" if zh else "none printed")
    return f"{broker}{when}：" + "，".join(parts) if zh else f"{broker}{when}: " + ", ".join(parts)


def _ranking(
    question: str, entries: list[CoverageEntry], numbers: dict[int, int], zh: bool, *, wants_target: bool = True
) -> tuple[str, int] | None:
    """The one broker the question asks to single out, when the numbers decide it alone:
    the highest/lowest target (when it asks about targets), else the most positive rating
    ("Which broker rates NVIDIA highest?")."""
    targets = [e for e in entries if e.target is not None]
    if wants_target and (_HIGHEST.search(question) or _LOWEST.search(question)) and len(targets) >= 2 \
            and len({e.currency for e in targets}) == 1:
        pick = max if _HIGHEST.search(question) else min
        best = pick(targets, key=lambda e: e.target or 0.0)
        if sum(e.target == best.target for e in targets) == 1:
            word = ("最高" if pick is max else "最低") if zh else ("highest" if pick is max else "lowest")
            value = f"{format_number(best.target or 0.0)}{' ' + best.currency if best.currency else ''}"
            text = f"目标价{word}的是{best.broker}：{value}" if zh else f"The {word} target price is {best.broker}'s: {value}"
            return text, numbers[best.report_id]
    rated = [e for e in entries if e.rating_normalized in RATING_LEVELS]
    if (_MOST_POSITIVE.search(question) or (not wants_target and _HIGHEST.search(question))) and len(rated) >= 2:
        best = max(rated, key=lambda e: RATING_LEVELS.index(e.rating_normalized or "neutral"))
        level = RATING_LEVELS.index(best.rating_normalized or "neutral")
        if sum(RATING_LEVELS.index(e.rating_normalized or "neutral") == level for e in rated) == 1:
            text = f"评级最积极的是{best.broker}（{best.rating}）" if zh else f"The most positive is {best.broker} ({best.rating})"
            return text, numbers[best.report_id]
    return None
