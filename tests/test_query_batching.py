"""Concurrent searches share query forward passes; answers are the embedder's own."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
import pytest

from report_rag.embed import QueryBatcher
from report_rag.embed.hashing import HashingEmbedder


class SlowCountingEmbedder:
    """The hashing embedder, with a fixed cost per forward pass and a record of batch sizes."""

    def __init__(self, delay_s: float = 0.05) -> None:
        self.inner = HashingEmbedder()
        self.name, self.dim = self.inner.name, self.inner.dim
        self.delay_s = delay_s
        self.batch_sizes: list[int] = []

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_documents(texts)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.batch_sizes.append(len(texts))
        time.sleep(self.delay_s)
        if any(t == "boom" for t in texts):
            raise RuntimeError("model failed")
        return self.inner.encode_queries(texts)


def test_concurrent_queries_share_forward_passes_and_get_their_own_vectors() -> None:
    embedder = SlowCountingEmbedder()
    batcher = QueryBatcher(embedder)
    texts = [f"目标价 问题 {i}" for i in range(32)]
    results: dict[str, np.ndarray] = {}
    start = threading.Barrier(len(texts))  # all 32 ask at once, however slowly threads start

    def ask(text: str) -> None:
        start.wait()
        results[text] = batcher.encode_queries([text])[0]

    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = HashingEmbedder().encode_queries(texts)
    for text, vector in zip(texts, expected, strict=True):
        np.testing.assert_allclose(results[text], vector)
    assert sum(embedder.batch_sizes) == 32
    assert len(embedder.batch_sizes) <= 8, embedder.batch_sizes  # not 32 passes


def test_repeated_queries_come_from_the_cache_and_duplicates_are_encoded_once() -> None:
    embedder = SlowCountingEmbedder(delay_s=0)
    batcher = QueryBatcher(embedder, cache_size=2)
    first = batcher.encode_queries(["a", "b", "a"])
    assert embedder.batch_sizes == [2] and first.shape == (3, embedder.dim)
    np.testing.assert_allclose(first[0], first[2])
    batcher.encode_queries(["b"])
    assert embedder.batch_sizes == [2]  # cached
    batcher.encode_queries(["c"])  # evicts the least recent ("a")
    batcher.encode_queries(["a"])
    assert embedder.batch_sizes == [2, 1, 1]


def test_an_encoding_error_reaches_its_caller_and_the_batcher_goes_on() -> None:
    batcher = QueryBatcher(SlowCountingEmbedder(delay_s=0))
    with pytest.raises(RuntimeError, match="model failed"):
        batcher.encode_queries(["boom"])
    assert batcher.encode_queries(["fine"]).shape[0] == 1
