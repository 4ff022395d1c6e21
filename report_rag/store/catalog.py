"""In-memory view of every chunk for fast filtering and lexical search.

Built once per process from SQL (id, report, boilerplate flag, text) and kept in step with
ingests and deletes, so a query never goes to SQL just to decide which chunks it may use.
Rows are aligned with the BM25 index's rows and never move: a deleted report's rows are
only marked dead, so a filter is one boolean mask shared by both rankers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from report_rag.store.lexical import Bm25Index
from report_rag.store.sql import Store


class ChunkCatalog:
    def __init__(self) -> None:
        self.lexical = Bm25Index()
        self._ids = np.zeros(0, np.int64)  # ascending: SQL hands out increasing ids
        self._reports = np.zeros(0, np.int64)
        self._boilerplate = np.zeros(0, bool)
        self._alive = np.zeros(0, bool)

    @classmethod
    def from_store(cls, store: Store) -> ChunkCatalog:
        catalog = cls()
        for rows in store.iter_chunk_catalog():
            catalog.add(
                [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]
            )
        return catalog

    def __len__(self) -> int:
        return int(self._alive.sum())

    @property
    def ids(self) -> np.ndarray:
        return self._ids

    def add(
        self,
        ids: Sequence[int],
        report_ids: Sequence[int],
        boilerplate: Sequence[bool],
        texts: Sequence[str],
    ) -> None:
        id_array = np.asarray(ids, np.int64)
        if len(id_array) and len(self._ids) and id_array.min() <= self._ids[-1]:
            raise ValueError("chunk ids must arrive in increasing order")
        self._ids = np.concatenate([self._ids, id_array])
        self._reports = np.concatenate([self._reports, np.asarray(report_ids, np.int64)])
        self._boilerplate = np.concatenate([self._boilerplate, np.asarray(boilerplate, bool)])
        self._alive = np.concatenate([self._alive, np.ones(len(id_array), bool)])
        self.lexical.add(id_array.tolist(), texts)

    def remove_report(self, report_id: int) -> None:
        gone = self._reports == report_id
        self._alive &= ~gone
        self.lexical.remove(self._ids[gone].tolist())

    def alive_ids(self) -> np.ndarray:
        return self._ids[self._alive]

    def remove_ids(self, chunk_ids: np.ndarray) -> None:
        gone = np.isin(self._ids, np.asarray(chunk_ids, np.int64)) & self._alive
        self._alive &= ~gone
        self.lexical.remove(self._ids[gone].tolist())

    def newest_id(self) -> int:
        return int(self._ids[-1]) if len(self._ids) else 0

    def mask(self, report_ids: Sequence[int] | None, include_boilerplate: bool) -> np.ndarray:
        """Rows a query may use."""
        mask = self._alive.copy()
        if not include_boilerplate:
            mask &= ~self._boilerplate
        if report_ids is not None:
            mask &= np.isin(self._reports, np.asarray(list(report_ids), np.int64))
        return mask

    def rows_allowed(self, chunk_ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """For each chunk id, whether its row passes `mask` (unknown ids do not)."""
        chunk_ids = np.asarray(chunk_ids, np.int64)
        rows = np.searchsorted(self._ids, chunk_ids)
        inside = rows < len(self._ids)
        known = np.zeros(len(chunk_ids), bool)
        known[inside] = self._ids[rows[inside]] == chunk_ids[inside]
        out = np.zeros(len(chunk_ids), bool)
        out[known] = mask[rows[known]]
        return out

    def report_of(self, chunk_ids: np.ndarray) -> np.ndarray:
        rows = np.clip(np.searchsorted(self._ids, np.asarray(chunk_ids, np.int64)), 0, max(len(self._ids) - 1, 0))
        return self._reports[rows]
