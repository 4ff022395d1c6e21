"""Stage 3: text becomes vectors. Backends are registered by name (see base.EMBEDDERS)."""

from report_rag.embed.base import EMBEDDERS, Embedder, create_embedder, describe_embedder, l2_normalise
from report_rag.embed.batching import QueryBatcher

__all__ = ["EMBEDDERS", "Embedder", "QueryBatcher", "create_embedder", "describe_embedder", "l2_normalise"]
