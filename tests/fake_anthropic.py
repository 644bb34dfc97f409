"""A local stand-in for the Anthropic Messages API, speaking its wire format over real HTTP.

    with FakeAnthropic(tool_call({...})) as fake:
        client = anthropic.Anthropic(api_key="sk-fake", base_url=fake.base_url)

Each POST /v1/messages takes the next scripted Reply (a 500 when none is left) and is recorded
with its headers and parsed JSON body. Streaming requests get server-sent events exactly as the
API sends them; the others get one JSON message.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from itertools import count
from typing import Any

import pytest

from tests.local_http import LocalHttpServer

TOOL_NAME = "submit_triage"


@dataclass
class Reply:
    status: int = 200
    tool_input: dict[str, Any] | str | None = None
    text: str = ""
    error_type: str = ""
    error_message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    chunk_size: int = 32
    chunk_delay_s: float = 0.0
    error_after_chunks: int | None = None
    stall_after_chunks: int | None = None
    """Send this many chunks, then hold the stream open until the fake stops (a stream caught mid-way)."""
    stop_reason: str = "tool_use"

    def input_json(self) -> str:
        return self.tool_input if isinstance(self.tool_input, str) else json.dumps(self.tool_input)


def tool_call(tool_input: dict[str, Any] | str, **options: Any) -> Reply:
    """Claude calls submit_triage with this input (a str is sent as raw, possibly broken, JSON)."""
    return Reply(tool_input=tool_input, **options)


def text_answer(text: str) -> Reply:
    return Reply(text=text, stop_reason="end_turn")


def http_error(status: int, error_type: str, message: str = "", headers: dict[str, str] | None = None) -> Reply:
    return Reply(status=status, error_type=error_type, error_message=message or error_type, headers=headers or {})


def stream_error(tool_input: dict[str, Any], after_chunks: int = 2, error_type: str = "overloaded_error") -> Reply:
    """Starts streaming the tool call, then sends an `error` event and hangs up."""
    return Reply(
        tool_input=tool_input, error_after_chunks=after_chunks, error_type=error_type, error_message="Overloaded"
    )


def slow(seconds: float) -> Reply:
    """Says nothing for `seconds` before answering: for client timeouts."""
    return Reply(delay_s=seconds, tool_input={})


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeAnthropic(LocalHttpServer):
    def __init__(self, *replies: Reply) -> None:
        super().__init__(_Handler, "fake-anthropic")
        self.replies: deque[Reply] = deque(replies)
        self.requests: list[Recorded] = []
        self.disconnects = 0
        self._ids = count(1)
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return self.origin

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def _take(self, request: Recorded) -> tuple[Reply, int]:
        with self._lock:
            self.requests.append(request)
            reply = self.replies.popleft() if self.replies else http_error(500, "api_error", "no reply scripted")
            return reply, next(self._ids)


class _Handler(BaseHTTPRequestHandler):
    server_version = "fake-anthropic/1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        fake: FakeAnthropic = self.server.owner  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("content-length", 0)))
        body = json.loads(raw) if raw else {}
        reply, n = fake._take(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        if reply.delay_s and fake.closing.wait(reply.delay_s):
            return
        try:
            if self.path.split("?")[0] != "/v1/messages":
                self._json(404, _error_body("not_found_error", f"no route {self.path}"), {})
            elif reply.status != 200:
                self._json(reply.status, _error_body(reply.error_type, reply.error_message), reply.headers)
            elif body.get("stream"):
                self._sse(reply, body, n, fake)
            else:
                self._message(reply, body, n)
        except (BrokenPipeError, ConnectionResetError):
            with fake._lock:
                fake.disconnects += 1

    def _json(self, status: int, payload: str, headers: dict[str, str]) -> None:
        data = payload.encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("request-id", "req_fake")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _message(self, reply: Reply, body: dict[str, Any], n: int) -> None:
        message = _message_start(body, n) | {
            "content": [_block(reply, n)],
            "stop_reason": reply.stop_reason,
            "usage": {"input_tokens": len(json.dumps(body)) // 4, "output_tokens": len(reply.input_json()) // 4},
        }
        text = json.dumps(message)
        if reply.tool_input is not None:
            text = text.replace('"__input__"', reply.input_json())
        self._json(200, text, {})

    def _sse(self, reply: Reply, body: dict[str, Any], n: int, fake: FakeAnthropic) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("cache-control", "no-cache")
        self.send_header("request-id", "req_fake")
        self.send_header("connection", "close")
        self.end_headers()
        usage = {"input_tokens": len(json.dumps(body)) // 4, "output_tokens": 1}
        self._event("message_start", {"type": "message_start", "message": _message_start(body, n) | {"usage": usage}})
        start = _block(reply, n) | ({"input": {}} if reply.tool_input is not None else {"text": ""})
        self._event("content_block_start", {"type": "content_block_start", "index": 0, "content_block": start})
        self._event("ping", {"type": "ping"})
        payload = reply.input_json() if reply.tool_input is not None else reply.text
        chunks = [payload[i : i + reply.chunk_size] for i in range(0, len(payload), reply.chunk_size)]
        for number, chunk in enumerate(chunks[: reply.error_after_chunks]):
            if number == reply.stall_after_chunks:
                fake.closing.wait()
                return
            if reply.chunk_delay_s and fake.closing.wait(reply.chunk_delay_s):
                return
            delta = (
                {"type": "input_json_delta", "partial_json": chunk}
                if reply.tool_input is not None
                else {"type": "text_delta", "text": chunk}
            )
            self._event("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta})
        if reply.error_after_chunks is not None:
            self._event("error", json.loads(_error_body(reply.error_type, reply.error_message)))
            return
        self._event("content_block_stop", {"type": "content_block_stop", "index": 0})
        self._event(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": reply.stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": max(1, len(payload) // 4)},
            },
        )
        self._event("message_stop", {"type": "message_stop"})

    def _event(self, name: str, data: dict[str, Any]) -> None:
        self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()


def _message_start(body: dict[str, Any], n: int) -> dict[str, Any]:
    return {
        "id": f"msg_fake_{n}",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", ""),
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
    }


def _block(reply: Reply, n: int) -> dict[str, Any]:
    if reply.tool_input is None:
        return {"type": "text", "text": reply.text}
    return {"type": "tool_use", "id": f"toolu_fake_{n}", "name": TOOL_NAME, "input": "__input__"}


def _error_body(error_type: str, message: str) -> str:
    return json.dumps({"type": "error", "error": {"type": error_type, "message": message}, "request_id": "req_fake"})


@pytest.fixture
def fake_anthropic(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    """A running fake; ANTHROPIC_BASE_URL points at it so no client can reach the real API by mistake."""
    with FakeAnthropic() as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
        yield fake
