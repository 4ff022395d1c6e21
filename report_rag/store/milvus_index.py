"""The `milvus` vector backend: the same VectorIndex over a Milvus collection, for libraries
past one machine's memory and for teams whose processes should share one copy of the vectors.

`REPORT_RAG_VECTOR_URL` chooses it: `milvus:///path/to/vectors.db` (or any path ending in
`.db`) is a milvus-lite file, `http://host:19530` a Milvus server or cluster — the same client
talks to both. SQL stays the source of truth: the library reconciles the collection against
the chunks' stored vectors on open, exactly as it does a FAISS file, and writes are upserts,
so two processes adding the same committed vectors agree. The collection's name carries the
index fingerprint, so vectors of another embedder or chunking are never mixed in.
Search is exact (a FLAT inner-product index), like the FAISS backend.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from report_rag.errors import ConfigError, MissingDependencyError

_BATCH = 1000
_IDS_PER_FILTER = 16_384  # a longer `id in [...]` is searched in slices and merged


def _pymilvus() -> Any:
    try:
        import pymilvus
    except ImportError as exc:
        raise MissingDependencyError("pymilvus", "milvus", "The milvus vector backend") from exc
    return pymilvus


def collection_name(fingerprint: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:16]
    return f"report_rag_{digest}"


def milvus_uri(url: str) -> str:
    """What MilvusClient takes: a local milvus-lite file or a server URL."""
    if url.startswith("milvus://"):
        path = url[len("milvus://"):]
        if not path:
            raise ConfigError("REPORT_RAG_VECTOR_URL=milvus:// needs a file path: milvus:///path/vectors.db")
        return path
    if url.startswith(("http://", "https://", "tcp://")) or url.endswith(".db"):
        return url
    raise ConfigError(f"REPORT_RAG_VECTOR_URL={url!r}: expected milvus:///path/vectors.db or http://host:19530")


class MilvusIndex:
    """VectorIndex over one Milvus collection (int64 chunk ids, L2-normalised vectors)."""

    def __init__(self, url: str, fingerprint: dict[str, Any], *, token: str | None = None) -> None:
        pymilvus = _pymilvus()
        self.dim = int(fingerprint["dim"])
        self.url = url
        self.collection = collection_name(fingerprint)
        self._client = pymilvus.MilvusClient(milvus_uri(url), **({"token": token} if token else {}))
        if not self._client.has_collection(self.collection):
            self._create(pymilvus)
        self._client.load_collection(self.collection)

    def _create(self, pymilvus: Any) -> None:
        schema = self._client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", pymilvus.DataType.INT64, is_primary=True)
        schema.add_field("vector", pymilvus.DataType.FLOAT_VECTOR, dim=self.dim)
        index = self._client.prepare_index_params()
        index.add_index("vector", index_type="FLAT", metric_type="IP")
        try:
            self._client.create_collection(self.collection, schema=schema, index_params=index,
                                           consistency_level="Strong")
        except Exception:
            if not self._client.has_collection(self.collection):  # another process made it first
                raise

    def __len__(self) -> int:
        return len(self.ids())

    def ids(self) -> np.ndarray:
        iterator = self._client.query_iterator(self.collection, filter="", output_fields=["id"], batch_size=_BATCH)
        found: list[int] = []
        try:
            while True:
                rows = iterator.next()
                if not rows:
                    break
                found.extend(int(row["id"]) for row in rows)
        finally:
            iterator.close()
        return np.asarray(sorted(found), np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.asarray(ids, np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"expected vectors of dimension {self.dim}, got {vectors.shape}")
        if len(ids) != len(vectors):
            raise ValueError("one id per vector expected")
        for start in range(0, len(ids), _BATCH):
            rows = [{"id": int(i), "vector": v.tolist()}
                    for i, v in zip(ids[start:start + _BATCH], vectors[start:start + _BATCH], strict=True)]
            self._client.upsert(self.collection, rows)

    def remove(self, ids: np.ndarray) -> int:
        wanted = [int(i) for i in np.asarray(ids, np.int64)]
        if not wanted:
            return 0
        held = set(self.ids().tolist())
        gone = [i for i in wanted if i in held]
        for start in range(0, len(gone), _BATCH):
            self._client.delete(self.collection, ids=gone[start:start + _BATCH])
        return len(gone)

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dim)
        n = len(queries)
        scores = np.full((n, max(k, 0)), -np.inf, np.float32)
        found = -np.ones((n, max(k, 0)), np.int64)
        if k <= 0 or not n:
            return scores, found
        filters = [None] if allowed is None else [
            "id in [" + ",".join(str(int(i)) for i in part) + "]"
            for part in np.array_split(np.asarray(allowed, np.int64), max(1, -(-len(allowed) // _IDS_PER_FILTER)))
            if len(part)
        ]
        merged: list[list[tuple[float, int]]] = [[] for _ in range(n)]
        for expression in filters:
            results = self._client.search(
                self.collection, data=queries.tolist(), limit=k, output_fields=["id"],
                search_params={"metric_type": "IP"}, **({"filter": expression} if expression else {}),
            )
            for row, hits in enumerate(results):
                merged[row].extend((float(hit["distance"]), int(hit["id"])) for hit in hits)
        for row, hits in enumerate(merged):
            best = sorted(hits, key=lambda hit: -hit[0])[:k]
            for column, (score, chunk_id) in enumerate(best):
                scores[row, column], found[row, column] = score, chunk_id
        return scores, found

    def drop(self) -> None:
        """Remove the collection (a reindex under the same fingerprint starts clean)."""
        self._client.drop_collection(self.collection)

    def close(self) -> None:
        self._client.close()
