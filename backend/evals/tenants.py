"""A tenant of its own for each scenario, made on the eval's data dir before its server starts.

The scenarios run at once: on one shared tenant one scenario's viewing took the slot another
meant to book, and one's caller was recognised as another's. Each tenant has its own graph
with the demo listings, a key the harness knows (``key``) and a Twilio account and number
(texts reach the harness's phones, ``backend.evals.phones``).

Run as ``python -m backend.evals.tenants DATA_DIR COUNT`` (by ``backend.evals.calls``, with
the environment it gives the server, so both see the same stores).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from backend import vault
from backend.config import load_settings
from backend.connections import open_memory
from backend.embedded.stack import EmbeddedStack
from backend.evals import phones
from backend.store import Database, telephony, tenants
from backend.verticals.real_estate.demo import seed_demo

KEY = "sb_evals_local-key-for-the-call-scenarios"
"""The local tenant's key; scenario ``n``'s is ``key(n)``."""
AT_ONCE = 4


def key(n: int) -> str:
    return f"{KEY}-{n}"


def line(n: int) -> str:
    """The number scenario ``n``'s tenant answers on and texts from."""
    return f"+612{90_000_000 + n}"


async def _make(data_dir: Path, count: int) -> None:
    with EmbeddedStack(load_settings(data_dir=data_dir)) as settings:
        db = await Database.open(settings.database_url or "")
        memory = await open_memory(settings)
        gate = asyncio.Semaphore(AT_ONCE)

        async def one(n: int) -> None:
            async with gate:
                tenant, _ = await tenants.create(db, f"eval-{n}", key(n))
                sealed = vault.seal(settings, phones.TOKEN)
                await telephony.set_line(db, tenant.tenant_id, [line(n)], sealed, phones.ACCOUNT)
                await seed_demo(memory, tenant.group_id)

        try:
            await asyncio.gather(*(one(n) for n in range(count)))
        finally:
            await memory.close()
            await db.close()


if __name__ == "__main__":
    asyncio.run(_make(Path(sys.argv[1]), int(sys.argv[2])))
