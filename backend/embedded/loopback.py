"""An ASGI app served on a free loopback port by uvicorn in a thread: the local servers that
speak another service's protocol (the eval's Twilio double; tests' doubles and APIs)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from backend.embedded.stack import free_port

START_WAIT_S = 120.0


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app`` while the block runs; yields its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_WAIT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the local server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
