"""``switchboard bench voice``: phone calls over Twilio Media Streams, end of the caller's
speech → the first byte of our audio back, with the stages behind it.

The API runs as its own process (``switchboard serve``, no worker) on a fresh embedded stack,
with the offline cascade; callers are ``backend.voice.simulator`` peers streaming synthetic
speech (flite by default, espeak-ng on request) at real time, its synthesizer's silence trimmed
so the end of the audio is the end of the speech. Stages come from the server's
``switchboard_voice_stage_seconds`` histogram (means); word errors from the transcripts the
calls left in Postgres."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil
import websockets
from rapidfuzz.distance import Levenshtein

from backend import vault
from backend.bench.chat import KEY, _ready, _seed, _serve
from backend.bench.report import percentiles
from backend.config import Settings
from backend.embedded.stack import running_services
from backend.store import Database, calls, telephony, tenants
from backend.voice import simulator

TOKEN = "bench-twilio-auth-token"
NUMBER = "+61290000123"
UTTERANCES = (
    "Do you have anything in Coogee?",
    "What about something cheaper?",
    "Tell me more about the first one.",
    "Is it close to the beach?",
    "Can I see it on Saturday morning?",
    "What would repayments be on a million dollars?",
    "We would also look in Bondi.",
    "How many bedrooms does it have?",
    "Thanks, that's all for now.",
    "What's the market like in Randwick?",
)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def word_errors(said: str, heard: str) -> tuple[int, int]:
    """(edits, words said): the word-level edit distance of what was heard from what was said."""
    truth = _words(said)
    return Levenshtein.distance(truth, _words(heard)), len(truth)


async def _stages(base: str) -> dict[str, tuple[float, float]]:
    """(sum, count) of each stage so far."""
    async with httpx.AsyncClient(base_url=base) as client:
        text = (await client.get("/metrics")).text
    found: dict[str, list[float]] = {}
    for kind, stage, value in re.findall(
        r'switchboard_voice_stage_seconds_(sum|count)\{stage="(\w+)"\} (\S+)', text
    ):
        found.setdefault(stage, [0.0, 0.0])[0 if kind == "sum" else 1] = float(value)
    return {stage: (v[0], v[1]) for stage, v in found.items()}


async def _call(base: str, n: int, utterances: int, latencies: list[float], voice: str = "flite") -> str:
    """One phone call of ``utterances`` turns; its caller's number."""
    caller = f"+61412{n:06d}"
    url, params = await simulator.dial(base, NUMBER, caller, TOKEN)
    async with websockets.connect(url, max_size=None) as ws:
        twilio = simulator.Twilio(ws)
        await twilio.start(params)
        await twilio.until_quiet(quiet_s=1.0)
        for i in range(utterances):
            audio = simulator.caller_voice(UTTERANCES[(n + i) % len(UTTERANCES)], voice)
            before = len(twilio.arrivals)
            ended = await twilio.say(audio, then_silence_s=0.2)
            await twilio.until_reply(before)
            # Callers talk over long replies (a search reads out five homes): at most 6 s each.
            await twilio.until_quiet(quiet_s=1.0, limit_s=6)
            first = next((t for t in twilio.arrivals[before:] if t >= ended), None)
            if first is not None:
                latencies.append((first - ended) * 1000)
        await twilio.stop()
    return caller


async def _level(base: str, db: Database, concurrency: int, utterances: int, voice: str) -> dict[str, Any]:
    latencies: list[float] = []
    before = await _stages(base)
    offset = uuid.uuid4().int % 10_000 * 10
    callers = await asyncio.gather(
        *(_call(base, offset + n, utterances, latencies, voice) for n in range(concurrency))
    )
    after = await _stages(base)
    stages = {
        stage: round(
            (total - before.get(stage, (0, 0))[0]) / max(1, count - before.get(stage, (0, 0))[1]) * 1000, 1
        )
        for stage, (total, count) in after.items()
    }
    edits = words = 0
    for n, caller in enumerate(callers):
        # A whole call at once: a turn split at a pause, or two merged, still lines up.
        said = " ".join(UTTERANCES[(offset + n + i) % len(UTTERANCES)] for i in range(utterances))
        e, w = word_errors(said, " ".join(await calls.caller_lines(db, caller)))
        edits, words = edits + e, words + w
    stats = percentiles(latencies)
    return {"p50_ms": stats["p50"], "p95_ms": stats["p95"], "utterances": concurrency * utterances,
            "answered": stats["n"], "stages_ms": stages,
            "wer": round(edits / max(1, words), 3)}  # fmt: skip


async def _line(settings: Settings) -> Database:
    db = await Database.open(settings.database_url or "")
    who = await tenants.authenticate(db, KEY)
    assert who is not None
    await telephony.set_line(db, who.tenant.tenant_id, [NUMBER], vault.seal(settings, TOKEN))
    return db


def run(data_dir: Path, port: int, levels: tuple[int, ...], utterances: int, voice: str) -> dict[str, Any]:
    """``voice``: the callers' synthetic voice (``simulator.VOICES``)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    server = _serve(data_dir, port)
    base = f"http://127.0.0.1:{port}"

    async def measure() -> dict[str, Any]:
        settings = Settings(data_dir=data_dir).model_copy(update=running_services(data_dir))
        await _seed(settings)
        db = await _line(settings)
        try:
            await _call(base, 999_000, 1, [])  # warm up: the models load on the first call
            result: dict[str, Any] = {"concurrency": {}}
            for level in levels:
                result["concurrency"][str(level)] = await _level(base, db, level, utterances // level, voice)
        finally:
            await db.close()
        return result

    try:
        asyncio.run(_ready(base))
        began = time.monotonic()
        result = asyncio.run(measure())
        one = result["concurrency"][str(levels[0])]
        rss = psutil.Process(server.pid).memory_info().rss
        return {
            "utterances": one["utterances"],
            "answered": one["answered"],
            "p50_ms": one["p50_ms"],
            "p95_ms": one["p95_ms"],
            "stages": one["stages_ms"],
            "wer": one["wer"],
            "concurrency": result["concurrency"],
            "server_rss_mb": round(rss / 2**20),
            "caller_voice": voice,
            "seconds": round(time.monotonic() - began),
        }
    finally:
        server.terminate()
        server.wait(60)
