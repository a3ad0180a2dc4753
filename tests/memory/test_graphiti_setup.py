"""The Graphiti traps from DESIGN.md that the foundation handles."""

from __future__ import annotations

import subprocess
import sys

import pytest
from graphiti_core.llm_client.openai_generic_client import OpenAIGenericClient
from graphiti_core.prompts.models import Message

from backend.config import Settings
from memory import connect_graph
from memory.embedder import EMBEDDING_DIM, MiniLMEmbedder
from memory.graphiti import build_graphiti
from memory.llm import LLMUnavailable, NoLLM


def test_telemetry_is_off_outside_pytest_too() -> None:
    # Graphiti disables telemetry itself under pytest, so ask a clean interpreter.
    code = (
        "import memory\n"
        "from graphiti_core.telemetry.telemetry import is_telemetry_enabled\n"
        "print(is_telemetry_enabled())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_graphiti_and_httpx_are_the_pinned_versions() -> None:
    from importlib.metadata import version

    assert version("graphiti-core") == "0.31.1"
    assert version("httpx")  # graphiti imports it; openai 3.x does not pull it
    assert version("arq") == "0.25.0"
    assert version("redis").split(".")[0] == "8"
    assert version("torch").startswith("2.13.0")
    import torch

    assert not torch.cuda.is_available() or torch.version.cuda is None


async def test_graphiti_built_offline_uses_our_three_clients(stack: Settings) -> None:
    driver = connect_graph(stack.graph_uri or "")
    try:
        graphiti = build_graphiti(driver)
        assert isinstance(graphiti.llm_client, NoLLM)
        assert isinstance(graphiti.embedder, MiniLMEmbedder)
        assert type(graphiti.cross_encoder).__name__ == "EmbeddingReranker"
        with pytest.raises(LLMUnavailable):
            await graphiti.llm_client.generate_response([Message(role="user", content="hi")])
        vectors = await graphiti.embedder.create_batch(["two bedroom flat in Bondi", "mortgage"])
        assert [len(v) for v in vectors] == [EMBEDDING_DIM, EMBEDDING_DIM]
        # Graphiti's search calls create(input_data=[query]) and expects one vector.
        assert len(await graphiti.embedder.create(input_data=["mortgage"])) == EMBEDDING_DIM
        ranked = await graphiti.cross_encoder.rank(
            "apartment near the beach", ["home loan rates", "flat by Bondi beach"]
        )
        assert ranked[0][0] == "flat by Bondi beach"
    finally:
        await driver.close()


def test_compatible_endpoint_gets_a_generic_client() -> None:
    from memory.llm import llm_client

    client = llm_client("http://127.0.0.1:9/v1", "qwen", None)
    assert isinstance(client, OpenAIGenericClient)
    assert client.config.base_url == "http://127.0.0.1:9/v1"


async def test_openai_embeddings_when_configured_keep_the_index_size(stack: Settings) -> None:
    from graphiti_core.embedder.openai import OpenAIEmbedder

    from backend.connections import open_memory

    settings = stack.model_copy(update={"embedder": "openai", "llm": "http://127.0.0.1:9/v1"})
    mem = await open_memory(settings)
    try:
        assert isinstance(mem.embedder, OpenAIEmbedder)
        assert mem.embedder.config.embedding_dim == EMBEDDING_DIM
        assert str(mem.embedder.client.base_url).startswith("http://127.0.0.1:9/v1")
    finally:
        await mem.close()
