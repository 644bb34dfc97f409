"""Follow the engine's event stream: container deaths, OOM kills, health changes, service updates.

Swarm has no task events; containers carry their service in the `com.docker.swarm.service.name`
label, and services emit `update` events with the old and new update state, replicas and image.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import docker.errors
import requests
from pydantic import BaseModel, ConfigDict

FILTERS = {"type": ["container", "service"], "event": ["die", "oom", "health_status", "update"]}
SERVICE_LABEL = "com.docker.swarm.service.name"

_UPDATE_STATES = {
    "updating": "update started",
    "completed": "update completed",
    "paused": "update paused",
    "rollback_started": "update rolling back",
    "rollback_completed": "update rolled back",
    "rollback_paused": "rollback paused",
}
# Attribute values come from labels anyone deploying a service can set: a name longer than this is cut.
_NAME_CHARS = 200
_STREAM_ERRORS = (docker.errors.DockerException, requests.exceptions.RequestException, OSError, ValueError)


class EngineEvent(BaseModel):
    """One engine event about a swarm service, with a short human text."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: datetime
    kind: Literal["die", "oom", "health_status", "update"]
    service: str
    text: str
    exit_code: int | None = None
    container: str = ""
    """The container a `die`, `oom` or `health_status` event is about."""


def describe(raw: Mapping[str, Any]) -> EngineEvent | None:
    """An event from `GET /events` as an EngineEvent; None for events not about a swarm service."""
    attrs = (raw.get("Actor") or {}).get("Attributes") or {}
    action = str(raw.get("Action") or "")
    nanos = raw.get("timeNano")
    at = datetime.fromtimestamp(nanos / 1e9 if nanos else float(raw.get("time") or 0), UTC)
    if raw.get("Type") == "container":
        service = str(attrs.get(SERVICE_LABEL) or "")[:_NAME_CHARS]
        container = str((raw.get("Actor") or {}).get("ID") or raw.get("id") or "")
        if not service:
            return None
        if action == "die":
            code = int(attrs.get("exitCode") or 0)
            what = "killed (exit 137)" if code == 137 else f"exited with code {code}"
            text = f"{service}: container {what}"
            return EngineEvent(at=at, kind="die", service=service, text=text, exit_code=code, container=container)
        if action == "oom":
            text = f"{service}: container OOM-killed"
            return EngineEvent(at=at, kind="oom", service=service, text=text, container=container)
        if action.startswith("health_status"):
            status = action.partition(":")[2].strip() or "health changed"
            text = f"{service}: container {status}"
            return EngineEvent(at=at, kind="health_status", service=service, text=text, container=container)
        return None
    if raw.get("Type") == "service" and action == "update":
        service = str(attrs.get("name") or "")[:_NAME_CHARS]
        if state := attrs.get("updatestate.new"):
            what = _UPDATE_STATES.get(state, f"update {str(state)[:_NAME_CHARS]}")
        elif "replicas.new" in attrs:
            old, new = str(attrs.get("replicas.old", "?"))[:20], str(attrs["replicas.new"])[:20]
            what = f"scaled from {old} to {new} replicas"
        elif "image.new" in attrs:
            old, new = str(attrs.get("image.old", "?"))[:_NAME_CHARS], str(attrs["image.new"])[:_NAME_CHARS]
            what = f"image changed from {old} to {new}"
        else:
            what = "service updated"
        return EngineEvent(at=at, kind="update", service=service, text=f"{service}: {what}")
    return None


class SwarmEvents:
    """A daemon thread that follows the engine's events and reports the ones about swarm services.

    `on_event` gets each event; `repoll` (if given) is called after each event and after a reconnect,
    so the caller refreshes its evidence. When the engine goes away the thread retries with backoff
    (0.5 s doubling up to `max_backoff`). `stop()` ends the stream and returns promptly. Callbacks run
    on the thread and must not block.
    """

    def __init__(
        self,
        client: Any,
        on_event: Callable[[EngineEvent], None],
        *,
        repoll: Callable[[], None] | None = None,
        max_backoff: float = 10.0,
    ) -> None:
        self._client = client
        self._on_event = on_event
        self._repoll = repoll
        self._max_backoff = max_backoff
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._stream: Any = None
        self._thread = threading.Thread(target=self._run, name="maestro-swarm-events", daemon=True)
        self.connected = threading.Event()
        """Set while a stream is open; tests and the UI can wait on it."""

    def start(self) -> SwarmEvents:
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stopping.set()
        self._close_stream()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _close_stream(self) -> None:
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(*_STREAM_ERRORS):
                stream.close()

    def _run(self) -> None:
        backoff = 0.5
        last_nanos = 0
        was_connected = False
        while not self._stopping.is_set():
            try:
                since = last_nanos // 1_000_000_000 if last_nanos else None
                stream = self._client.api.events(decode=True, filters=FILTERS, since=since)
                with self._lock:
                    self._stream = stream
                if self._stopping.is_set():
                    break
                self.connected.set()
                backoff = 0.5
                if was_connected and self._repoll is not None:
                    self._repoll()
                was_connected = True
                for raw in stream:
                    nanos = int(raw.get("timeNano") or 0)
                    if nanos and nanos <= last_nanos:
                        continue
                    last_nanos = max(last_nanos, nanos)
                    event = describe(raw)
                    if event is not None:
                        self._on_event(event)
                        if self._repoll is not None:
                            self._repoll()
            except _STREAM_ERRORS:
                pass
            finally:
                self.connected.clear()
                self._close_stream()
            if self._stopping.wait(backoff):
                break
            backoff = min(backoff * 2, self._max_backoff)
