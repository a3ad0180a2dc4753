"""Child server processes that cannot outlive Switchboard.

Each server is started as a direct child with the kernel's parent-death signal
set, so it stops when our process dies, even by SIGKILL. Its pid is written
under the data dir; the next start reaps any survivor whose command line names
that data dir (a server started by an older build, or one that ignored the
signal).
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

_PR_SET_PDEATHSIG = 1


class ServerStartError(RuntimeError):
    """A server did not come up; the message points at its log."""


def _die_with_parent(sig: int) -> Callable[[], None]:
    def set_pdeathsig() -> None:
        # Runs in the child after the uid switch (a uid change clears the signal).
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, sig)
        os.setpgid(0, 0)  # keep the terminal's Ctrl-C for us; we stop it in order

    return set_pdeathsig


@dataclass
class ChildServer:
    """One server binary run as a child of this process."""

    name: str
    argv: Sequence[str]
    pidfile: Path
    log: Path
    stop_signal: int = signal.SIGTERM
    """Also the parent-death signal: the server's own clean-shutdown signal."""
    user: str | None = None
    env: dict[str, str] | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                list(self.argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=self.user,
                group=self.user,
                extra_groups=[] if self.user else None,
                env=self.env,
                preexec_fn=_die_with_parent(self.stop_signal),
            )
        self.pidfile.parent.mkdir(parents=True, exist_ok=True)
        self.pidfile.write_text(str(self.process.pid))

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> None:
        """Poll ``ready`` until it holds; fail with the log's tail if the server exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerStartError(f"{self.name} exited at start: {self.log_tail()}")
            try:
                if ready():
                    return
            except Exception:
                pass
            time.sleep(0.05)
        self.stop()
        raise ServerStartError(f"{self.name} not ready after {timeout:.0f}s: {self.log_tail()}")

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.pidfile.unlink(missing_ok=True)

    def log_tail(self, lines: int = 8) -> str:
        try:
            tail = self.log.read_text(errors="replace").splitlines()[-lines:]
        except FileNotFoundError:
            return f"(no log at {self.log})"
        return f"see {self.log}:\n    " + "\n    ".join(tail)


def reap_orphan(pidfile: Path, marker: str, timeout: float = 10.0) -> bool:
    """Stop a server left by a dead parent. Only a process whose command line or
    working directory names ``marker`` (our data dir) is touched, so a recycled
    pid is safe. (redis-server rewrites its command line; it runs in its dir.)"""
    try:
        pid = int(pidfile.read_text().strip())
    except (FileNotFoundError, ValueError):
        return False
    pidfile.unlink(missing_ok=True)
    try:
        proc = psutil.Process(pid)
        if not any(marker in part for part in [*proc.cmdline(), proc.cwd()]):
            return False
        proc.terminate()
        try:
            proc.wait(timeout)
        except psutil.TimeoutExpired:
            proc.kill()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    return True
