"""Service logs: every task's tail merged in time order, each line bounded and redacted.

The text stays as the service wrote it (markup-like brackets, escape sequences): escaping is the
display's job. Only size and time are policed: a line is cut at `max_line` bytes with a marker, the
whole excerpt keeps the newest lines within `max_bytes`, and reading stops after `max_read` bytes or
`seconds`, whichever comes first. The engine may never end a `--tail` stream (a task that printed one
very long line and restarted): the read is then cut at its deadline by shutting the socket down.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import docker.errors
import requests
import urllib3.exceptions

from maestro.collect.problems import diagnose, engine_address
from maestro.collect.signals import parse_time
from maestro.model import LogLine
from maestro.redact import redact_lines

MAX_LINE = 2048
MAX_BYTES = 64_000
MAX_READ = 8 << 20
READ_SECONDS = 3.0
_HEADER = struct.Struct(">BxxxL")
_CUT = (OSError, ValueError, urllib3.exceptions.HTTPError, requests.exceptions.RequestException)
_TIMESTAMP_MAX = 40
_EPOCH = datetime.min.replace(tzinfo=UTC)


class LogsUnavailable(Exception):
    """The logs could not be read; the message is one line saying why and what to do."""


def parse_log_stream(
    chunks: Iterable[bytes],
    service: str,
    *,
    max_line: int = MAX_LINE,
    max_bytes: int = MAX_BYTES,
    max_read: int = MAX_READ,
) -> list[LogLine]:
    """`docker service logs --timestamps` output, in any chunking, as the newest lines within `max_bytes`."""
    raw_lines: list[tuple[datetime | None, str]] = []
    for line, dropped in _split(chunks, max_line + _TIMESTAMP_MAX, max_read):
        raw_lines.append(_parse(line, dropped, max_line))
    raw_lines.sort(key=lambda item: item[0] or _EPOCH)
    cleaned = redact_lines([text for _, text in raw_lines])
    kept: list[LogLine] = []
    budget = max_bytes
    for (at, _), clean in zip(reversed(raw_lines), reversed(cleaned), strict=True):
        size = len(clean.encode()) + 1
        if size > budget:
            break
        budget -= size
        kept.append(LogLine(service=service, at=at, text=clean))
    return kept[::-1]


def _split(chunks: Iterable[bytes], cap: int, max_read: int) -> Iterator[tuple[bytes, int]]:
    """Lines (without newline) cut at `cap` bytes, with how many bytes were cut off each."""
    current = bytearray()
    dropped = 0
    read = 0
    for chunk in chunks:
        read += len(chunk)
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            stop = len(chunk) if end < 0 else end
            room = max(cap - len(current), 0)
            taken = min(room, stop - start)
            current += chunk[start : start + taken]
            dropped += stop - start - taken
            if end < 0:
                break
            yield bytes(current), dropped
            current.clear()
            dropped = 0
            start = end + 1
        if read >= max_read:
            break
    if current or dropped:
        yield bytes(current), dropped


def _parse(line: bytes, dropped: int, max_line: int) -> tuple[datetime | None, str]:
    stamp, _, rest = line.partition(b" ")
    at = parse_time(stamp.decode("ascii", errors="replace"))
    body = rest if at is not None else line
    if len(body) > max_line:
        dropped += len(body) - max_line
        body = body[:max_line]
    text = body.decode("utf-8", errors="replace")
    if dropped:
        text += f" ... (+{dropped} bytes cut)"
    return at, text


def service_logs(
    client: Any,
    service: str,
    *,
    tail: int = 50,
    max_bytes: int = MAX_BYTES,
    tty: bool | None = None,
    seconds: float = READ_SECONDS,
    max_read: int = MAX_READ,
) -> list[LogLine]:
    """The last `tail` lines of each task of `service`, merged in time order and bounded.

    `tty` says whether the service runs with a TTY (its logs are then not multiplexed); None asks the
    engine, which costs one more call. What arrived within `seconds` and `max_read` bytes is kept.
    Raises LogsUnavailable with a one-line reason.
    """
    api = client.api
    deadline = time.monotonic() + seconds
    params = {"stdout": True, "stderr": True, "timestamps": True, "tail": tail, "follow": False}
    try:
        if tty is None:
            spec = api.inspect_service(service)["Spec"]["TaskTemplate"]["ContainerSpec"]
            tty = bool(spec.get("TTY", False))
        response = api._get(api._url("/services/{0}/logs", service), params=params, stream=True)
        api._raise_for_status(response)
    except docker.errors.NotFound:
        raise LogsUnavailable(f"no service named {service!r} (check the name with docker service ls)") from None
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as exc:
        raise LogsUnavailable(diagnose(exc, engine_address(client)).reason) from None
    chunks = _bounded(response, api._get_raw_response_socket(response), tty, deadline, max_read)
    return parse_log_stream(chunks, service, max_bytes=max_bytes, max_read=max_read)


def _bounded(response: Any, raw_socket: Any, tty: bool, deadline: float, max_read: int) -> Iterator[bytes]:
    """The body of a log response until it ends, `max_read` bytes have come or the deadline passes.

    A timer shuts the socket down at the deadline, which wakes a read blocked on an engine that sends
    nothing more; a trickle is cut by the clock between chunks.
    """
    timer = threading.Timer(max(0.0, deadline - time.monotonic()), _shut, args=(raw_socket,))
    timer.daemon = True
    timer.start()
    read = 0
    try:
        for chunk in response.iter_content(4096, False) if tty else _frames(response.raw):
            yield chunk
            read += len(chunk)
            if read >= max_read or time.monotonic() >= deadline:
                break
    except _CUT:
        pass
    finally:
        timer.cancel()
        response.close()


def _frames(raw: Any) -> Iterator[bytes]:
    """Payloads of the engine's multiplexed stream (8-byte header: stream, 3 zero bytes, length)."""
    while True:
        header = raw.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        length = _HEADER.unpack(header)[1]
        if length:
            data = raw.read(length)
            if not data:
                return
            yield data


def _shut(raw_socket: Any) -> None:
    for candidate in (getattr(raw_socket, "_sock", None), raw_socket):
        try:
            candidate.shutdown(socket.SHUT_RDWR)
            return
        except (AttributeError, OSError):
            continue
