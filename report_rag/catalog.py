"""In-memory view of every chunk for fast filtering and lexical search.

Built once per process from SQL (id, report, boilerplate flag, text) and kept in step with
ingests and deletes, so a query never goes to SQL just to decide which chunks it may use.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .lexical import Bm25Index
from .store import Store


class ChunkCatalog:
    def __init__(self) -> None:
        self.lexical = Bm25Index()
        self._ids = np.zeros(0, np.int64)
        self._reports = np.zeros(0, np.int64)
        self._boilerplate = np.zeros(0, bool)

    @classmethod
    def from_store(cls, store: Store) -> "ChunkCatalog":
        catalog = cls()
        for rows in store.iter_chunk_catalog():
            catalog.add(
                [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]
            )
        return catalog

    def __len__(self) -> int:
        return len(self._ids)

    def add(
        self,
        ids: Sequence[int],
        report_ids: Sequence[int],
        boilerplate: Sequence[bool],
        texts: Sequence[str],
    ) -> None:
        self._ids = np.concatenate([self._ids, np.asarray(ids, np.int64)])
        self._reports = np.concatenate([self._reports, np.asarray(report_ids, np.int64)])
        self._boilerplate = np.concatenate([self._boilerplate, np.asarray(boilerplate, bool)])
        self.lexical.add(ids, texts)

    def remove_report(self, report_id: int) -> None:
        gone = self._reports == report_id
        self.lexical.remove(self._ids[gone].tolist())
        keep = ~gone
        self._ids, self._reports, self._boilerplate = (
            self._ids[keep], self._reports[keep], self._boilerplate[keep]
        )

    def allowed_ids(self, report_ids: Sequence[int] | None, include_boilerplate: bool) -> np.ndarray | None:
        """Chunk ids passing the filters; None when nothing is filtered out."""
        mask = np.ones(len(self._ids), bool)
        if not include_boilerplate:
            mask &= ~self._boilerplate
        if report_ids is not None:
            mask &= np.isin(self._reports, np.asarray(list(report_ids), np.int64))
        if mask.all():
            return None
        return self._ids[mask]

    def report_of(self, chunk_ids: np.ndarray) -> np.ndarray:
        order = np.argsort(self._ids)
        pos = np.searchsorted(self._ids, chunk_ids, sorter=order)
        return self._reports[order[np.clip(pos, 0, len(order) - 1)]]
