"""The embedded Postgres: the binaries shipped by the PyPI package pgserver.

We run ``postgres`` ourselves (not ``pg_ctl``, which daemonizes) so that it is
our child and stops with us. Postgres refuses to run as root, so as root it
runs as the system user pgserver creates for the same purpose.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import signal
import stat
import subprocess
from pathlib import Path

from backend.embedded.process import PRIVATE_UMASK, ChildServer, open_private, reap_orphan, wait_for_leftovers

# Located, not imported: importing pgserver starts its own server machinery.
_spec = importlib.util.find_spec("pgserver")
if _spec is None or not _spec.submodule_search_locations:
    raise ImportError("the embedded Postgres needs the pgserver package")
POSTGRES_BIN_PATH = Path(_spec.submodule_search_locations[0]) / "pginstall" / "bin"

DATABASE = "switchboard"
SUPERUSER = "postgres"
_SYSTEM_USER = "pgserver"


class EmbeddedPostgres:
    """A Postgres server owned by this process, data under ``data_dir/postgres``."""

    def __init__(self, data_dir: Path, port: int, password: str) -> None:
        self.pgdata = (data_dir / "postgres").resolve()
        self.port = port
        self.password = password
        self.user = _SYSTEM_USER if os.geteuid() == 0 else None
        self.server = ChildServer(
            name="postgres",
            argv=[
                str(POSTGRES_BIN_PATH / "postgres"),
                "-D",
                str(self.pgdata),
                "-p",
                str(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
            ],
            pidfile=data_dir / "run" / "postgres.pid",
            log=data_dir / "logs" / "postgres.log",
            stop_signal=signal.SIGINT,  # "fast" shutdown: roll back, checkpoint, exit
            user=self.user,
        )

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{DATABASE}"

    def start(self, timeout: float = 60.0) -> None:
        reap_orphan(self.server.pidfile, str(self.pgdata))
        # A killed postmaster's backends finish on their own; none may overlap the next one.
        wait_for_leftovers(self.pgdata, self.server.argv[0])
        (self.pgdata / "postmaster.pid").unlink(missing_ok=True)  # stale after a kill
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        if self.user:
            _let_the_server_in(self.pgdata, self.user)
        self.server.log.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        open_private(self.server.log, os.O_WRONLY | os.O_APPEND).close()
        if self.user:
            os.chown(self.server.log, *_ids(self.user))
        self.server.start()
        self.server.wait_until(self._ready, timeout)
        self._ensure_database()

    def stop(self) -> None:
        self.server.stop()

    def _initdb(self) -> None:
        self.pgdata.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Beside pgdata, not in run/: the server user can enter the data dir only.
        pwfile = self.pgdata.parent / "pg.pw"
        with open_private(pwfile) as f:
            f.write(self.password.encode())
        if self.user:
            _ensure_system_user(self.user)
            _let_the_server_in(self.pgdata, self.user)
            _let_others_traverse(POSTGRES_BIN_PATH)
            for path in (self.pgdata, pwfile):
                os.chown(path, *_ids(self.user))
        try:
            subprocess.run(
                [
                    str(POSTGRES_BIN_PATH / "initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    SUPERUSER,
                    "--pwfile",
                    str(pwfile),
                    "--auth-host=scram-sha-256",
                    "--auth-local=scram-sha-256",
                    "--encoding=UTF8",
                ],
                check=True,
                capture_output=True,
                user=self.user,
                group=self.user,  # its group may enter the data dir
                extra_groups=[] if self.user else None,
                umask=PRIVATE_UMASK,
            )
        finally:
            pwfile.unlink(missing_ok=True)

    def _psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run(
            [
                str(POSTGRES_BIN_PATH / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                SUPERUSER,
                "-d",
                database,
                "-tAc",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PGPASSWORD": self.password, "PGCONNECT_TIMEOUT": "2"},
        )
        return out.stdout.strip()

    def _ready(self) -> bool:
        return self._psql("SELECT 1") == "1"

    def _ensure_database(self) -> None:
        if self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'") != "1":
            self._psql(f"CREATE DATABASE {DATABASE}")


def _ids(user: str) -> tuple[int, int]:
    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


def _ensure_system_user(user: str) -> None:
    try:
        pwd.getpwnam(user)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", user], check=True)


def _let_the_server_in(pgdata: Path, user: str) -> None:
    """Let the server user reach ``pgdata`` and nothing else of ours: the data dir above it
    is ours, mode 0710 with the server user's group (enter, not list); its parents must let
    others pass."""
    data_dir = pgdata.parent
    _let_others_traverse(data_dir)
    os.chown(data_dir, -1, _ids(user)[1])
    data_dir.chmod(0o710)


def _let_others_traverse(path: Path) -> None:
    """The unprivileged server user must reach its data dir and binaries."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        parent.chmod(mode | stat.S_IXGRP | stat.S_IXOTH)
