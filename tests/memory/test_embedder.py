"""MiniLM's runtimes: ONNX Runtime's vectors are torch's, and the setting picks the runtime."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from backend.config import Settings
from memory import Memory
from memory import _minilm_onnx as onnx_minilm
from memory.embedder import (
    DEFAULT_RUNTIME,
    EMBEDDING_DIM,
    MiniLMEmbedder,
    load_onnx_model,
    minilm_embedder,
    set_threads,
)

# Real sentences of ours, of very different lengths, so that one batch pads most of them.
SENTENCES = [
    "Hi, I'm looking to buy a 3 bedroom house in Bondi.",
    "Um, our budget is around $1,450,000, maybe a little more for the right place.",
    "Is 12 Ocean Street in Coogee still available?",
    "Could I book a viewing of 4/18 Arden Street on Saturday at 10am?",
    "We have 2 kids, so a school nearby matters a lot to us. Does that make sense?",
    "Strata is around $1,900 a quarter for that building.",
    "mortgage",
    "My partner works near Crown Street in Surry Hills, so the commute matters, and honestly "
    "the last place we saw in Marrickville was a bit disappointing, the kitchen was tiny and "
    "the second bedroom barely fit a bed, so we'd rather wait for something with more space.",
    "HAS_BUDGET",
    "which school did I say Mia goes to?",
]


def _cosines(a: list[list[float]], b: list[list[float]]) -> np.ndarray:
    x, y = np.asarray(a), np.asarray(b)
    return (x * y).sum(1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))


@pytest.fixture(scope="module")
def torch_vectors() -> list[list[float]]:
    return MiniLMEmbedder("torch").embed_sync(SENTENCES)


def test_onnx_vectors_are_torchs(torch_vectors: list[list[float]]) -> None:
    vectors = MiniLMEmbedder("onnx").embed_sync(SENTENCES)
    assert [len(v) for v in vectors] == [EMBEDDING_DIM] * len(SENTENCES)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert _cosines(vectors, torch_vectors).min() >= 0.999
    # one at a time (no padding) gives the same vectors as in a padded batch
    alone = [MiniLMEmbedder("onnx").embed_sync([s])[0] for s in SENTENCES[:3]]
    assert _cosines(alone, vectors[:3]).min() >= 0.9999


def test_int8_vectors_stay_close_to_torchs(torch_vectors: list[list[float]]) -> None:
    cosines = _cosines(MiniLMEmbedder("onnx-int8").embed_sync(SENTENCES), torch_vectors)
    # int8 is approximate: about 0.99 on average on our texts, some lower (docs/benchmarks.md)
    assert cosines.mean() >= 0.98
    assert cosines.min() >= 0.95


async def test_async_batches_give_the_same_vectors(torch_vectors: list[list[float]]) -> None:
    embedder = MiniLMEmbedder("onnx")
    batch = await embedder.create_batch(SENTENCES)
    one = await embedder.create(input_data=[SENTENCES[0]])
    assert _cosines([one], [batch[0]])[0] >= 0.9999
    assert _cosines(batch, torch_vectors).min() >= 0.999


def test_the_export_is_made_once_and_is_deterministic(tmp_path: Path) -> None:
    first = onnx_minilm.ensure_model("fp32", tmp_path / "a")
    made = first.stat().st_mtime_ns
    assert onnx_minilm.ensure_model("fp32", tmp_path / "a") == first
    assert first.stat().st_mtime_ns == made  # found, not exported again
    again = onnx_minilm.ensure_model("fp32", tmp_path / "b")
    assert again.read_bytes() == first.read_bytes()
    assert [p.name for p in first.parent.iterdir()] == ["model-fp32.onnx"]  # no leftovers


def test_model_threads_reach_a_session_opened_before() -> None:
    import torch

    MiniLMEmbedder("onnx").embed_sync(["warm up"])
    torch_threads = torch.get_num_threads()
    try:
        set_threads(1)
        assert load_onnx_model("onnx").session.get_session_options().intra_op_num_threads == 1
        assert len(MiniLMEmbedder("onnx").embed_sync(["still embeds"])[0]) == EMBEDDING_DIM
        assert torch.get_num_threads() == 1
    finally:
        set_threads(None)  # the runtime's default again for the other tests
        torch.set_num_threads(torch_threads)


def test_the_setting_names_the_runtime() -> None:
    assert DEFAULT_RUNTIME == "onnx"
    assert minilm_embedder("local").runtime == DEFAULT_RUNTIME
    for runtime in ("onnx", "onnx-int8", "torch"):
        assert minilm_embedder(runtime).runtime == runtime
        assert Settings(embedder=runtime).embedder == runtime
    with pytest.raises(ValueError, match="unknown embedder"):
        minilm_embedder("tensorflow")
    with pytest.raises(ValueError, match="unknown MiniLM runtime"):
        MiniLMEmbedder("tensorflow")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Settings(embedder="tensorflow")  # type: ignore[arg-type]


async def test_memory_opens_with_the_chosen_runtime(stack: Settings) -> None:
    for choice, runtime in (("local", DEFAULT_RUNTIME), ("torch", "torch"), ("onnx-int8", "onnx-int8")):
        mem = await Memory.open(stack.model_copy(update={"embedder": choice}))
        try:
            assert isinstance(mem.embedder, MiniLMEmbedder)
            assert mem.embedder.runtime == runtime
            assert len(await mem.embed_one("two bedroom flat in Bondi")) == EMBEDDING_DIM
        finally:
            await mem.close()
