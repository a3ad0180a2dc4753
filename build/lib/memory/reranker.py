"""A cross-encoder stand-in that needs no network: cosine similarity of embeddings.

No reranker model ships offline (DESIGN.md), and Graphiti would otherwise build
an OpenAI reranker. Ranking by the same MiniLM embeddings is deterministic and
cheap.
"""

from __future__ import annotations

import numpy as np
from graphiti_core.cross_encoder.client import CrossEncoderClient
from graphiti_core.embedder.client import EmbedderClient


class EmbeddingReranker(CrossEncoderClient):
    def __init__(self, embedder: EmbedderClient) -> None:
        self.embedder = embedder

    async def rank(self, query: str, passages: list[str]) -> list[tuple[str, float]]:
        if not passages:
            return []
        vectors = np.asarray(await self.embedder.create_batch([query, *passages]))
        scores = vectors[1:] @ vectors[0]
        ranked = sorted(zip(passages, scores.tolist(), strict=True), key=lambda p: -p[1])
        return [(passage, float(score)) for passage, score in ranked]
