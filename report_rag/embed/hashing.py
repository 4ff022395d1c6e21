"""A lexical stand-in embedder for tests and quick experiments: no model, instant."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from report_rag.embed.base import l2_normalise
from report_rag.settings import Settings
from report_rag.text import CJK_RE

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.\-]*|\d+(?:\.\d+)?")


class HashingEmbedder:
    """A lexical embedder: hashed Latin words and Han character uni/bi-grams.

    No model, fully deterministic and instant. Used by the fast test tier and for quick
    experiments; retrieval quality is that of bag-of-words, not of a neural model.
    """

    name = "hashing-ngram-v1"

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim

    @classmethod
    def from_settings(cls, settings: Settings) -> HashingEmbedder:
        return cls()

    def _features(self, text: str) -> list[str]:
        text = text.lower()
        feats = _LATIN_WORD.findall(text)
        han = CJK_RE.findall(text)
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
