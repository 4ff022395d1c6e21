"""Cited question answering: retrieve, prompt, stream the model, verify every sentence.

`ask_stream` yields events as they happen (passages found, tokens, the final checked
answer) so a terminal or the web UI can render the answer while it is written; `ask`
collects them. The answer is refused, not guessed, when retrieval finds nothing, when
the model says the passages do not answer, or when no sentence survives verification.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Iterator, Union

from .citations import align, build_citations
from .fact_passages import asks_for_facts, facts_passage
from .models import Answer
from .prompt import NOT_FOUND_TOKEN, REFUSAL, build_prompt, question_language
from .retrieve import Filters, Passage, Retriever

if TYPE_CHECKING:
    from .generate import Generator
    from .library import Library

# Room kept free in the context for the answer itself and the chat template's own tokens.
TEMPLATE_MARGIN_TOKENS = 64
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z&\-]{2,}\b")
_QUESTION_WORDS = frozenset(
    "What Which Who Whom Whose When Where Why How Does Did Do Is Are Was Were Can Could Should "
    "Would Will Please List Give Tell Summarise Summarize Name The This That These Those".split()
)


@dataclass(frozen=True)
class PassagesFound:
    passages: tuple[Passage, ...]
    scope_reason: str = ""


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Final:
    answer: Answer


Event = Union[PassagesFound, Token, Final]


def unknown_names(question: str, passages: list[Passage]) -> list[str]:
    """Proper names in an English question that no retrieved passage mentions (Apple, Citi).
    Passages about something else must not be used to answer about it."""
    corpus = " ".join(p.chunk.text + " " + (p.report.meta.title or "") for p in passages).lower()
    names = [w for w in _CAPITALISED.findall(question) if w not in _QUESTION_WORDS]
    return [n for n in names if n.lower() not in corpus]


def _refusal(question: str, language: str, model: str, timings: dict, unsupported=()) -> Answer:
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
    library: "Library",
    generator: "Generator",
    question: str,
    *,
    filters: Filters = Filters(),
    k: int = 6,
    max_new_tokens: int = 384,
) -> Iterator[Event]:
    started = time.perf_counter()
    retrieval = Retriever(library).retrieve(question, k=k, filters=filters)
    passages = retrieval.passages
    if passages and asks_for_facts(question):
        passages = _with_fact_passages(library, retrieval.scoped_to, passages)
    timings = {"retrieve_s": time.perf_counter() - started}
    yield PassagesFound(tuple(passages), retrieval.scope_reason)
    if not passages or unknown_names(question, passages):
        language = question_language(question)
        timings.update(first_token_s=0.0, total_s=time.perf_counter() - started)
        yield Final(_refusal(question, language, generator.name, timings))
        return
    yield from answer_from_passages(
        library, generator, question, passages, max_new_tokens=max_new_tokens, timings=timings, started=started
    )


def _with_fact_passages(library: "Library", scoped_to, passages: list[Passage]) -> list[Passage]:
    """Put the extracted facts of the report(s) in question ahead of the retrieved text."""
    from .facts_store import load_facts

    report_ids = list(scoped_to) if scoped_to else [passages[0].report.id]
    by_id = {p.report.id: p.report for p in passages}
    extra = []
    for report_id in report_ids[:3]:
        report = by_id.get(report_id) or library.store.get_report(report_id)
        facts = load_facts(library.store, report_id) if report else None
        passage = facts_passage(report, facts) if facts else None
        if passage is not None:
            extra.append(passage)
    return extra + passages


def answer_from_passages(
    library: "Library",
    generator: "Generator",
    question: str,
    passages: list[Passage],
    *,
    max_new_tokens: int = 384,
    timings: dict | None = None,
    started: float | None = None,
) -> Iterator[Event]:
    """Prompt the model with these passages, stream its tokens, then check every sentence.

    Used for questions (after retrieval) and for summaries (with a report's own passages).
    """
    from .generate import ChatMessage, GenerationParams

    started = time.perf_counter() if started is None else started
    timings = dict(timings or {})
    language = question_language(question)
    budget = generator.context_tokens - max_new_tokens - TEMPLATE_MARGIN_TOKENS
    prompt = build_prompt(question, passages, count_tokens=generator.count_tokens, budget_tokens=budget)
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
    supports = align(text, included)
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


def _page_reader(library: "Library"):
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


def ask(library: "Library", generator: "Generator", question: str, **options) -> Answer:
    return final_answer(ask_stream(library, generator, question, **options))
