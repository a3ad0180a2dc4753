"""The embedded stack: the servers Switchboard starts itself when no URL is set.

``EmbeddedStack(settings).start()`` takes the data dir's lock, starts what the
settings leave unconfigured (FalkorDB, which is also arq's Redis; Postgres),
and returns settings in which every URL is concrete, to pass to the API and the
workers. The URLs are also written to ``run/services.json`` so that a
``switchboard worker`` or ``doctor`` on the same data dir finds them.

The data dir is private: mode 0700 (0710 with the Postgres user's group when we
run as root and Postgres runs as that user), every file in it 0600.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import socket
from collections.abc import Callable
from pathlib import Path
from typing import IO

from backend.config import Settings
from backend.embedded.falkordb import EmbeddedFalkorDB
from backend.embedded.postgres import EmbeddedPostgres
from backend.embedded.process import ChildServer, make_private, write_private

__all__ = ["DataDirLocked", "EmbeddedStack", "free_port", "running_services"]


class DataDirLocked(RuntimeError):
    """Another Switchboard already serves this data dir."""


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _secret(data_dir: Path) -> str:
    """One random password per data dir for the embedded servers (file mode 0600)."""
    path = data_dir / "secret"
    if not path.exists():
        write_private(path, secrets.token_urlsafe(24))
    return path.read_text().strip()


def services_file(data_dir: Path) -> Path:
    return data_dir / "run" / "services.json"


def running_services(data_dir: Path) -> dict[str, str]:
    """URLs of the embedded servers a live ``serve`` on this data dir published."""
    path = services_file(data_dir)
    if not path.exists() or not _is_locked(data_dir):
        return {}
    return json.loads(path.read_text())


def _is_locked(data_dir: Path) -> bool:
    try:
        with open(data_dir / "switchboard.lock") as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(f, fcntl.LOCK_UN)
    except FileNotFoundError:
        return False
    except BlockingIOError:
        return True
    return False


class EmbeddedStack:
    """Starts and stops the embedded servers for one data dir."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data_dir = settings.data_dir.resolve()
        self.falkordb: EmbeddedFalkorDB | None = None
        self.postgres: EmbeddedPostgres | None = None
        self._lock: IO[str] | None = None

    def start(self) -> Settings:
        """Start what is not configured; return settings with every URL set."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._take_lock()
        make_private(self.data_dir)  # what an older build left readable
        embedded = self.settings.embedded
        update: dict[str, str] = {}
        try:
            password = _secret(self.data_dir)
            if embedded["graph"] or embedded["redis"]:
                self.falkordb = EmbeddedFalkorDB(self.data_dir, free_port(), password)
                self.falkordb.start()
                if embedded["graph"]:
                    update["graph_uri"] = self.falkordb.graph_uri
                if embedded["redis"]:
                    update["redis_url"] = self.falkordb.url
            if embedded["postgres"]:
                self.postgres = EmbeddedPostgres(self.data_dir, free_port(), password)
                self.postgres.start()
                update["database_url"] = self.postgres.url
        except BaseException:
            self.stop()
            raise
        if self.settings.redis_url is None and "redis_url" not in update:
            update["redis_url"] = _redis_from_falkor(self.settings.graph_uri or "")
        path = services_file(self.data_dir)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        write_private(path, json.dumps(update))
        return self.settings.model_copy(update={**update, "data_dir": self.data_dir})

    @property
    def running(self) -> bool:
        return self._lock is not None

    def servers(self) -> list[tuple[ChildServer, Callable[[], None]]]:
        """Each running server's process and how to start it again (same port, same data)."""
        return [(s.server, s.start) for s in (self.falkordb, self.postgres) if s is not None]

    def stop(self) -> None:
        if self._lock is None:
            return  # never started: the data dir may belong to another Switchboard
        for server in (self.postgres, self.falkordb):
            if server is not None:
                server.stop()
        self.postgres = self.falkordb = None
        services_file(self.data_dir).unlink(missing_ok=True)
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()
        self._lock = None

    def __enter__(self) -> Settings:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _take_lock(self) -> None:
        fd = os.open(self.data_dir / "switchboard.lock", os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        lock = os.fdopen(fd, "a+")  # held until stop()
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            lock.close()
            raise DataDirLocked(
                f"another Switchboard (pid {holder}) is serving {self.data_dir}; "
                "stop it first, or pass --data-dir for a separate stack"
            ) from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        self._lock = lock


def _redis_from_falkor(graph_uri: str) -> str:
    """An external FalkorDB is a Redis server: arq can use it as is."""
    scheme, rest = graph_uri.split("://", 1)
    return ("rediss://" if scheme == "falkors" else "redis://") + rest
