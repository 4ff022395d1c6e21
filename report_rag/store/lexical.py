"""BM25 over CJK-aware tokens, held as a sparse matrix so a query costs a few column sums.

Tokens: Han text becomes overlapping character bigrams (what Lucene's CJK analyser does —
robust without a dictionary, and 腾讯控股 still matches 腾讯 and 控股); a lone Han character
between non-Han text stays a unigram; Latin words are lower-cased words; numbers keep their
decimal point (17.76) and stock codes stay whole (600519.SH -> 600519.sh, 0700.hk).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from report_rag.text import CJK, CJK_RUN_RE, CODE_TOKEN_PATTERN

_TOKEN = re.compile(
    CODE_TOKEN_PATTERN  # stock codes, one token each
    + r"|[a-z][a-z0-9]*(?:['\-][a-z0-9]+)*"  # latin words (incl. hyphenated)
    + r"|\d+(?:[.,]\d+)*%?"  # numbers, amounts, percentages
    + f"|[{CJK}]+"  # runs of Han characters
)
_HAN_RUN = CJK_RUN_RE
# Function words that carry no topic in questions ("这份报告的…是什么").
STOP = frozenset(
    "的 了 是 在 和 与 及 或 对 为 有 中 等 该 这 那 其 之 也 都 而 并 从 被 将 把 "
    "the a an of to in and or for on is are was were be by with as at from that this what which "
    "how does do did its it their there".split()
)


def tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    for match in _TOKEN.finditer(text.lower()):
        token = match.group()
        if _HAN_RUN.fullmatch(token):
            if len(token) == 1:
                if token not in STOP:
                    tokens.append(token)
            else:
                tokens.extend(token[i : i + 2] for i in range(len(token) - 1))
        elif token not in STOP:
            tokens.append(token)
    return tokens


@dataclass
class Bm25Index:
    """Okapi BM25 (k1=1.2, b=0.75) with incremental adds and removals by chunk id."""

    k1: float = 1.2
    b: float = 0.75
    _vocab: dict[str, int] = field(default_factory=dict)
    _rows: list[dict[int, int]] = field(default_factory=list)  # term-id -> count, per doc
    _ids: list[int] = field(default_factory=list)
    _lengths: list[int] = field(default_factory=list)
    _alive: list[bool] = field(default_factory=list)
    _matrix: sparse.csc_matrix | None = None  # docs x terms BM25 weights, built lazily
    _idf: np.ndarray | None = None

    def __len__(self) -> int:
        return sum(self._alive)

    def add(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        for chunk_id, text in zip(ids, texts):
            counts: dict[int, int] = {}
            tokens = tokenize(text)
            for token in tokens:
                term = self._vocab.setdefault(token, len(self._vocab))
                counts[term] = counts.get(term, 0) + 1
            self._rows.append(counts)
            self._ids.append(int(chunk_id))
            self._lengths.append(len(tokens))
            self._alive.append(True)
        self._matrix = None

    def remove(self, ids: Sequence[int]) -> None:
        gone = {int(i) for i in ids}
        for row, chunk_id in enumerate(self._ids):
            if chunk_id in gone:
                self._alive[row] = False
        self._matrix = None

    def ids(self) -> np.ndarray:
        return np.array([i for i, a in zip(self._ids, self._alive) if a], dtype=np.int64)

    def _build(self) -> None:
        n_docs = len(self._rows)
        alive = np.array(self._alive, dtype=bool)
        lengths = np.array(self._lengths, dtype=np.float32)
        avg = float(lengths[alive].mean()) if alive.any() else 1.0
        data: list[int] = []
        rows: list[int] = []
        cols: list[int] = []
        for row, counts in enumerate(self._rows):
            if not alive[row] or not counts:
                continue
            rows.extend([row] * len(counts))
            cols.extend(counts.keys())
            data.extend(counts.values())
        tf = sparse.csr_matrix(
            (np.asarray(data, np.float32), (rows, cols)), shape=(n_docs, max(len(self._vocab), 1))
        )
        df = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float32)
        n_alive = max(int(alive.sum()), 1)
        self._idf = np.log1p((n_alive - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = self.k1 * (1 - self.b + self.b * lengths / max(avg, 1e-6))
        # Saturated term frequency per (doc, term): tf*(k1+1) / (tf + k1*(1-b+b*len/avg)).
        tf = tf.tocoo()
        weights = tf.data * (self.k1 + 1) / (tf.data + norm[tf.row])
        self._matrix = sparse.csc_matrix((weights, (tf.row, tf.col)), shape=tf.shape)

    def search(
        self, query: str, k: int, allowed: np.ndarray | None = None, row_mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (chunk_id, score), optionally only among `allowed` chunk ids or the rows
        where `row_mask` (aligned with the order of `add`) is true."""
        if self._matrix is None:
            self._build()
        assert self._matrix is not None and self._idf is not None  # set by _build
        terms = sorted({self._vocab[t] for t in tokenize(query) if t in self._vocab})
        if not terms or k <= 0:
            return []
        scores = np.asarray(self._matrix[:, terms] @ self._idf[terms]).ravel()
        ids = np.asarray(self._ids, dtype=np.int64)
        mask = scores > 0
        if row_mask is not None:
            mask &= row_mask[: len(mask)]
        if allowed is not None:
            mask &= np.isin(ids, allowed)
        candidates = np.flatnonzero(mask)
        if not len(candidates):
            return []
        top = candidates[np.argsort(-scores[candidates], kind="stable")[:k]]
        return [(int(ids[i]), float(scores[i])) for i in top]
