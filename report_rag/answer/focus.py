"""The lean prompt: only the sentences of the retrieved passages that bear on the question.

A small model on two CPU cores reads a prompt at 60–150 tokens/s, so every passage sentence
that cannot help the answer costs the user time before the first word. Each passage is cut
into sentences (table rows are lines, so a forecast row stays whole); a sentence scores by
the question's terms it shares — Chinese bigrams, words, numbers and years, with the other
language's names of the question's finance terms and companies (an English question over a
Chinese note) — plus a little for its passage's rank. The best sentences are taken until the
budget is spent and shown in document order, a gap marked "…". A passage none of whose
sentences bear on the question keeps its opening (a question such as "主要观点" names little).

The citation check still reads the whole passage: a trimmed prompt changes what the model
sees, never what an answer is checked against.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from report_rag.answer.citations import claim_terms
from report_rag.retrieval.aliases import expand_query

GAP = "…"
# Passage rank adds this much (best passage) down to nothing: at equal relevance, the
# retriever's order decides.
RANK_WEIGHT = 0.15
# A period header line (2024A 2025E 2026E …) is kept with any table row that is kept.
_PERIOD_HEADER = re.compile(r"(?:19|20)\d\d\s*[AaEeFfPp]\b|FY\s?\d\d")
_SEGMENT = re.compile(r"[^\n。！？!?；;]+[。！？!?；;]*|[。！？!?；;]+")
# English sentence ends: "… $200. T2 Supply" splits, "vs. our" and "U.S. Bank" do not.
_LATIN_END = re.compile(r"(?<=[a-z0-9%)][.!?])\s+(?=[A-Z\"“(])")
_MIN_SEGMENT_CHARS = 4


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str


def segments(text: str) -> list[Segment]:
    """Sentences and lines of a passage, with their offsets; nothing dropped but blanks."""
    out: list[Segment] = []
    for start, end in _spans(text):
        piece = text[start:end]
        if len(piece.strip()) >= _MIN_SEGMENT_CHARS:
            out.append(Segment(start, end, piece))
        elif out and piece.strip():
            out[-1] = Segment(out[-1].start, end, text[out[-1].start : end])
    return out


def _spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _SEGMENT.finditer(text):
        start = match.start()
        for end_mark in _LATIN_END.finditer(match.group()):
            spans.append((start, match.start() + end_mark.start()))
            start = match.start() + end_mark.end()
        spans.append((start, match.end()))
    return spans


# A figure's source note or a chart's axis carries no claim a question can be answered from.
_SOURCE_NOTE = re.compile(r"^\s*(?:数据来源|资料来源|来源|注|Sources?|Note)\s*[:：]", re.IGNORECASE)
_PROSE = re.compile(r"[\u4e00-\u9fff]{4}|(?:[A-Za-z]{2,}\W+){3}")
# A sentence that names nothing asked may still give the context the model needs to read the
# one that does (measured on real notes: leaving them all out lost answers), so such sentences
# fill what the budget leaves — prose only, never a chart's axis labels or a stray figure.


def question_terms(question: str, ignore: Sequence[str] = ()) -> set[str]:
    """The question's terms, less those of `ignore` (the brokers: a question names one to
    pick its report, and every page of that report prints the name)."""
    ignored: set[str] = set()
    for name in ignore:
        ignored |= claim_terms(name)
    return claim_terms(expand_query(question)) - ignored


def relevance(terms: set[str], sentence: str) -> float:
    if not terms:
        return 0.0
    return len(terms & claim_terms(sentence)) / math.sqrt(len(terms))


@dataclass(frozen=True)
class Focused:
    text: str  # the kept sentences in order, gaps marked
    tokens: int


def focus_passages(
    question: str,
    texts: Sequence[str],
    *,
    budget_tokens: int,
    count_tokens: Callable[[str], int],
    ignore: Sequence[str] = (),
) -> list[Focused | None]:
    """For each passage text (best first), its sentences that bear on the question, all of
    them within `budget_tokens`; None for a passage left out entirely. `ignore`: names whose
    terms make no sentence relevant (the brokers')."""
    terms = question_terms(question, ignore)
    scored: list[tuple[float, int, int]] = []  # (score, passage, segment)
    cut = [segments(t) for t in texts]
    for p, segs in enumerate(cut):
        prior = RANK_WEIGHT * (1 - p / max(len(texts), 1))
        for s, seg in enumerate(segs):
            if _SOURCE_NOTE.match(seg.text):
                continue
            score = relevance(terms, seg.text)
            if score == 0 and not _PROSE.search(seg.text):
                continue  # a chart label, a stray line: nothing for the model to read
            # Opening sentences carry a passage's subject; they win among irrelevant ones.
            scored.append((score + prior + (0.01 if s == 0 else 0.0), p, s))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    cost = {(p, s): count_tokens(seg.text) + 1 for p, segs in enumerate(cut) for s, seg in enumerate(segs)}
    chosen: dict[int, set[int]] = {}
    spent = 0
    for _, p, s in scored:
        extra = [s] + _header_for(cut[p], s)
        need = sum(cost[(p, i)] for i in extra if i not in chosen.get(p, set()))
        if spent + need > budget_tokens:
            if spent == 0 and not chosen:  # one sentence longer than the budget: it alone
                chosen.setdefault(p, set()).add(s)
                spent += cost[(p, s)]
            continue
        chosen.setdefault(p, set()).update(extra)
        spent += need
    out: list[Focused | None] = []
    for p, segs in enumerate(cut):
        keep = sorted(chosen.get(p, ()))
        if not keep:
            out.append(None)
            continue
        out.append(Focused(_render(texts[p], segs, keep), sum(cost[(p, i)] for i in keep)))
    return out


def _header_for(segs: Sequence[Segment], index: int) -> list[int]:
    """A table row's period header: the nearest line above it that names periods."""
    if not re.search(r"\d", segs[index].text) or _PERIOD_HEADER.search(segs[index].text):
        return []
    for i in range(index - 1, max(index - 12, -1), -1):
        if _PERIOD_HEADER.search(segs[i].text):
            return [i]
    return []


def _render(text: str, segs: Sequence[Segment], keep: Sequence[int]) -> str:
    parts: list[str] = []
    previous = -1
    for i in keep:
        if previous >= 0 and i != previous + 1:
            parts.append(GAP)
        elif previous < 0 and i > 0:
            parts.append(GAP)
        parts.append(segs[i].text.strip())
        previous = i
    if previous != len(segs) - 1:
        parts.append(GAP)
    return "\n".join(parts) if "\n" in text else " ".join(parts)
