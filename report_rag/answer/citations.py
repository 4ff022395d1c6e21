"""Link every answer sentence to the passage that supports it, and check that it does.

Small models often omit or misplace [n] markers, so markers are a hint, not the truth: a
sentence is supported by a passage only if every number, ticker and listed name in the
sentence occurs in that passage, and most of its wording does. An answer in the other
language than its passage (an English question on a Chinese note) shares no wording with
it; there the facts must carry it: every number, code and name in the passage, at least one
of them more than a year, or the finance terms and company names, translated, in it. The quote shown to the
user is the passage sentence closest to the answer sentence, located exactly in the page
text so the UI can highlight it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from report_rag.retrieval.aliases import GLOSSARY, company_aliases
from report_rag.text import CJK_RE, CJK_RUN_RE, NUMERIC_CODE_RE, find_span
from report_rag.types import Citation, Passage

_MARKER = re.compile(r"\s*[\[【〔［]\s*(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\s*[\]】〕］]")
_SENTENCE = re.compile(r"[^。！？!?\n]+(?:[。！？!?]+|$)|[^.\n]+(?:\.(?=\s|$)|$)")
_SENT_SPLIT = re.compile(r"(?<=[。！？!?；;])|(?<=\.)(?=\s)|\n+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[A-Za-z][A-Za-z\-']+")
_LIST_SPLIT = re.compile(r"[、;；]|(?<!\d)[,，](?!\d)|\band\b|和|及")
_LEAD_IN = re.compile(r"^.*(?:包括|包含|如下|分别是|分别为|有|为|是|关注|推荐|标的|股票)")
_EN_STOP = frozenset(
    "the a an of to in and or for on is are was were be by with as at from that this which it its "
    "their has have had report reports note says said according".split()
)
# Words that appear in answers without being claims about the documents.
_FILLER = re.compile(r"根据|报告|资料|显示|指出|认为|提到|表示|其中|包括|主要|以下|如下|分别|我们|该|本|这")


def split_sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENT_SPLIT.split(text)]
    return [p for p in parts if p and re.search(r"\w", p)]


def strip_markers(sentence: str) -> tuple[str, list[int]]:
    numbers: list[int] = []
    for match in _MARKER.finditer(sentence):
        numbers.extend(int(n) for n in re.split(r"\s*[,，、]\s*", match.group(1)))
    return _MARKER.sub("", sentence).strip(), numbers


def _numbers(text: str, *, min_digits: int = 2) -> set[str]:
    # 1,880 == 1880 == 1880.00; two digits or more by default: single digits ("3 risks") are prose.
    out = set()
    for match in _NUMBER.finditer(text):
        value = match.group().replace(",", "")
        if len(value.replace(".", "")) >= min_digits:
            out.add(_plain(value))
    return out


# "~30k wafers" is the model's "30,000片", "$35.6B" its "356亿美元": a number with a scale word
# also counts as its value written out.
_SCALED = re.compile(
    r"(\d+(?:[.,]\d+)*)\s?(thousand|million|billion|trillion|k|K|mn|m|M|bn|b|B|万亿|万|亿)(?![A-Za-z])"
)
_SCALES = {"k": 1e3, "K": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "M": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9,
           "B": 1e9, "billion": 1e9, "trillion": 1e12, "万": 1e4, "亿": 1e8, "万亿": 1e12}


def _plain(value: str) -> str:
    return value.rstrip("0").rstrip(".") if "." in value else value


def _scaled_numbers(text: str) -> set[str]:
    out = set()
    for match in _SCALED.finditer(text):
        value = round(float(match.group(1).replace(",", "")) * _SCALES[match.group(2)], 4)
        out.add(_plain(f"{value:.6f}") if value != int(value) else str(int(value)))
    return out


def _bigrams(text: str) -> set[str]:
    grams: set[str] = set()
    for run in CJK_RUN_RE.findall(_FILLER.sub(" ", text)):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in _EN_STOP and len(w) > 2}


_LIST_CUE = re.compile(r"关注|推荐|标的|首选|包括|包含|如下|分别是|picks?|include|including|such as|:|：", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"\d|资料|段落|报告|passage|根据")


def _listed_names(sentence: str) -> list[str]:
    """Short name-like items of an enumeration (建议关注：A、B、C): each must be in the source.

    、 always enumerates; a comma only does in a sentence that announces a list, since in
    Chinese prose it mostly separates clauses. Numbers are checked on their own.
    """
    has_list_cue = bool(_LIST_CUE.search(sentence))
    if "、" not in sentence and not (has_list_cue and re.search(r"(?<!\d)[,，](?!\d)", sentence)):
        return []
    body = re.split(r"[：:]", sentence, maxsplit=1)[-1]
    splitter = _LIST_SPLIT if has_list_cue else re.compile(r"[、]")
    items = [i.strip(" 。.等\"“”'") for i in splitter.split(body)]
    if items:
        items[0] = _LEAD_IN.sub("", items[0]).strip()
    return [
        i for i in items
        if 2 <= len(i) <= 12 and CJK_RE.search(i) and not _FILLER.fullmatch(i) and not _NOT_A_NAME.search(i)
    ]


def _normalised(text: str) -> str:
    """Compare on letters, digits and a few joiners only: spacing and punctuation differ
    between a model's sentence and the PDF's."""
    return re.sub(r"[^\w.%\-]+", "", text.replace(",", "")).lower()


@dataclass
class Support:
    sentence: str
    passages: list[int] = field(default_factory=list)  # 1-based passage numbers
    missing: list[str] = field(default_factory=list)  # numbers/names not found anywhere cited

    @property
    def supported(self) -> bool:
        return bool(self.passages)


def check_sentence(sentence: str, source: str) -> tuple[float, list[str]]:
    """(overlap score 0..1, facts missing from source) for one sentence against one passage."""
    flat = _normalised(source)
    # Whole numbers only: 3.48 is not in 13.48, 18 is not in 2018.
    printed = _numbers(source, min_digits=1) | _scaled_numbers(source)
    scaled = {match.group(1).replace(",", ""): match for match in _SCALED.finditer(sentence)}
    missing = [
        n for n in sorted(_numbers(sentence))
        if n not in printed and not (n in scaled and _scaled_numbers(scaled[n].group()) & printed)
    ]
    missing += [t for t in [m.group() for m in NUMERIC_CODE_RE.finditer(sentence)] if t.lower() not in flat]
    missing += [name for name in _listed_names(sentence) if _normalised(name) not in flat]
    grams, words = _bigrams(sentence), _words(sentence)
    source_grams, source_words = _bigrams(source), _words(source)
    total = len(grams) + len(words)
    if total == 0:
        return (1.0 if not missing else 0.0), missing
    hit = len(grams & source_grams) + len(words & source_words)
    overlap = hit / total
    if overlap < 0.5 and not missing and _script(sentence) != _script(source):
        overlap = max(overlap, _cross_script_support(sentence, source))
    return overlap, missing


_YEAR = re.compile(r"(?:19|20)\d\d")
CROSS_SCRIPT_SUPPORT = 0.6  # what a cross-language sentence scores when its facts are all there


def _script(text: str) -> str:
    """"cjk" or "latin": which script most of the text's letters are in."""
    cjk = len(CJK_RE.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "cjk" if cjk * 3 >= latin else "latin"


def _cross_script_support(sentence: str, source: str) -> float:
    """Support for a sentence in the other language than `source` (its numbers, codes and
    names already checked present): it needs a fact that is more than a year, or two
    finance terms / company names whose other-language forms the source prints."""
    facts = [n for n in _numbers(sentence) if not _YEAR.fullmatch(n)]
    facts += [m.group() for m in NUMERIC_CODE_RE.finditer(sentence)] + _listed_names(sentence)
    if facts:
        return CROSS_SCRIPT_SUPPORT
    lowered, flat = sentence.lower(), source.lower()
    terms = 0
    for english, chinese in GLOSSARY.items():
        if english in lowered and any(term in source for term in chinese):
            terms += 1
        elif any(term in sentence for term in chinese) and english in flat:
            terms += 1
    for aliases in company_aliases(sentence):
        if any(alias.lower() in flat for alias in aliases if alias.lower() not in lowered):
            terms += 1
    return CROSS_SCRIPT_SUPPORT if terms >= 2 else 0.0


def claim_terms(text: str) -> set[str]:
    """The terms a sentence's claims are compared on: Chinese bigrams, words, numbers."""
    return _bigrams(text) | _words(text) | _numbers(text)


def has_claims(sentence: str) -> bool:
    return bool(_numbers(sentence) or _bigrams(sentence) or _words(sentence))


def align(
    answer: str,
    passages: Sequence[Passage],
    min_overlap: float = 0.5,
    eligible: Sequence[bool] | None = None,
) -> list[Support]:
    """Which passages support each sentence of the answer.

    `eligible[i]` false: passage i may not support anything (it is about another company
    than the one asked about; see qa.py).
    """
    eligible = list(eligible) if eligible is not None else [True] * len(passages)
    supports: list[Support] = []
    for raw in split_sentences(answer):
        sentence, markers = strip_markers(raw)
        if not sentence or not has_claims(sentence):
            continue
        support = Support(sentence)
        scored = []
        for number, passage in enumerate(passages, 1):
            # The passage header (report title, broker) is context the model was shown too.
            overlap, missing = check_sentence(sentence, _context(passage) + "\n" + passage.chunk.text)
            bonus = 0.05 if number in markers else 0.0  # prefer the model's own marker on ties
            ok = not missing and overlap >= min_overlap and eligible[number - 1]
            scored.append((ok, overlap + bonus, number, missing))
        good = sorted((s for s in scored if s[0]), key=lambda s: -s[1])
        if good:
            best = good[0][1]
            support.passages = [s[2] for s in good if s[1] >= best - 0.1][:2]
        else:
            cited = [s for s in scored if s[2] in markers] or sorted(scored, key=lambda s: -s[1])[:1]
            support.missing = sorted({m for s in cited for m in s[3]})
        supports.append(support)
    return supports


def _context(passage: Passage) -> str:
    meta = passage.report.meta
    return " ".join(x for x in (meta.title, meta.broker) if x)


def best_quote(sentence: str, passage_text: str) -> str:
    """The passage sentence that best matches the answer sentence, verbatim."""
    candidates = [c for c in _SENT_SPLIT.split(passage_text) if c and c.strip()]
    if not candidates:
        return passage_text.strip()
    scored = []
    for candidate in candidates:
        overlap, missing = check_sentence(sentence, candidate)
        # Holding the sentence's numbers and names beats sharing more words with it.
        scored.append((-len(missing), overlap, -len(candidate), candidate))
    return max(scored)[3].strip()


def locate(quote: str, passage: Passage, page_text: Callable[[int, int], str]) -> tuple[int, int, int, str] | None:
    """(page, start, end, quote) of the quote in the report's page text, or None."""
    chunk = passage.chunk
    for page in range(chunk.page_start, chunk.page_end + 1):
        text = page_text(passage.report.id, page)
        begin = chunk.start_offset if page == chunk.page_start else 0
        span = find_span(text, quote, begin)
        if span is not None:
            return page, span[0], span[1], text[span[0] : span[1]]
    # A quote across a page break: keep its longest line, which lies on one page.
    longest = max(quote.split("\n"), key=len).strip()
    if longest and longest != quote:
        return locate(longest, passage, page_text)
    return None


def build_citations(
    supports: Sequence[Support], passages: Sequence[Passage], page_text: Callable[[int, int], str]
) -> list[Citation]:
    citations: list[Citation] = []
    seen: set[tuple[int, str]] = set()
    for support in supports:
        for number in support.passages:
            passage = passages[number - 1]
            quote = best_quote(support.sentence, passage.chunk.text)
            where = locate(quote, passage, page_text)
            if where is None:
                continue
            page, start, end, quote = where
            if (number, quote) in seen:
                continue
            seen.add((number, quote))
            citations.append(
                Citation(
                    n=number,
                    report_id=passage.report.id,
                    file=passage.report.file_name,
                    title=passage.report.meta.title,
                    page=page,
                    quote=quote,
                    start=start,
                    end=end,
                    chunk_id=passage.chunk.id,
                )
            )
    return citations
