"""Library schema migrations: a small forward-only runner keyed on the "schema_version" row
of `library_meta` ({"version": N}), the row `Store` writes when it creates a library.

Version 1 is the base schema `Store` creates itself (reports, pages, chunks, library_meta).
Each later version is one `Migration`: idempotent DDL applied in a transaction together
with the version bump, so a crash leaves the old version or the new one, and a second
process migrating at the same time finds the work done and moves on.

    migrate(store)            # on a Store: its own transaction
    migrate_connection(conn)  # inside a transaction you hold (e.g. a Session's connection)

Adding a migration: append `Migration(N + 1, "what", apply)` to MIGRATIONS. A migration may
build tables from the live models only while those tables are unchanged since it was
written; once a table changes, the change is a new migration (ALTER …), and the old one
must keep creating the old shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import insert, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from .store import MetaRow, Store

VERSION_KEY = "schema_version"
BASE_VERSION = 1  # what Store.__init__ creates


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _create_fact_tables(connection: Connection) -> None:
    from .facts_store import FactsBase  # the tables are defined with their read/write API

    FactsBase.metadata.create_all(connection, checkfirst=True)


MIGRATIONS: list[Migration] = [
    Migration(2, "extracted facts: fact_reports, fact_ratings, fact_prices, fact_picks, fact_analysts, "
                 "fact_risks, fact_related_reports, fact_rating_definitions", _create_fact_tables),
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
    for attempt in range(3):
        try:
            with store.engine.begin() as connection:
                return migrate_connection(connection)
        except (OperationalError, ProgrammingError, IntegrityError):
            # Another process migrated at the same moment: its tables or version row won.
            with store.engine.connect() as connection:
                if schema_version(connection) >= LATEST_VERSION and _fact_tables_exist(connection):
                    return schema_version(connection)
            if attempt == 2:
                raise
    return LATEST_VERSION  # not reached


def _fact_tables_exist(connection: Connection) -> bool:
    from .facts_store import FactsBase

    present = set(inspect(connection).get_table_names())
    return all(name in present for name in FactsBase.metadata.tables)
