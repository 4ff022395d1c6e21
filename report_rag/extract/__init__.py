"""Stage 2: facts read off the cleaned pages by deterministic rules, each with its evidence."""

from report_rag.extract.facts import RULES_VERSION, extract_facts
from report_rag.extract.forecasts import forecast_rows, headline_table, metric_of
from report_rag.extract.ratings import normalize_action, normalize_rating, read_rating_value
from report_rag.extract.securities import is_stock_name

__all__ = ["RULES_VERSION", "extract_facts", "forecast_rows", "headline_table", "metric_of", "is_stock_name", "normalize_action", "normalize_rating", "read_rating_value"]
