"""Restarting the children of ``switchboard serve`` that die.

One thread watches each child (FalkorDB, Postgres, a worker). When the child
exits without being asked to, the thread waits a bounded, growing delay and
starts it again on the same port and data; a child that stayed up for a while
starts again from the shortest delay. Every exit and restart is logged with the
child's name, pid, exit code and delays only: no log tail (Postgres logs can
quote row values).

The threads live until the children are stopped: the kernel's parent-death
signal goes to a child when the *thread* that started it ends, so a thread that
returned early would stop the server it restarted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from backend.embedded.process import ChildServer

log = structlog.get_logger(__name__)

POLL_S = 0.2
"""How often a watcher looks at its child: the longest a death goes unseen."""


@dataclass(frozen=True)
class Backoff:
    """Delays before restarting a child that keeps dying."""

    first_s: float = 0.5
    """Delay before the first restart, and after a child that stayed up ``reset_after_s``."""
    cap_s: float = 30.0
    """Longest delay: a child that cannot start is tried this often, forever."""
    reset_after_s: float = 60.0
    """Uptime after which a death counts as a new one, not as another failed start."""

    def after(self, previous_s: float | None, uptime_s: float) -> float:
        """The delay before the next start, given the last delay and how long the child ran."""
        if previous_s is None or uptime_s >= self.reset_after_s:
            return self.first_s
        return min(self.cap_s, previous_s * 2)


class Supervisor:
    """Watches children and restarts them; ``stop()`` before stopping them, ``close()`` after."""

    def __init__(self, backoff: Backoff | None = None) -> None:
        self.backoff = backoff or Backoff()
        self._stopping = threading.Event()
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []
        self._servers: list[ChildServer] = []
        self.restarts: dict[str, int] = {}
        """Restarts so far, by child name (a worker's name includes its number)."""

    def watch(self, name: str, server: ChildServer, start: Callable[[], None]) -> None:
        """Restart ``server`` with ``start`` (which waits until it is ready) whenever it dies."""
        self.restarts[name] = 0
        self._servers.append(server)
        thread = threading.Thread(
            target=self._watch, args=(name, server, start), name=f"supervise-{name}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def stop(self) -> None:
        """No more restarts: the children are about to be stopped on purpose."""
        self._stopping.set()

    def close(self, timeout: float = 5.0) -> None:
        """Let the watcher threads end (after their children were stopped), and stop a child
        that a restart racing with the stop brought up after all."""
        self._stopping.set()
        self._closed.set()
        for thread in self._threads:
            thread.join(timeout)
        for server in self._servers:
            server.stop()

    def _watch(self, name: str, server: ChildServer, start: Callable[[], None]) -> None:
        delay: float | None = None
        up_since = time.monotonic()
        while not self._stopping.wait(POLL_S):
            if server.running:
                continue
            uptime = time.monotonic() - up_since
            delay = self.backoff.after(delay, uptime)
            log.warning(
                "child exited",
                child=name,
                exit_code=_exit_code(server),
                uptime_s=round(uptime, 1),
                restart_in_s=delay,
            )
            if self._stopping.wait(delay):
                break
            up_since = time.monotonic()
            self._restart(name, server, start, delay)
        self._closed.wait()  # keep the parent-death signal's "parent" alive until then

    def _restart(self, name: str, server: ChildServer, start: Callable[[], None], delay: float) -> None:
        began = time.monotonic()
        try:
            start()
        except Exception as exc:
            # The next round sees it down and waits longer; the reason is in its own log.
            if not self._stopping.is_set():
                log.error("child restart failed", child=name, error=type(exc).__name__, log=str(server.log))
            return
        self.restarts[name] += 1
        log.warning(
            "child restarted",
            child=name,
            pid=server.process.pid if server.process else None,
            restarts=self.restarts[name],
            waited_s=delay,
            start_s=round(time.monotonic() - began, 2),
        )


def _exit_code(server: ChildServer) -> int | None:
    """The exit code, negative for a signal (-9: killed); None if it was never started."""
    return server.process.returncode if server.process else None
