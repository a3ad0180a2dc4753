"""A local server that speaks the documented chat-completions protocol (what an
OpenAI-compatible LLM server answers), for tests of the LLM path without the cloud."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class CompatibleLLM:
    """Every request is answered with ``pieces`` joined: streamed as server-sent chunks, one per
    piece, when the request asks (``stream``) and ``streams`` is on; else one JSON body (a
    server that ignores ``stream`` answers so). With a ``gate``, each piece after the first
    waits for it to be set (at most 10 s), and ``opened`` says whether it was."""

    pieces: tuple[str, ...]
    gate: threading.Event | None = None
    opened: list[bool] = field(default_factory=list)
    streams: bool = True
    url: str = ""
    seen: list[dict[str, Any]] = field(default_factory=list)

    def body(self, request: dict[str, Any]) -> Iterator[tuple[bytes, str]]:
        head = {"id": "chatcmpl-1", "created": 0, "model": request["model"]}
        if not (request.get("stream") and self.streams):
            message = {"role": "assistant", "content": "".join(self.pieces)}
            choice = {"index": 0, "message": message, "finish_reason": "stop"}
            usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
            whole = {**head, "object": "chat.completion", "choices": [choice], "usage": usage}
            yield json.dumps(whole).encode(), "application/json"
            return
        choices = [
            {"index": 0, "delta": {"role": "assistant", "content": p}, "finish_reason": None}
            for p in self.pieces
        ]
        for n, choice in enumerate([*choices, {"index": 0, "delta": {}, "finish_reason": "stop"}]):
            if n and self.gate:
                self.opened.append(self.gate.wait(10))
            chunk = {**head, "object": "chat.completion.chunk", "choices": [choice]}
            yield b"data: " + json.dumps(chunk).encode() + b"\n\n", "text/event-stream"
        yield b"data: [DONE]\n\n", "text/event-stream"


@contextmanager
def compatible_llm(pieces: tuple[str, ...], gate: threading.Event | None = None) -> Iterator[CompatibleLLM]:
    llm = CompatibleLLM(pieces, gate)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            llm.seen.append(request)
            parts = llm.body(request)
            first, kind = next(parts)
            self.send_response(200)
            self.send_header("Content-Type", kind)
            if kind == "application/json":
                self.send_header("Content-Length", str(len(first)))
                self.end_headers()
                self.wfile.write(first)
                return
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part, _ in itertools.chain([(first, kind)], parts):  # as each is made
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    llm.url = f"http://127.0.0.1:{server.server_port}/v1"
    try:
        yield llm
    finally:
        server.shutdown()
        server.server_close()
