"""service_logs() against a local engine stand-in that never ends the stream or trickles forever."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator

import docker
import pytest

from maestro.collect.logs import service_logs

STAMP = b"2026-11-26T05:13:19.000000000Z "


def _frame(payload: bytes) -> bytes:
    return struct.pack(">BxxxL", 1, len(payload)) + payload


class Engine:
    """A TCP server answering GET .../services/<name>/logs: some frames, then silence or a trickle."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            body = _frame(STAMP + b"web.1 | started\n") + _frame(STAMP + b"y" * 16000)
            conn.sendall(f"{len(body):x}\r\n".encode() + body + b"\r\n")
            while not self.stop.is_set():
                if self.behaviour == "trickle":
                    piece = _frame(b"y" * 10)
                    try:
                        conn.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    except OSError:
                        return
                time.sleep(0.002 if self.behaviour == "trickle" else 0.05)

    def close(self) -> None:
        self.stop.set()
        self.server.close()


@pytest.fixture(params=["silent", "trickle"])
def engine(request: pytest.FixtureRequest) -> Iterator[docker.DockerClient]:
    stand_in = Engine(request.param)
    client = docker.DockerClient(base_url=f"tcp://127.0.0.1:{stand_in.port}", version="1.43", timeout=30)
    try:
        yield client
    finally:
        client.close()
        stand_in.close()


def test_a_stream_that_never_ends_is_cut_at_the_deadline(engine: docker.DockerClient) -> None:
    started = time.monotonic()
    lines = service_logs(engine, "web", tail=20, tty=False, seconds=1.0)
    elapsed = time.monotonic() - started
    assert elapsed < 2.5, f"read took {elapsed:.1f} s"
    assert lines and lines[0].text == "web.1 | started"


def test_a_trickle_is_cut_by_the_byte_cap_too() -> None:
    stand_in = Engine("trickle")
    client = docker.DockerClient(base_url=f"tcp://127.0.0.1:{stand_in.port}", version="1.43", timeout=30)
    try:
        started = time.monotonic()
        service_logs(client, "web", tail=20, tty=False, seconds=30.0, max_read=20_000)
        assert time.monotonic() - started < 5.0
    finally:
        client.close()
        stand_in.close()
