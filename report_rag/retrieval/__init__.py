"""Stage 5: questions analysed and scoped, passages found by hybrid (BM25 + dense) search."""

from report_rag.retrieval.aliases import expand_query
from report_rag.retrieval.question import (
    ForecastRequest,
    Scope,
    asks_for_definition,
    asks_for_facts,
    forecast_request,
    scope_question,
)
from report_rag.retrieval.retriever import Filters, Retrieval, Retriever, search

__all__ = ["Filters", "ForecastRequest", "forecast_request", "Retrieval", "Retriever", "Scope", "asks_for_definition", "asks_for_facts", "expand_query", "scope_question", "search"]
