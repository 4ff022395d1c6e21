"""Cited question answering: retrieve, prompt, stream the model, verify every sentence.

`ask_stream` yields events as they happen (passages found, tokens, the final checked
answer) so a terminal or the web UI can render the answer while it is written; `ask`
collects them. The answer is refused, not guessed, when retrieval finds nothing, when
the model says the passages do not answer, or when no sentence survives verification.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from report_rag.answer.citations import Support, align, build_citations, strip_markers
from report_rag.answer.coverage import coverage_answer
from report_rag.answer.fact_answers import FACTS_SECTION, fact_answer, facts_passage
from report_rag.answer.prompt import NOT_FOUND_TOKEN, REFUSAL, build_prompt
from report_rag.parse.brokers import BROKERS, broker_named
from report_rag.retrieval.aliases import mentions_broker
from report_rag.retrieval.question import asks_for_facts, forecast_request, question_language, question_subjects
from report_rag.retrieval.retriever import Filters, Retriever
from report_rag.types import Answer, Citation, Passage

if TYPE_CHECKING:
    from report_rag.llm.base import Generator
    from report_rag.store.library import Library

# Room kept free in the context for the answer itself and the chat template's own tokens.
TEMPLATE_MARGIN_TOKENS = 64
@dataclass(frozen=True)
class PassagesFound:
    passages: tuple[Passage, ...]
    scope_reason: str = ""


@dataclass(frozen=True)
class EvidenceFound:
    """The best passages' key sentences for the question, each located on its page — shown
    while the model reads; the answer that follows replaces none of it."""

    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Final:
    answer: Answer


Event = PassagesFound | EvidenceFound | Token | Final
EVIDENCE_PASSAGES = 3  # key sentences shown at once: the best passages only


def unknown_subjects(library: Library, question: str, passages: list[Passage]) -> list[tuple[str, ...]]:
    """Companies the question names (Apple, Citi, 苹果) that no retrieved passage or its
    report's first page mentions: passages about something else must not answer for them."""
    subjects = question_subjects(question, [r.meta.broker for r in library.reports()])
    if not subjects:
        return []
    heads = library.report_heads()
    # An English name need not appear in a Chinese report about it (Asymchem is 凯莱英): where
    # the passages are Chinese, a Latin-only name is left to the model and the citation check.
    return [
        names
        for names in subjects
        if any(_nameable_in([names], p) for p in passages)
        and not any(_about_subjects(p, [names], heads) for p in passages)
    ]


_LATIN_NAME = re.compile(r"[A-Za-z0-9 .&'\-]+")


def _nameable_in(subjects: Sequence[tuple[str, ...]], passage: Passage) -> list[tuple[str, ...]]:
    """The subjects a passage can be expected to name. An English name need not appear in a
    Chinese report about it (Asymchem is 凯莱英): that is left to the numbers and the citation
    check. (English notes print Chinese companies' English names, so the converse stays.)"""
    if passage.report.meta.language != "zh":
        return list(subjects)
    return [names for names in subjects if not all(_LATIN_NAME.fullmatch(n) for n in names)]


def _refusal(
    question: str, language: str, model: str, timings: dict[str, float], unsupported: Iterable[str] = ()
) -> Answer:
    return Answer(
        question=question,
        answer=REFUSAL[language],
        refused=True,
        unsupported=list(unsupported),
        model=model,
        timings=timings,
        language=language,
    )


def ask_stream(
    library: Library,
    generator: Generator,
    question: str,
    *,
    filters: Filters = Filters(),
    k: int = 6,
    max_new_tokens: int = 384,
) -> Iterator[Event]:
    started = time.perf_counter()
    coverage = coverage_answer(library, question) if not filters.report_ids else None
    if coverage is not None:
        # Several brokers on one stock: every broker's latest rating/target from the joined
        # securities, each line cited to its own report.
        timings = {"retrieve_s": time.perf_counter() - started}
        yield PassagesFound(tuple(coverage.passages), "the stock's latest rating and target from each broker")
        yield EvidenceFound(tuple(key_sentences(library, question, coverage.passages)))
        timings["evidence_s"] = time.perf_counter() - started
        yield from _checked(library, question, coverage.text, coverage.passages, generator.name, timings, started,
                            supports=coverage.supports)
        return
    retrieval = Retriever(library).retrieve(question, k=k, filters=filters)
    passages = retrieval.passages
    direct = None
    if passages and (asks_for_facts(question) or forecast_request(question) is not None):
        passages = _with_fact_passages(library, retrieval.scoped_to, passages, question)
        direct = _direct_fact_answer(library, question, retrieval.scoped_to, passages, filters)
    timings = {"retrieve_s": time.perf_counter() - started}
    yield PassagesFound(tuple(passages), retrieval.scope_reason)
    if not passages or unknown_subjects(library, question, passages):
        language = question_language(question)
        timings.update(first_token_s=0.0, total_s=time.perf_counter() - started)
        yield Final(_refusal(question, language, generator.name, timings))
        return
    yield EvidenceFound(tuple(key_sentences(library, question, passages)))
    timings["evidence_s"] = time.perf_counter() - started
    if direct is not None:
        # A look-up of one report's extracted field: answered from the field itself, then
        # checked and cited exactly like a model's answer.
        yield from _checked(library, question, direct, [passages[0]], generator.name, timings, started)
        return
    yield from answer_from_passages(
        library, generator, question, passages, max_new_tokens=max_new_tokens, timings=timings,
        started=started, subjects=question_subjects(question, [r.meta.broker for r in library.reports()]),
    )


def _direct_fact_answer(
    library: Library, question: str, scoped_to: tuple[int, ...] | None, passages: list[Passage], filters: Filters
) -> str | None:
    """The fields' answer when the question is a look-up about exactly one report."""
    from report_rag.store.facts_tables import load_facts

    one_report = (scoped_to and len(scoped_to) == 1) or (filters.report_ids and len(filters.report_ids) == 1)
    first = passages[0]
    if not one_report or first.chunk.section != FACTS_SECTION:
        return None
    brokers = {r.meta.broker for r in library.reports() if r.meta.broker}
    if sum(mentions_broker(question, broker) for broker in brokers) > 1 or _names_another_broker(question, first):
        return None  # "中国银河证券和浦银国际分别…": one report's fields answer only half of it
    facts = load_facts(library.store, first.report.id)
    return fact_answer(question, facts, question_language(question)) if facts else None


def key_sentences(library: Library, question: str, passages: Sequence[Passage]) -> list[Citation]:
    """For each of the best passages, its sentence closest to the question, located verbatim
    on its page (the same quote finding as citations)."""
    shown = list(passages[:EVIDENCE_PASSAGES])
    support = Support(question, passages=list(range(1, len(shown) + 1)))
    return build_citations([support], shown, _page_reader(library))


def _names_another_broker(question: str, first: Passage) -> bool:
    """The question names a registry broker other than this report's — one the library may
    not even hold: its half of the question is not this report's to answer."""
    own = broker_named(first.report.meta.broker) if first.report.meta.broker else None
    return any(
        broker is not own and any(len(name) >= 4 and name in question for name in broker.printed_names())
        for broker in BROKERS
    )


def _checked(
    library: Library, question: str, text: str, passages: list[Passage], model: str,
    timings: dict[str, float], started: float, supports: list[Support] | None = None,
) -> Iterator[Event]:
    timings = dict(timings)
    timings["first_token_s"] = time.perf_counter() - started
    yield Token(text)
    # The text is built from the fields, so it rests on the facts passages by construction
    # (`supports`: which line rests on which; by default all of it on the first); the
    # citations still have to be located verbatim on their pages.
    supports = supports or [Support(strip_markers(text)[0], passages=[1])]
    citations = build_citations(supports, passages, _page_reader(library))
    timings["total_s"] = time.perf_counter() - started
    if not citations:
        yield Final(_refusal(question, question_language(question), model, timings))
        return
    yield Final(Answer(question=question, answer=text, refused=False, citations=citations,
                       unsupported=[], model=f"{model} (extracted facts)",
                       timings=timings, language=question_language(question)))


def _with_fact_passages(
    library: Library, scoped_to: tuple[int, ...] | None, passages: list[Passage], question: str
) -> list[Passage]:
    """Put the extracted facts of the report(s) in question ahead of the retrieved text."""
    from report_rag.store.facts_tables import load_facts

    report_ids = list(scoped_to) if scoped_to else [passages[0].report.id]
    by_id = {p.report.id: p.report for p in passages}
    extra = []
    for report_id in report_ids[:3]:
        report = by_id.get(report_id) or library.store.get_report(report_id)
        facts = load_facts(library.store, report_id) if report else None
        passage = facts_passage(report, facts, question) if report and facts else None  # facts imply report
        if passage is not None:
            extra.append(passage)
    return extra + passages


def answer_from_passages(
    library: Library,
    generator: Generator,
    question: str,
    passages: list[Passage],
    *,
    max_new_tokens: int = 384,
    timings: dict[str, float] | None = None,
    started: float | None = None,
    subjects: Sequence[tuple[str, ...]] = (),
    passage_tokens: int | None = None,
) -> Iterator[Event]:
    """Prompt the model with these passages, stream its tokens, then check every sentence.

    Used for questions (after retrieval) and for summaries (with a report's own passages).
    `subjects`: companies the question asks about (each as all its names); only passages
    from text or reports that name them can support the answer (Hengrui's target price is
    not Apple's, however well the numbers match). `passage_tokens`: the lean prompt's budget
    (None: the library's `llm.passage_tokens`; 0: whole passages, for summaries).
    """
    from report_rag.llm.base import ChatMessage, GenerationParams

    started = time.perf_counter() if started is None else started
    timings = dict(timings or {})
    language = question_language(question)
    budget = generator.context_tokens - max_new_tokens - TEMPLATE_MARGIN_TOKENS
    lean = library.settings.llm.passage_tokens if passage_tokens is None else passage_tokens
    prompt = build_prompt(
        question, passages, count_tokens=generator.count_tokens, budget_tokens=budget, passage_tokens=lean
    )
    messages = [ChatMessage("system", prompt.system), ChatMessage("user", prompt.user)]
    pieces: list[str] = []
    first_token = None
    for piece in generator.stream(messages, GenerationParams(max_new_tokens=max_new_tokens)):
        if first_token is None:
            first_token = time.perf_counter() - started
        pieces.append(piece)
        yield Token(piece)
    text = "".join(pieces).strip()
    timings["first_token_s"] = first_token or 0.0

    if not text or NOT_FOUND_TOKEN in text.upper().replace(" ", "_"):
        timings["total_s"] = time.perf_counter() - started
        yield Final(_refusal(question, language, generator.name, timings))
        return

    included = list(prompt.passages)
    heads = library.report_heads() if subjects else {}
    # An English-only name may stand for a Chinese report's company only when the passages
    # come from one report: across several, a passage about another company could answer.
    one_report = len({p.report.id for p in included}) == 1
    eligible = [_about_subjects(p, _nameable_in(subjects, p) if one_report else subjects, heads) for p in included]
    supports = align(text, included, eligible=eligible)
    citations = build_citations(supports, included, _page_reader(library))
    unsupported = [
        s.sentence + (f"  (not in the passages: {', '.join(s.missing)})" if s.missing else "")
        for s in supports
        if not s.supported
    ]
    timings["total_s"] = time.perf_counter() - started
    if supports and not citations:
        yield Final(_refusal(question, language, generator.name, timings, unsupported))
        return
    yield Final(
        Answer(
            question=question,
            answer=text,
            refused=False,
            citations=citations,
            unsupported=unsupported,
            model=generator.name,
            timings=timings,
            language=language,
        )
    )


def _about_subjects(passage: Passage, subjects: Sequence[tuple[str, ...]], heads: dict[int, str]) -> bool:
    where = " ".join(
        [passage.chunk.text, passage.report.meta.title or "", heads.get(passage.report.id, "")]
    ).lower()
    return all(any(name.lower() in where for name in names) for names in subjects)


def _page_reader(library: Library) -> Callable[[int, int], str]:
    @lru_cache(maxsize=64)
    def pages_of(report_id: int) -> dict[int, str]:
        return {p.number: p.text for p in library.store.pages(report_id)}

    return lambda report_id, page: pages_of(report_id).get(page, "")


def final_answer(events: Iterator[Event]) -> Answer:
    """Drain an event stream and return its checked answer."""
    final = None
    for event in events:
        if isinstance(event, Final):
            final = event.answer
    assert final is not None, "an answer stream always ends with Final"
    return final


def ask(library: Library, generator: Generator, question: str, **options: Any) -> Answer:
    return final_answer(ask_stream(library, generator, question, **options))
