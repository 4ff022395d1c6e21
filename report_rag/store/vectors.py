"""Vector index: FAISS holding only int64 chunk ids and L2-normalised vectors.

Inner product on normalised vectors is cosine similarity. The index is exact (flat): a
research library holds thousands to a few hundred thousand chunks, where exact search is
milliseconds and never returns a different neighbour than the brute force answer.
The GPU, when present, runs the same flat search, so results match the CPU's.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from report_rag.errors import IndexMismatchError


@runtime_checkable
class VectorIndex(Protocol):
    dim: int

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def remove(self, ids: np.ndarray) -> int: ...

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each (n_queries, k); missing results have id -1.
        With `allowed`, only those ids are candidates."""
        ...

    def ids(self) -> np.ndarray: ...

    def __len__(self) -> int: ...


def _faiss() -> Any:  # faiss ships no type information
    import faiss  # imported lazily: a heavy native module, and the GPU build is optional

    return faiss


def set_search_threads(threads: int) -> None:
    """FAISS's OpenMP threads for this process (0: leave FAISS's default)."""
    if threads > 0:
        _faiss().omp_set_num_threads(threads)


def gpu_available() -> bool:
    try:
        faiss = _faiss()
        return hasattr(faiss, "StandardGpuResources") and faiss.get_num_gpus() > 0
    except Exception:
        return False


class FaissIndex:
    """Exact inner-product index with int64 ids; optional GPU search."""

    def __init__(self, dim: int, device: str = "auto", _cpu_index: Any = None) -> None:
        faiss = _faiss()
        self.dim = dim
        self._index = _cpu_index if _cpu_index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.use_gpu = device == "gpu" or (device == "auto" and gpu_available())
        if device == "gpu" and not gpu_available():
            raise RuntimeError("index_device=gpu but faiss has no GPU support or no CUDA device")
        self._gpu_flat: Any = None  # lazily built GPU copy of the flat storage, dropped on change
        self._sorted_ids: np.ndarray | None = None  # for membership tests, dropped on change

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        ids: np.ndarray = _faiss().vector_to_array(self._index.id_map).astype(np.int64)
        return ids

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"expected vectors of dimension {self.dim}, got {vectors.shape}")
        if len(ids) != len(vectors):
            raise ValueError("one id per vector expected")
        if len(ids):
            self._index.add_with_ids(vectors, ids)
            self._gpu_flat = self._sorted_ids = None

    def remove(self, ids: np.ndarray) -> int:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids):
            return 0
        removed = int(self._index.remove_ids(_faiss().IDSelectorBatch(ids)))
        self._gpu_flat = self._sorted_ids = None
        return removed

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dim)
        n = len(queries)
        pool = len(self) if allowed is None else min(len(self), len(allowed))
        if pool == 0 or k <= 0:
            return np.full((n, max(k, 0)), -np.inf, np.float32), -np.ones((n, max(k, 0)), np.int64)
        k_eff = min(k, pool)
        if allowed is not None and len(allowed) <= max(_GATHER_LIMIT, len(self) // 8):
            # A narrow filter (a few reports): score just those vectors. Exact, and far
            # cheaper than scanning the whole index through an ID selector.
            scores, ids = self._search_among(queries, k_eff, np.ascontiguousarray(allowed, dtype=np.int64))
        elif allowed is not None:
            # Exact filtered search on the CPU copy (an ID selector is not a GPU feature);
            # filters narrow the candidates, so this is the cheap case anyway.
            faiss = _faiss()
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
            scores, ids = self._index.search(queries, k_eff, params=faiss.SearchParameters(sel=selector))
        elif self.use_gpu:
            scores, positions = self._gpu().search(queries, k_eff)
            id_map = self.ids()
            ids = np.where(positions >= 0, id_map[np.clip(positions, 0, None)], -1)
        else:
            scores, ids = self._index.search(queries, k_eff)
        if k_eff < k:  # pad so callers always get (n, k)
            pad = k - k_eff
            scores = np.pad(scores, ((0, 0), (0, pad)), constant_values=-np.inf)
            ids = np.pad(ids, ((0, 0), (0, pad)), constant_values=-1)
        return scores, ids

    def _search_among(self, queries: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        present = allowed[self._has_ids(allowed)]
        if not len(present):
            n = len(queries)
            return np.full((n, k), -np.inf, np.float32), -np.ones((n, k), np.int64)
        vectors = self._index.reconstruct_batch(present)
        scores = queries @ vectors.T  # (n_queries, n_allowed)
        take = min(k, len(present))
        top = np.argpartition(-scores, take - 1, axis=1)[:, :take]
        top_scores = np.take_along_axis(scores, top, axis=1)
        order = np.argsort(-top_scores, axis=1, kind="stable")
        best = np.take_along_axis(top, order, axis=1)
        out_scores = np.take_along_axis(top_scores, order, axis=1).astype(np.float32)
        out_ids = present[best]
        if take < k:
            out_scores = np.pad(out_scores, ((0, 0), (0, k - take)), constant_values=-np.inf)
            out_ids = np.pad(out_ids, ((0, 0), (0, k - take)), constant_values=-1)
        return out_scores, out_ids

    def _has_ids(self, ids: np.ndarray) -> np.ndarray:
        """Which of `ids` the index holds (a filter may name chunks it has not indexed)."""
        if self._sorted_ids is None:
            self._sorted_ids = np.sort(self.ids())
        rows = np.searchsorted(self._sorted_ids, ids)
        inside = rows < len(self._sorted_ids)
        found = np.zeros(len(ids), bool)
        found[inside] = self._sorted_ids[rows[inside]] == ids[inside]
        return found

    def _gpu(self) -> Any:
        if self._gpu_flat is None:
            faiss = _faiss()
            self._gpu_res = getattr(self, "_gpu_res", None) or faiss.StandardGpuResources()
            flat = faiss.downcast_index(self._index.index)
            self._gpu_flat = faiss.index_cpu_to_gpu(self._gpu_res, 0, flat)
        return self._gpu_flat

    # -- persistence ------------------------------------------------------------------
    def save(self, path: Path, fingerprint: dict[str, Any]) -> None:
        """Atomically write the index and its fingerprint (one file, no torn pair)."""
        faiss = _faiss()
        payload = faiss.serialize_index(self._index)
        header = json.dumps({"fingerprint": fingerprint, "count": len(self)}, sort_keys=True).encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_MAGIC + len(header).to_bytes(8, "little") + header)
                fh.write(payload.tobytes())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path, fingerprint: dict[str, Any], device: str = "auto") -> FaissIndex:
        """Load an index saved with `save`; refuse one built under another fingerprint."""
        faiss = _faiss()
        data = path.read_bytes()
        if not data.startswith(_MAGIC):
            raise IndexMismatchError(f"{path} is not a report-rag index file")
        header_len = int.from_bytes(data[len(_MAGIC) : len(_MAGIC) + 8], "little")
        start = len(_MAGIC) + 8
        header = json.loads(data[start : start + header_len])
        stored = header.get("fingerprint")
        if stored != fingerprint:
            raise IndexMismatchError(describe_mismatch(stored, fingerprint, str(path)))
        blob = np.frombuffer(data, dtype=np.uint8, offset=start + header_len)
        generic = faiss.deserialize_index(np.ascontiguousarray(blob))
        index = faiss.downcast_index(generic)
        # The downcast wrapper must own the C++ object, or it is freed with `generic`.
        generic.this.disown()
        index.this.acquire()
        dim = int(fingerprint.get("dim", index.d))
        return cls(dim, device=device, _cpu_index=index)


_MAGIC = b"RRAGIDX1"
_GATHER_LIMIT = 20_000  # filters up to this many ids (or 1/8 of the index) score those vectors directly


def describe_mismatch(stored: dict[str, Any] | None, current: dict[str, Any], where: str) -> str:
    if not stored:
        return f"{where} has no fingerprint; run `report-rag reindex`"
    diffs = [
        f"{key}: built with {stored.get(key)!r}, configured {current.get(key)!r}"
        for key in sorted(set(stored) | set(current))
        if stored.get(key) != current.get(key)
    ]
    return (
        f"the library at {where} was indexed with other settings ("
        + "; ".join(diffs)
        + "). Run `report-rag reindex` to rebuild it, or restore the old settings."
    )
