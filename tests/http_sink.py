"""A local HTTP server that receives notifications: records every POST and answers as scripted."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.local_http import LocalHttpServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Answer:
    status: int = 200
    delay_s: float = 0.0
    text: str = "ok"


class HttpSink(LocalHttpServer):
    """`url(path)` for a channel; `answers(...)` scripts the next replies (then 200 ok); `received` the POSTs."""

    def __init__(self) -> None:
        super().__init__(_Handler, "http-sink")
        self.received: list[Received] = []
        self._answers: deque[Answer] = deque()
        self._lock = threading.Lock()

    def url(self, path: str = "/hook") -> str:
        return f"{self.origin}{path}"

    def answers(self, *answers: Answer) -> None:
        with self._lock:
            self._answers.extend(answers)

    def bodies(self, path: str) -> list[dict[str, Any]]:
        return [r.body for r in self.received if r.path == path]

    def wait_for(self, count: int, timeout_s: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout_s
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received

    def _take(self, received: Received) -> Answer:
        with self._lock:
            self.received.append(received)
            return self._answers.popleft() if self._answers else Answer()


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        sink: HttpSink = self.server.owner  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        answer = sink._take(Received(self.path, dict(self.headers), json.loads(raw or b"{}")))
        if answer.delay_s:
            sink.closing.wait(answer.delay_s)
        data = answer.text.encode()
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass


def closed_port_url(path: str = "/hook") -> str:
    """A loopback URL where nothing listens: the port was bound, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"
