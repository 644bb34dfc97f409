"""Service logs: every task's tail merged in time order, each line bounded and redacted.

The text stays as the service wrote it (markup-like brackets, escape sequences): escaping is the
display's job. Only size is policed: a line is cut at `max_line` bytes with a marker, the whole
excerpt keeps the newest lines within `max_bytes`, and reading stops after `max_read` bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import docker.errors
import requests

from maestro.collect.problems import diagnose, engine_address
from maestro.collect.signals import parse_time
from maestro.model import LogLine
from maestro.redact import redact_lines

MAX_LINE = 2048
MAX_BYTES = 64_000
MAX_READ = 8 << 20
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
) -> list[LogLine]:
    """The last `tail` lines of each task of `service`, merged in time order and bounded.

    `tty` says whether the service runs with a TTY (its logs are then not multiplexed); None asks the
    engine, which costs one more call. Raises LogsUnavailable with a one-line reason.
    """
    stream: Any = None
    try:
        stream = client.api.service_logs(
            service, stdout=True, stderr=True, timestamps=True, tail=tail, follow=False, is_tty=tty
        )
        return parse_log_stream(stream, service, max_bytes=max_bytes)
    except docker.errors.NotFound:
        raise LogsUnavailable(f"no service named {service!r} (check the name with docker service ls)") from None
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as exc:
        raise LogsUnavailable(diagnose(exc, engine_address(client)).reason) from None
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
