"""POST a JSON body with a bounded timeout and a bounded number of retries, and say in one line what happened.

Retried: connection errors, timeouts, HTTP 429 and 5xx. Not retried: other 4xx (the request itself is wrong).
The whole send never takes longer than `max_total_s`, whatever the server does.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from maestro.redact import redact

USER_AGENT = "maestro-tui"
FIRST_BACKOFF_S = 0.5


@dataclass(frozen=True)
class PostResult:
    ok: bool
    status: int | None
    attempts: int
    detail: str
    elapsed_s: float


class _Failed(Exception):
    def __init__(self, detail: str, *, status: int | None = None, retry: bool = True) -> None:
        super().__init__(detail)
        self.status = status
        self.retry = retry


def post_json(
    url: str,
    data: bytes,
    *,
    timeout_s: float,
    attempts: int,
    max_total_s: float,
    sleep: Callable[[float], None] = time.sleep,
) -> PostResult:
    if not url.startswith(("https://", "http://")):
        return PostResult(False, None, 0, "the url must start with https:// or http://", 0.0)
    start = time.monotonic()
    deadline = start + max_total_s
    detail, status, tried = "not sent", None, 0
    for attempt in range(1, attempts + 1):
        left = deadline - time.monotonic()
        if left <= 0.05:
            detail = f"{detail}; gave up after {max_total_s:g} s"
            break
        tried = attempt
        try:
            status = _post_once(url, data, min(timeout_s, left))
            return PostResult(True, status, attempt, f"HTTP {status}", time.monotonic() - start)
        except _Failed as exc:
            detail, status = str(exc), exc.status
            if not exc.retry:
                break
        if attempt < attempts:
            sleep(min(FIRST_BACKOFF_S * 2 ** (attempt - 1), max(0.0, deadline - time.monotonic())))
    return PostResult(False, status, tried, detail, time.monotonic() - start)


def _post_once(url: str, data: bytes, timeout_s: float) -> int:
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json", "User-Agent": USER_AGENT}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read(65536)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        reason = _one_line(exc.read(300).decode("utf-8", "replace")) if exc.fp else ""
        detail = f"HTTP {exc.code}" + (f": {reason}" if reason else "")
        raise _Failed(detail, status=exc.code, retry=exc.code == 429 or exc.code >= 500) from None
    except TimeoutError:
        raise _Failed(f"no answer within {timeout_s:.1f} s") from None
    except urllib.error.URLError as exc:
        raise _Failed(_reason(exc.reason)) from None
    except OSError as exc:
        raise _Failed(_reason(exc)) from None


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "no answer in time"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "host name not found"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return _one_line(str(reason))


def _one_line(text: str) -> str:
    return redact(" ".join(text.split()))[:200]
