"""Where a session's evidence comes from: the recorded demo swarm, or the swarm an engine serves.

`SwarmSource` keeps one client, one collector cache and one events thread for every poll of a session.
The docker SDK is imported on the first poll (in a worker thread), never when the screen starts.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Collection
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from maestro.utc import Clock, utc_now

if TYPE_CHECKING:
    from maestro.collect.engine_events import EngineEvent, SwarmEvents
    from maestro.collect.swarm import CollectorCache
    from maestro.model import Evidence, LogLine

LOG_TAIL = 500
"""Lines per task the logs screen asks for."""
LOG_BYTES = 128_000
"""What the logs screen keeps at most (newest lines first); every line is also cut at 2 KiB."""
EVENTS_MAX_BACKOFF_S = 5.0
STOP_WAIT_S = 0.5


EvidenceSource = Callable[[], "Evidence"]
"""Returns a fresh snapshot of the system; may block (it runs in a thread) and may raise."""


def demo_source(clock: Clock) -> EvidenceSource:
    """The bundled swarm snapshot, as if collected now."""

    def collect() -> Evidence:
        from maestro import demo

        return demo.evidence(clock())

    return collect


@runtime_checkable
class EngineSource(Protocol):
    """An evidence source that also reads logs and follows the engine's events."""

    def __call__(self) -> Evidence: ...

    def logs(self, service: str) -> list[LogLine]:
        """The service's recent log lines, bounded; raises with a one-line reason when they cannot be read."""
        ...

    def follow(self, on_event: Callable[[EngineEvent], None], on_wake: Callable[[], None]) -> None:
        """Report engine events to `on_event` and call `on_wake` whenever a poll now would see something new.

        Both are called from another thread and must not block.
        """
        ...

    def close(self) -> None: ...


@runtime_checkable
class ServiceRefresher(Protocol):
    """An evidence source that can read a few services again instead of the whole swarm."""

    def refresh(self, services: Collection[str]) -> Evidence:
        """The last poll's evidence with these services read again (what engine events about them changed)."""
        ...


class SwarmSource:
    """The swarm at `host` (None: DOCKER_HOST, else the local socket), polled with a cache kept for the session.

    Polls are serialized; the client is made on the first one. Once `follow` was called, the engine's
    event stream is followed from the first poll on, and reconnects by itself after the engine restarts.
    """

    def __init__(self, host: str | None, *, clock: Clock = utc_now) -> None:
        self.host = host
        self._clock = clock
        self._poll_lock = threading.Lock()
        self._client_lock = threading.Lock()
        self._client: Any = None
        self._cache: CollectorCache | None = None
        self._events: SwarmEvents | None = None
        self._listeners: tuple[Callable[[EngineEvent], None], Callable[[], None]] | None = None
        self._heard: deque[EngineEvent] = deque(maxlen=1000)
        self._latest: Evidence | None = None
        self._closed = False

    @property
    def following(self) -> bool:
        """True while the engine's event stream is open."""
        events = self._events
        return events is not None and events.connected.is_set()

    def __call__(self) -> Evidence:
        from maestro.collect import swarm

        with self._poll_lock:
            now = self._clock()
            try:
                client = self._connected()
            except swarm.CollectorError as exc:
                return _unusable(str(exc), now)
            if self._cache is None:
                self._cache = swarm.CollectorCache()
            while self._heard:
                self._cache.observe(self._heard.popleft())
            evidence = swarm.collect(client, now=now, previous=self._cache)
            self._latest = None if evidence.engine_unusable else evidence
        self._follow_events(client)
        return evidence

    def refresh(self, services: Collection[str]) -> Evidence:
        """The last poll's evidence with these services read again: two calls each, whatever the swarm's size.

        Before a good full poll (or after the engine was lost) this is a full poll.
        """
        from maestro.collect import swarm

        with self._poll_lock:
            latest, cache, client = self._latest, self._cache, self._client
            if latest is not None and cache is not None and client is not None and not self._closed:
                now = self._clock()
                while self._heard:
                    cache.observe(self._heard.popleft())
                for name in sorted(services):
                    latest = swarm.collect_service(client, name, latest, cache=cache, now=now)
                self._latest = latest
                return latest
        return self()

    def logs(self, service: str) -> list[LogLine]:
        from maestro.collect import swarm

        return swarm.service_logs(self._connected(), service, tail=LOG_TAIL, max_bytes=LOG_BYTES)

    def follow(self, on_event: Callable[[EngineEvent], None], on_wake: Callable[[], None]) -> None:
        self._listeners = (on_event, on_wake)
        if self._client is not None:
            self._follow_events(self._client)

    def close(self) -> None:
        with self._client_lock:
            self._closed = True
            events, self._events = self._events, None
            client, self._client = self._client, None
        if events is not None:
            events.stop(STOP_WAIT_S)
        if client is not None:
            client.close()

    def _connected(self) -> Any:
        """The session's client, made on first use; never made while holding the lock `close` needs."""
        from maestro.collect import swarm

        with self._client_lock:
            if self._client is not None or self._closed:
                return self._in_use()
        made = swarm.connect(self.host)
        with self._client_lock:
            if self._client is None and not self._closed:
                self._client = made
                return made
        made.close()
        return self._in_use()

    def _in_use(self) -> Any:
        from maestro.collect import swarm

        if self._closed or self._client is None:
            raise swarm.CollectorError("the session is over")
        return self._client

    def _follow_events(self, client: Any) -> None:
        from maestro.collect.engine_events import SwarmEvents

        with self._client_lock:
            if self._listeners is None or self._events is not None or self._closed:
                return
            on_event, on_wake = self._listeners

            def heard(event: EngineEvent) -> None:
                self._heard.append(event)
                on_event(event)

            self._events = SwarmEvents(client, heard, repoll=on_wake, max_backoff=EVENTS_MAX_BACKOFF_S).start()


def _unusable(reason: str, now: datetime) -> Evidence:
    from maestro.model import Evidence, Signal, SignalKind

    signal = Signal(kind=SignalKind.ENGINE_UNREACHABLE, subject="", detail=reason, observed_at=now)
    return Evidence(collected_at=now, source="swarm", errors=[reason], signals=[signal])
