"""Stage 4: SQL (the source of truth), the FAISS vector cache and the lexical index, kept
consistent by Library; extracted facts in their own tables."""

from report_rag.store.facts_queries import PickRecord, RatingRecord, query_picks, query_ratings
from report_rag.store.facts_tables import delete_facts, load_facts, save_facts
from report_rag.store.follow import Follower
from report_rag.store.library import Library, ReindexSummary, embed_in_batches
from report_rag.store.locks import ReadWriteLock
from report_rag.store.migrations import LATEST_VERSION, migrate
from report_rag.store.securities import SecurityDirectory, build_directory, stock_view, view_named_in
from report_rag.store.sql import Store
from report_rag.store.vectors import FaissIndex, VectorIndex, gpu_available

__all__ = ["FaissIndex", "Follower", "LATEST_VERSION", "Library", "PickRecord", "ReadWriteLock", "RatingRecord", "ReindexSummary", "SecurityDirectory", "Store", "VectorIndex", "delete_facts", "embed_in_batches", "gpu_available", "load_facts", "migrate", "query_picks", "query_ratings", "save_facts", "build_directory", "stock_view", "view_named_in"]
