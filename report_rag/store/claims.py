"""Ingest workers' claims on files: several machines pointed at one database split a folder
without parsing the same bytes twice.

A claim is a row in `ingest_claims` (content hash, worker, expiry). Taking one is a single
atomic statement — an insert, or a conditional update of an expired or dead worker's row — so
two workers never both win, on SQLite and PostgreSQL alike. The commit that stores the report
deletes its claim in the same transaction (`Store.add_report`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import IntegrityError

from report_rag.store.sql import ClaimRow, Store


def claim(
    store: Store,
    content_hash: str,
    worker: str,
    file_name: str,
    ttl_s: float,
    is_dead: Callable[[str], bool] | None = None,
) -> str | None:
    """Take these bytes for `worker` for `ttl_s` seconds. None when taken (or already
    ours); otherwise the worker that holds them. A claim that expired, or whose holder
    `is_dead` says is gone (a crashed process on this machine), is taken over. Each step
    is one atomic statement, so two workers never both win."""
    for _ in range(3):
        now = datetime.now(UTC)
        expires = now + timedelta(seconds=ttl_s)
        try:
            with store.session() as s:
                s.add(ClaimRow(content_hash=content_hash, worker=worker, file_name=file_name, expires_at=expires))
            return None
        except IntegrityError:
            pass  # held by someone (maybe us, maybe a dead worker)
        with store.session() as s:
            holder = s.scalar(select(ClaimRow.worker).where(ClaimRow.content_hash == content_hash))
            if holder is None:
                continue  # released meanwhile: try again from the start
            takeable = (ClaimRow.expires_at < now) | (ClaimRow.worker == worker)
            if is_dead is not None and holder != worker and is_dead(holder):
                takeable = takeable | (ClaimRow.worker == holder)
            taken = s.execute(
                update(ClaimRow)
                .where(ClaimRow.content_hash == content_hash, takeable)
                .values(worker=worker, file_name=file_name, expires_at=expires)
            )
            if cast(CursorResult[Any], taken).rowcount:
                return None
            return holder
    return claim_holder(store, content_hash) or "another worker"  # changing hands under us

def claim_holder(store: Store, content_hash: str) -> str | None:
    with store.session() as s:
        return s.scalar(select(ClaimRow.worker).where(ClaimRow.content_hash == content_hash))

def renew_claims(store: Store, content_hashes: Sequence[str], worker: str, ttl_s: float) -> None:
    if not content_hashes:
        return
    with store.session() as s:
        s.execute(
            update(ClaimRow)
            .where(ClaimRow.content_hash.in_(list(content_hashes)), ClaimRow.worker == worker)
            .values(expires_at=datetime.now(UTC) + timedelta(seconds=ttl_s))
        )

def release_claims(store: Store, worker: str, content_hashes: Sequence[str] | None = None) -> None:
    with store.session() as s:
        query = delete(ClaimRow).where(ClaimRow.worker == worker)
        if content_hashes is not None:
            query = query.where(ClaimRow.content_hash.in_(list(content_hashes)))
        s.execute(query)
