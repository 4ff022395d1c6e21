"""Library schema migrations: a small forward-only runner keyed on the "schema_version" row
of `library_meta` ({"version": N}), the row `Store` writes when it creates a library.

Version 1 is the base schema `Store` creates itself (reports, pages, chunks, library_meta).
Each later version is one `Migration`: idempotent DDL applied in a transaction together
with the version bump, so a crash leaves the old version or the new one, and a second
process migrating at the same time finds the work done and moves on.

    migrate(store)            # on a Store: its own transaction
    migrate_connection(conn)  # inside a transaction you hold (e.g. a Session's connection)

Adding a migration: append `Migration(N + 1, "what", apply)` to MIGRATIONS. A migration
defines the tables it creates itself (never from the live ORM classes), so it keeps creating
the shape it was written for; a later change to a table is a new migration (ALTER …).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from report_rag.store.sql import BASE_SCHEMA_VERSION as BASE_VERSION
from report_rag.store.sql import SCHEMA_VERSION_KEY as VERSION_KEY
from report_rag.store.sql import MetaRow, Store


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


# Version 2's tables as they were when it was written: self-contained, so this migration
# creates the same shape whatever the ORM classes of store/facts_tables.py later become
# (tests/test_store.py checks that the ORM still matches the latest migration).
_V2 = MetaData()
_REPORTS_STUB = Table("reports", _V2, Column("id", Integer, primary_key=True))  # FK target only
Table(
    "fact_reports", _V2,
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("rules_version", Integer, nullable=False),
    Column("extracted_at", DateTime(timezone=True), nullable=False),
    Column("broker", String(128), nullable=True, index=True),
    Column("published", Date, nullable=True, index=True),
    Column("title", Text, nullable=True),
    Column("report_type", String(64), nullable=True),
    Column("sector", String(64), nullable=True, index=True),
    Column("company", String(256), nullable=True, index=True),
    Column("ticker", String(32), nullable=True, index=True),
    Column("evidence_json", Text, nullable=False),
    Column("performance_json", Text, nullable=True),
)
Table(
    "fact_ratings", _V2,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("raw", Text, nullable=False),
    Column("normalized", String(16), nullable=True, index=True),
    Column("action", String(16), nullable=True),
    Column("grade", String(8), nullable=True),
    Column("scope", String(16), nullable=False),
    Column("previous", String(64), nullable=True),
    Column("page", Integer, nullable=False),
    Column("quote", Text, nullable=False),
    Column("definition_json", Text, nullable=True),
)
Table(
    "fact_prices", _V2,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("value", Float, nullable=False),
    Column("currency", String(8), nullable=True),
    Column("page", Integer, nullable=False),
    Column("quote", Text, nullable=False),
)
Table(
    "fact_picks", _V2,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("ordinal", Integer, nullable=False),
    Column("name", String(128), nullable=False, index=True),
    Column("name_key", String(128), nullable=False, index=True),
    Column("code", String(32), nullable=True, index=True),
    Column("rating", String(64), nullable=True),
    Column("page", Integer, nullable=False),
    Column("quote", Text, nullable=False),
)
Table(
    "fact_analysts", _V2,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("ordinal", Integer, nullable=False),
    Column("name", String(128), nullable=False, index=True),
    Column("sac", String(16), nullable=True, index=True),
    Column("email", String(256), nullable=True),
    Column("role", String(16), nullable=False),
    Column("licence", String(32), nullable=True),
    Column("page", Integer, nullable=False),
    Column("quote", Text, nullable=False),
)
Table(
    "fact_risks", _V2,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("ordinal", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("page", Integer, nullable=False),
    Column("quote", Text, nullable=False),
)
Table(
    "fact_related_reports", _V2,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("ordinal", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("published", Date, nullable=True),
    Column("page", Integer, nullable=False),
    Column("quote", Text, nullable=False),
)
Table(
    "fact_rating_definitions", _V2,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("ordinal", Integer, nullable=False),
    Column("term", String(64), nullable=False),
    Column("definition", Text, nullable=False),
    Column("scale", String(16), nullable=True),
    Column("page", Integer, nullable=False),
    Column("quote", Text, nullable=False),
)
FACT_TABLES_V2 = tuple(table for name, table in _V2.tables.items() if name.startswith("fact_"))


def _create_fact_tables(connection: Connection) -> None:
    _V2.create_all(connection, tables=list(FACT_TABLES_V2), checkfirst=True)


# Version 3: forecast-table cells, as written for that version.
_V3 = MetaData()
Table("reports", _V3, Column("id", Integer, primary_key=True))  # FK target only
Table(
    "fact_forecasts", _V3,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("ordinal", Integer, nullable=False),
    Column("metric", String(32), nullable=True, index=True),
    Column("label", String(128), nullable=False),
    Column("period", String(16), nullable=False),
    Column("year", Integer, nullable=False, index=True),
    Column("estimate", Boolean, nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", String(32), nullable=True),
    Column("page", Integer, nullable=False),
    Column("quote", Text, nullable=False),
    Column("columns", Text, nullable=False),
)
FACT_TABLES_V3 = (_V3.tables["fact_forecasts"],)


def _create_forecast_table(connection: Connection) -> None:
    _V3.create_all(connection, tables=list(FACT_TABLES_V3), checkfirst=True)


def _add_forecast_securities(connection: Connection) -> None:
    """Version 4: the stock a covered-companies table row is about."""
    present = {column["name"] for column in inspect(connection).get_columns("fact_forecasts")}
    for name, size in (("security", 64), ("security_code", 32)):
        if name not in present:
            connection.exec_driver_sql(f"ALTER TABLE fact_forecasts ADD COLUMN {name} VARCHAR({size})")


# Version 5: sharing one database between processes — the change log every write appends to,
# and ingest workers' claims. `Store` creates these with its base tables on open (it writes
# them), so this version mostly records that they exist; defined here as written for it.
_V5 = MetaData()
Table(
    "library_changes", _V5,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
Table(
    "ingest_claims", _V5,
    Column("content_hash", String(64), primary_key=True),
    Column("worker", String(160), nullable=False),
    Column("file_name", String(512), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)


def _create_sharing_tables(connection: Connection) -> None:
    _V5.create_all(connection, checkfirst=True)


MIGRATIONS: list[Migration] = [
    Migration(2, "extracted facts: fact_reports, fact_ratings, fact_prices, fact_picks, fact_analysts, "
                 "fact_risks, fact_related_reports, fact_rating_definitions", _create_fact_tables),
    Migration(3, "forecast-table cells: fact_forecasts", _create_forecast_table),
    Migration(4, "covered-companies forecasts: fact_forecasts.security, .security_code", _add_forecast_securities),
    Migration(5, "shared libraries: library_changes, ingest_claims", _create_sharing_tables),
]
LATEST_VERSION = MIGRATIONS[-1].version


def schema_version(connection: Connection) -> int:
    """The version recorded in library_meta (BASE_VERSION for a library that predates the row)."""
    value = connection.execute(select(MetaRow.value).where(MetaRow.key == VERSION_KEY)).scalar()
    if value is None:
        return BASE_VERSION
    return int(json.loads(value).get("version", BASE_VERSION))


def _record_version(connection: Connection, version: int) -> None:
    payload = json.dumps({"version": version}, sort_keys=True)
    updated = connection.execute(update(MetaRow).where(MetaRow.key == VERSION_KEY).values(value=payload))
    if updated.rowcount == 0:
        connection.execute(insert(MetaRow).values(key=VERSION_KEY, value=payload))


def migrate_connection(connection: Connection) -> int:
    """Apply pending migrations on `connection` (inside the caller's transaction)."""
    current = schema_version(connection)
    for migration in MIGRATIONS:
        if migration.version > current:
            migration.apply(connection)
            _record_version(connection, migration.version)
            current = migration.version
    return current


def migrate(store: Store) -> int:
    """Bring the store's schema to LATEST_VERSION; returns the version in place."""
    attempts = 8
    for attempt in range(attempts):
        try:
            with store.engine.begin() as connection:
                return migrate_connection(connection)
        except (OperationalError, ProgrammingError, IntegrityError):
            # Another process is migrating at the same moment: its tables or version row won,
            # or it has not committed yet — wait for it a little longer each time.
            with store.engine.connect() as connection:
                if schema_version(connection) >= LATEST_VERSION and _fact_tables_exist(connection):
                    return schema_version(connection)
            if attempt == attempts - 1:
                raise
            time.sleep(0.02 * 2**attempt)
    return LATEST_VERSION  # not reached


def _fact_tables_exist(connection: Connection) -> bool:
    present = set(inspect(connection).get_table_names())
    return all(table.name in present for table in (*FACT_TABLES_V2, *FACT_TABLES_V3))
