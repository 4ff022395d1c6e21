"""Answering many users from one library and one model at once (the API, the web UI).

The library's reader lock is held only while the question reads the index — retrieval,
the evidence sentences — and released before the model is asked, so an upload's commit
waits for searches, never for someone's 30-second answer (and searches never wait behind
that commit either). The model's turn is taken only for its own work (`ModelGate.gated`);
before waiting for it the stream says how many requests are ahead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

from report_rag.answer.qa import EvidenceFound, Final, ask_stream
from report_rag.llm.gate import ModelGate
from report_rag.retrieval import Filters
from report_rag.store.library import Library


@dataclass(frozen=True)
class Queued:
    """The model is busy with other requests: `ahead` of them come first."""

    ahead: int


def ask_shared(
    library: Library,
    gate: ModelGate,
    reading: Callable[[], AbstractContextManager[object]],
    question: str,
    *,
    filters: Filters = Filters(),
    k: int = 6,
) -> Iterator[object]:
    """`ask_stream`'s events for a library and model other threads use too, plus `Queued`."""
    events = ask_stream(library, gate.gated(gate.generator()), question, filters=filters, k=k)
    with reading():
        for event in events:
            yield event
            if isinstance(event, Final):
                return
            if isinstance(event, EvidenceFound):
                break  # what follows reads SQL and the model, not the in-memory index
        else:
            return
    ahead = gate.ahead()
    if ahead:
        yield Queued(ahead)
    yield from events
