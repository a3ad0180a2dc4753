"""Graphiti, built with all three of its clients passed explicitly.

Left to itself Graphiti builds OpenAI clients that fail without a key (and an
embedder of the wrong size): we always hand it ours.
"""

from __future__ import annotations

from graphiti_core import Graphiti
from graphiti_core.driver.driver import GraphDriver
from graphiti_core.embedder.client import EmbedderClient

from memory.embedder import MiniLMEmbedder
from memory.llm import llm_client
from memory.reranker import EmbeddingReranker


def build_graphiti(
    driver: GraphDriver,
    *,
    llm: str = "policy",
    llm_model: str | None = None,
    llm_api_key: str | None = None,
    embedder: EmbedderClient | None = None,
) -> Graphiti:
    embedder = embedder or MiniLMEmbedder()
    return Graphiti(
        graph_driver=driver,
        llm_client=llm_client(llm, llm_model, llm_api_key),
        embedder=embedder,
        cross_encoder=EmbeddingReranker(embedder),
    )
