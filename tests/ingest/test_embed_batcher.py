"""The worker's embedding batcher (``ingest.worker.EmbedBatcher``): the texts of jobs
running at once go to the model in one call, and give the vectors each text gets alone."""

from __future__ import annotations

import asyncio
import uuid

import numpy as np
import pytest

from ingest.worker import EmbedBatcher
from memory import Memory
from memory.embedder import MiniLMEmbedder


def _jobs_texts() -> list[list[str]]:
    """Six jobs' texts, unseen by the session's vector cache (some shared between jobs)."""
    tag = uuid.uuid4().hex[:8]
    shared = f"the caller wants a garden ({tag})"
    return [
        [f"call {n}: our budget is about {n + 6}00,000 ({tag})", shared, f"we like Bondi, {n} kids ({tag})"]
        for n in range(6)
    ]


async def test_concurrent_jobs_share_one_model_call_with_one_by_one_vectors(mem: Memory) -> None:
    jobs = _jobs_texts()
    model_calls: list[list[str]] = []

    async def embed(texts: list[str]) -> None:
        model_calls.append(texts)
        await mem.embed(texts)

    batcher = EmbedBatcher(embed)
    await asyncio.gather(*(batcher.warm(texts) for texts in jobs))
    assert len(model_calls) == 1, "jobs waiting at once are embedded together"
    assert model_calls[0] == [t for texts in jobs for t in texts], "every job's texts, in order"

    # The batch's vectors (in memory's cache now) are each text's own, in the jobs' order.
    texts = [t for texts in jobs for t in texts]
    assert isinstance(mem.embedder, MiniLMEmbedder)
    batched = np.asarray(await mem.embed(texts))
    alone = np.asarray([MiniLMEmbedder(mem.embedder.runtime).embed_sync([t])[0] for t in texts])
    assert np.abs(batched - alone).max() <= 2e-5  # memory keeps 5 decimals
    assert (np.sum(batched * alone, axis=1) / np.linalg.norm(batched, axis=1)).min() >= 0.9999


async def test_texts_arriving_while_the_model_runs_go_in_the_next_call() -> None:
    model_calls: list[list[str]] = []
    running = asyncio.Event()

    async def embed(texts: list[str]) -> None:
        model_calls.append(texts)
        running.set()
        await asyncio.sleep(0.05)

    batcher = EmbedBatcher(embed)
    first = asyncio.create_task(batcher.warm(["a"]))
    await running.wait()
    await asyncio.gather(batcher.warm(["b"]), batcher.warm(["c", "d"]), first)
    assert model_calls == [["a"], ["b", "c", "d"]]


async def test_a_failed_model_call_fails_every_job_in_it() -> None:
    async def embed(texts: list[str]) -> None:
        raise RuntimeError("model gone")

    batcher = EmbedBatcher(embed)
    results = await asyncio.gather(batcher.warm(["a"]), batcher.warm(["b"]), return_exceptions=True)
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]
    with pytest.raises(RuntimeError):
        await batcher.warm(["c"])
