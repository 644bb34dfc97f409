"""Engine events for the timeline, at most one per service and kind per window, bursts merged into a count.

A crash loop makes a `die` event every few seconds: the first one goes to the timeline at once, the
others of the same minute become one line when the minute is over ("... (12 more since 05:31:02)").
The count is of containers, not of engine events: the kernel reports one OOM kill of a container many times.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maestro.collect.engine_events import EngineEvent
    from maestro.events import SwarmEvent

WINDOW = timedelta(minutes=1)


@dataclass
class _Window:
    opened: datetime
    first_container: str = ""
    held: set[str] = field(default_factory=set)
    """The containers (or, for events about no container, one key per event) held back in this window."""
    last_text: str = ""
    first_held: datetime | None = None


class EventThrottle:
    """`offer` from any thread; `take` (the UI thread) returns what is due for the timeline now."""

    def __init__(self, window: timedelta = WINDOW) -> None:
        self.window = window
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], _Window] = {}
        self._ready: list[SwarmEvent] = []

    def offer(self, event: EngineEvent, now: datetime) -> None:
        from maestro.events import SwarmEvent

        text = event.text.removeprefix(f"{event.service}: ")
        key = (event.service, event.kind)
        with self._lock:
            self._close_windows(now)
            window = self._windows.get(key)
            if window is None:
                self._windows[key] = _Window(opened=now, first_container=event.container)
                self._ready.append(SwarmEvent(subject=event.service, text=text))
                return
            if event.container and event.container == window.first_container:
                return
            window.held.add(event.container or f"event {len(window.held)}")
            window.last_text = text
            window.first_held = window.first_held or now

    def take(self, now: datetime) -> list[SwarmEvent]:
        with self._lock:
            self._close_windows(now)
            ready, self._ready = self._ready, []
        return ready

    def _close_windows(self, now: datetime) -> None:
        """Windows that are over: merged into one event if they held any, else forgotten."""
        from maestro.events import SwarmEvent

        for key, window in list(self._windows.items()):
            if now - window.opened < self.window:
                continue
            if window.held and window.first_held is not None:
                more = f"{len(window.held)} more since {window.first_held:%H:%M:%S}"
                self._ready.append(SwarmEvent(subject=key[0], text=f"{window.last_text} ({more})"))
                self._windows[key] = _Window(opened=now)
            else:
                del self._windows[key]
