"""How a notebook reaches the stores: the same settings as the server, read-only.

``open_analyst`` reads the settings as ``switchboard serve`` does (environment, ``.env``),
finds a running embedded stack through the data dir (or uses the configured URLs), and opens
the memory API and a read-only Postgres pool for one tenant.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend.config import ENV_PREFIX, Settings, load_settings
from backend.connections import open_memory
from backend.embedded.stack import running_services
from backend.store import Database, tenants
from backend.store import analytics as store
from backend.store.readers import ensure_reader, open_read_only
from backend.store.tenants import Tenant
from memory import Memory
from memory.models import Fact


class NoStack(RuntimeError):
    """Nothing to read: no running stack on the data dir and no configured URLs."""


@dataclass
class Analyst:
    """One tenant's stores, opened for reading."""

    settings: Settings
    tenant: Tenant
    memory: Memory
    db: Database
    """Read-only: the reader role's pool, or read-only sessions (``postgres_access`` says which)."""
    postgres_access: str
    histories: dict[str, list[Fact]] = field(default_factory=dict)
    """Each caller's fact rows across valid time, read once (``timeline.history``)."""
    cache: dict[str, Any] = field(default_factory=dict)
    """Reads a notebook makes many times (the tenant's calls, bookings), read once; ``fresh()``
    forgets them (and the histories) after the stores changed."""

    def fresh(self) -> None:
        self.histories.clear()
        self.cache.clear()

    async def once(self, key: str, read: Callable[[], Awaitable[Any]]) -> Any:
        if key not in self.cache:
            self.cache[key] = await read()
        return self.cache[key]

    async def calls(self) -> list[dict[str, Any]]:
        return await self.once("calls", lambda: store.calls(self.db, self.group))  # type: ignore[no-any-return]

    async def bookings(self) -> list[dict[str, Any]]:
        return await self.once("bookings", lambda: store.bookings(self.db, self.group))  # type: ignore[no-any-return]

    async def spans(self, *kinds: str) -> list[dict[str, Any]]:
        key = "spans:" + ",".join(kinds)
        return await self.once(key, lambda: store.spans(self.db, self.group, list(kinds)))  # type: ignore[no-any-return]

    @property
    def group(self) -> str:
        return self.tenant.group_id

    async def close(self) -> None:
        await self.memory.close()
        await self.db.close()


async def open_analyst(
    tenant: str = "demo", *, data_dir: Path | str | None = None, settings: Settings | None = None
) -> Analyst:
    """The tenant's stores, read-only; ``settings`` with concrete URLs (tests) or found."""
    configured = settings or load_settings(**({"data_dir": Path(data_dir)} if data_dir else {}))
    if settings is None and data_dir is None:
        configured = configured.model_copy(update={"data_dir": _find(configured.data_dir)})
    resolved = configured
    if settings is None:
        resolved = configured.model_copy(update=running_services(configured.data_dir.resolve()))
    if not (resolved.graph_uri and resolved.database_url):
        raise NoStack(
            f"no stack to read: start `switchboard serve` on {configured.data_dir.resolve()}"
            f" (then `switchboard seed demo`), or set {ENV_PREFIX}GRAPH_URI and {ENV_PREFIX}DATABASE_URL"
        )
    url, access = resolved.database_url, "read-only sessions on the configured URL"
    if configured.database_url is None or _ours(resolved):
        url, access = await ensure_reader(resolved.database_url), "role switchboard_reader (read-only)"
    db = await open_read_only(url)
    found = await tenants.named(db, tenant)
    if found is None:
        await db.close()
        raise LookupError(f"no tenant {tenant!r}: run `switchboard seed demo --tenant {tenant}` first")
    return Analyst(resolved, found, await open_memory(resolved), db, access)


def _find(data_dir: Path) -> Path:
    """A relative data dir as the server sees it: a notebook runs in ``notebooks/``, the server
    in the repository root, so the nearest parent holding it is the one meant."""
    if data_dir.is_absolute() or data_dir.exists():
        return data_dir
    for parent in Path.cwd().parents:
        if (parent / data_dir).exists():
            return parent / data_dir
    return data_dir


def _ours(settings: Settings) -> bool:
    """The database is an embedded one (loopback, the embedded superuser)."""
    from urllib.parse import urlsplit

    parts = urlsplit(settings.database_url or "")
    return parts.hostname == "127.0.0.1" and parts.username == "postgres"


def rows(items: list[Any]) -> list[dict[str, Any]]:
    """Dataclasses or dicts as plain dicts (for display)."""
    from dataclasses import asdict, is_dataclass

    return [asdict(i) if is_dataclass(i) and not isinstance(i, type) else dict(i) for i in items]
