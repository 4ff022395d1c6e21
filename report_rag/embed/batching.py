"""Query encoding shared by concurrent searches: one forward pass for many questions.

A server answering 32 searches at once would otherwise run 32 single-query forward passes
that compete for the same cores; a batch of 32 short queries costs a few times one query.
`QueryBatcher` hands queries to one encoding thread, which takes everything that queued
while it was busy as its next batch (no waiting window: a lone query goes straight
through), and keeps recent query vectors (the same question asked again, a UI rerun).
"""

from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from report_rag.embed.base import Embedder


@dataclass
class _Request:
    texts: list[str]
    done: threading.Event = field(default_factory=threading.Event)
    vectors: np.ndarray | None = None
    error: BaseException | None = None


class QueryBatcher:
    """Thread-safe `encode_queries` over an embedder, batched across callers and cached."""

    def __init__(self, embedder: Embedder, *, max_batch: int = 64, cache_size: int = 4096) -> None:
        self.embedder = embedder
        self.max_batch = max_batch
        self.cache_size = cache_size
        self._queue: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.batches = 0  # forward passes run (for benchmarks and tests)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        found: dict[str, np.ndarray] = {}
        with self._cache_lock:
            for text in texts:
                vector = self._cache.get(text)
                if vector is not None:
                    self._cache.move_to_end(text)
                    found[text] = vector
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            request = _Request(missing)
            self._ensure_thread()
            self._queue.put(request)
            request.done.wait()
            if request.error is not None:
                raise request.error
            assert request.vectors is not None
            found.update(zip(missing, request.vectors, strict=True))
        if not texts:
            return np.zeros((0, int(self.embedder.dim)), np.float32)
        return np.vstack([found[t] for t in texts]).astype(np.float32, copy=False)

    def _ensure_thread(self) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._serve, name="report-rag-queries", daemon=True)
                    self._thread.start()

    def _serve(self) -> None:
        while True:
            batch = [self._queue.get()]
            size = len(batch[0].texts)
            while size < self.max_batch:  # whatever queued during the last pass
                try:
                    request = self._queue.get_nowait()
                except queue.Empty:
                    break
                batch.append(request)
                size += len(request.texts)
            self._run(batch)

    def _run(self, batch: list[_Request]) -> None:
        unique = list(dict.fromkeys(t for request in batch for t in request.texts))
        try:
            vectors = np.asarray(self.embedder.encode_queries(unique), np.float32)
        except BaseException as exc:  # every waiting caller gets the error, the thread lives on
            for request in batch:
                request.error = exc
                request.done.set()
            return
        self.batches += 1
        by_text = dict(zip(unique, vectors, strict=True))
        with self._cache_lock:
            for text, vector in by_text.items():
                self._cache[text] = vector
                self._cache.move_to_end(text)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        for request in batch:
            request.vectors = np.vstack([by_text[t] for t in request.texts])
            request.done.set()
