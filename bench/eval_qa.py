"""Evaluate cited Q&A on the sample reports.

Questions: every `qa` pair of sample_reports/gold.json (Chinese, English and cross-lingual),
plus bench/qa_extra.json (more answerable ones and questions the reports cannot answer).

Metrics
* retrieval recall@k — the expected fact is in a retrieved passage from the right report,
  for dense-only, BM25-only and the fused ranking (`--retrieval-only` stops here);
* answer accuracy — the answer states the expected fact (its numbers, else its wording);
* citation precision — a citation's quote is verbatim on its cited page (checked against
  the stored page text) and comes from the report that holds the fact;
* refusal accuracy — unanswerable questions refused, answerable ones not.

    python bench/eval_qa.py --retrieval-only
    python bench/eval_qa.py                      # with the configured generator
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_NUM = re.compile(r"\d+(?:\.\d+)?")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def load_questions() -> tuple[list[dict], list[str]]:
    gold = json.loads((ROOT / "sample_reports" / "gold.json").read_text())
    extra = json.loads((ROOT / "bench" / "qa_extra.json").read_text())
    answerable = [dict(q, file=entry["file"]) for entry in gold for q in entry["qa"]]
    answerable += extra["answerable"]
    return answerable, extra["unanswerable"]


def _flat(text: str) -> str:
    return re.sub(r"[\s,，]", "", text).lower()


def states_fact(text: str, expected: str) -> bool:
    """Numbers of the expected fact all present; else most of its wording."""
    flat = _flat(text)
    numbers = _NUM.findall(expected.replace(",", ""))
    if numbers:
        return all(n in flat for n in numbers)
    if _flat(expected) in flat:
        return True
    grams = {expected[i : i + 2] for i in range(len(expected) - 1) if _HAN.match(expected[i])}
    return bool(grams) and sum(g in text for g in grams) / len(grams) >= 0.6


def retrieval_recall(library, questions: list[dict], k: int) -> dict[str, float]:
    from report_rag.retrieval.question import asks_for_definition
    from report_rag.retrieval.retriever import Retriever

    retriever = Retriever(library)
    hits = {"dense": 0, "bm25": 0, "hybrid": 0}
    reports = library.reports()
    broker_of = {r.id: r.meta.broker for r in reports}
    by_name = {r.file_name: r.id for r in reports}
    for q in questions:
        expected = _flat(q["answer_substring"])
        # The right report, or another of the same broker printing the same fact (rating
        # definitions repeat verbatim across a broker's reports).
        right = {i for i, b in broker_of.items() if b == broker_of[by_name[q["file"]]]}
        include = asks_for_definition(q["question"])
        mask = library.catalog.mask(None, include)
        dense, lexical = retriever._rank(q["question"], mask, k)
        chunks = library.store.chunks_by_ids(dense + lexical)
        found = lambda ids: any(  # noqa: E731
            chunks[i].report_id in right and expected in _flat(chunks[i].text) for i in ids[:k] if i in chunks  # noqa: B023 - called at once, in this iteration
        )
        hits["dense"] += found(dense)
        hits["bm25"] += found(lexical)
        passages = retriever.retrieve(q["question"], k).passages
        hits["hybrid"] += any(p.report.id in right and expected in _flat(p.chunk.text) for p in passages)
    return {name: count / len(questions) for name, count in hits.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", type=int, default=6)
    ap.add_argument("--retrieval-only", action="store_true")
    ap.add_argument("--embedder", default=None, help="override REPORT_RAG_EMBEDDER")
    ap.add_argument("--limit", type=int, default=0, help="only the first N questions of each kind")
    args = ap.parse_args()

    from report_rag.pipeline.ingest import ingest_paths
    from report_rag.settings import Settings
    from report_rag.store.library import Library

    answerable, unanswerable = load_questions()
    if args.limit:
        answerable, unanswerable = answerable[: args.limit], unanswerable[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        overrides = {"home": Path(tmp)}
        if args.embedder:
            overrides["embedder"] = args.embedder
        settings = Settings.from_variables(**overrides)
        with Library(settings) as library:
            summary = ingest_paths(library, [str(ROOT / "sample_reports")])
            assert not summary.failed, summary.failed
            recall = retrieval_recall(library, answerable, args.k)
            result = {
                "bench": "eval_qa",
                "embedder": library.embedder.name,
                "questions": len(answerable) + len(unanswerable),
                "answerable": len(answerable),
                "unanswerable": len(unanswerable),
                **{f"recall_at_{args.k}_{name}": round(v, 3) for name, v in recall.items()},
            }
            if not args.retrieval_only:
                result.update(evaluate_answers(library, settings, answerable, unanswerable, args.k))
    print(f"embedder {result['embedder']}; {result['questions']} questions "
          f"({result['answerable']} answerable, {result['unanswerable']} unanswerable)")
    print(f"{'metric':32} value")
    for key, value in result.items():
        if key not in {"bench", "embedder", "questions", "answerable", "unanswerable", "failures"}:
            print(f"{key:32} {value}")
    for failure in result.get("failures", [])[:20]:
        print("  miss:", failure)
    print(json.dumps({k: v for k, v in result.items() if k != "failures"}, ensure_ascii=False))


def evaluate_answers(library, settings, answerable, unanswerable, k) -> dict:
    from report_rag.answer.qa import ask
    from report_rag.llm import create_generator

    generator = create_generator(settings)
    correct = refused_wrongly = refused_rightly = 0
    citations = good_citations = 0
    first_tokens, failures = [], []
    by_name = {r.file_name: r.id for r in library.reports()}
    pages = {}
    for q in answerable:
        answer = ask(library, generator, q["question"], k=k)
        first_tokens.append(answer.timings.get("first_token_s", 0.0))
        if answer.refused:
            refused_wrongly += 1
            failures.append(f"refused: {q['question']}")
            continue
        if states_fact(answer.answer, q["answer_substring"]):
            correct += 1
        else:
            failures.append(f"wrong: {q['question']} -> {answer.answer[:120]!r}")
        for c in answer.citations:
            citations += 1
            key = (c.report_id, c.page)
            if key not in pages:
                pages[key] = {p.number: p.text for p in library.store.pages(c.report_id)}.get(c.page, "")
            verbatim = pages[key][c.start : c.end] == c.quote
            good_citations += verbatim and c.report_id == by_name[q["file"]]
    for question in unanswerable:
        answer = ask(library, generator, question, k=k)
        refused_rightly += answer.refused
        if not answer.refused:
            failures.append(f"answered unanswerable: {question} -> {answer.answer[:120]!r}")
    first_tokens.sort()
    return {
        "model": generator.name,
        "answer_accuracy": round(correct / len(answerable), 3),
        "citation_precision": round(good_citations / citations, 3) if citations else 0.0,
        "refusal_accuracy": round(
            (refused_rightly + len(answerable) - refused_wrongly) / (len(answerable) + len(unanswerable)), 3
        ),
        "unanswerable_refused": round(refused_rightly / len(unanswerable), 3),
        "answerable_refused": round(refused_wrongly / len(answerable), 3),
        "first_token_p50_s": round(first_tokens[len(first_tokens) // 2], 2) if first_tokens else None,
        "failures": failures,
    }


if __name__ == "__main__":
    main()
