"""Child server processes that cannot outlive Switchboard.

Each server is started as a direct child with the kernel's parent-death signal
set, so it stops when our process dies, even by SIGKILL. Its pid is written
under the data dir; the next start reaps any survivor whose command line names
that data dir (a server started by an older build, or one that ignored the
signal).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psutil

_PR_SET_PDEATHSIG = 1
PRIVATE_UMASK = 0o077
"""Files a server creates are 0600 and its directories 0700."""


class ServerStartError(RuntimeError):
    """A server did not come up; the message points at its log."""


_LIBC = ctypes.CDLL("libc.so.6", use_errno=True)  # loaded here: a forked child must not dlopen


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """This process gets ``sig`` when the thread that started it ends (an API worker process
    of ``serve --api-workers N``: no process outlives ``serve``)."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, sig)


def _die_with_parent(sig: int) -> Callable[[], None]:
    def set_pdeathsig() -> None:
        # Runs in the child after the uid switch (a uid change clears the signal). The
        # "parent" is the thread that forked: a supervisor's threads outlive their children.
        _LIBC.prctl(_PR_SET_PDEATHSIG, sig)

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
        private_dir(self.log.parent)
        with open_private(self.log, os.O_WRONLY | os.O_APPEND) as log:
            self.process = subprocess.Popen(
                list(self.argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=self.user,
                group=self.user,
                extra_groups=[] if self.user else None,
                env=self.env,
                umask=PRIVATE_UMASK,
                process_group=0,  # keep the terminal's Ctrl-C for us; we stop it in order
                preexec_fn=_die_with_parent(self.stop_signal),
            )
        private_dir(self.pidfile.parent)
        write_private(self.pidfile, str(self.process.pid))

    @property
    def running(self) -> bool:
        """Started and not exited (a stopped or never-started server is not running)."""
        process = self.process
        return process is not None and process.poll() is None

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> None:
        """Poll ``ready`` until it holds; fail with the log's tail if the server exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:  # exited, or stopped by another thread while we waited
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


def private_dir(path: Path) -> None:
    """A directory only its owner can enter (made if missing, tightened if not)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_TRUNC) -> IO[bytes]:
    """Open ``path`` for writing as a 0600 file, whatever this process's umask."""
    fd = os.open(path, flags | os.O_CREAT, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode on open: tighten it
    return os.fdopen(fd, "ab" if flags & os.O_APPEND else "wb")


def write_private(path: Path, text: str) -> None:
    with open_private(path) as f:
        f.write(text.encode())


def make_private(root: Path) -> None:
    """Tighten what an older build (or a server's own umask) left readable under ``root``:
    directories 0700, files 0600, symlinks untouched (and what is not ours to change)."""
    for top, dirs, files in os.walk(root):
        _chmod(top, 0o700)
        for name in files:
            path = os.path.join(top, name)
            if not os.path.islink(path):
                _chmod(path, 0o600)
        # Not into a nested stack's data dir (``bench`` keeps one inside): its own start sees to it.
        dirs[:] = [
            d
            for d in dirs
            if not os.path.islink(os.path.join(top, d))
            and not os.path.exists(os.path.join(top, d, "switchboard.lock"))
        ]


def _chmod(path: str, mode: int) -> None:
    with contextlib.suppress(PermissionError, FileNotFoundError):  # another user's; gone meanwhile
        os.chmod(path, mode)


def wait_for_leftovers(directory: Path, binary: str, timeout: float = 10.0) -> None:
    """Wait for processes of ``binary`` still working in ``directory`` (a killed Postgres's
    backends, a killed redis's snapshot child) to exit, and kill them after ``timeout``: a
    new server must not share its files with them. Nothing else is touched (a shell whose
    working directory is there, another program)."""
    target, exe = str(directory.resolve()), str(Path(binary).resolve())
    leftovers = [p for p in psutil.process_iter() if _leftover(p, target, exe)]
    _, alive = psutil.wait_procs(leftovers, timeout=timeout)
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(alive, timeout=timeout)


def _leftover(proc: psutil.Process, directory: str, exe: str) -> bool:
    try:
        return proc.pid != os.getpid() and proc.exe() == exe and proc.cwd() == directory
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


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
