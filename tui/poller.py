"""Poll the evidence source in a thread worker: every poll interval, and soon after the engine reports news.

One poll runs at a time. The engine's events (from a EngineSource's own thread) only set a flag and go
into the throttle; a short UI timer (every CHECK_S) starts the next poll and hands the due events to the app, so the UI
never waits on the engine and the events thread never touches the UI.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from maestro.collect.event_throttle import EventThrottle
from maestro.collect.source import EngineSource, EvidenceSource
from tui import messages as msg
from tui.workers import Abandoned, interruptible, one_line

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer
    from textual.worker import Worker

    from maestro.collect.engine_events import EngineEvent
    from maestro.events import SwarmEvent

CHECK_S = 0.2
MIN_GAP_S = 0.5
"""Event-driven polls wait this long after the previous poll ended, so a storm of events is one poll per gap."""


class Poller:
    def __init__(
        self,
        app: App[Any],
        source: EvidenceSource | None,
        interval_s: float,
        clock: Callable[[], datetime],
        on_news: Callable[[list[SwarmEvent]], None],
    ) -> None:
        self.source = source
        self.interval_s = interval_s
        self.throttle = EventThrottle()
        self.polls_started = 0
        self._app = app
        self._clock = clock
        self._on_news = on_news
        self._wake = threading.Event()
        self._timer: Timer | None = None
        self._worker: Worker[None] | None = None
        self._ended_at = -math.inf

    @property
    def engine(self) -> EngineSource | None:
        """The source, when it can also read logs and follow events."""
        return self.source if isinstance(self.source, EngineSource) else None

    def start(self) -> None:
        if self.source is None or self._timer is not None:
            return
        if (engine := self.engine) is not None:
            engine.follow(self._heard, self._wake.set)
        self._timer = self._app.set_interval(CHECK_S, self._check, name="evidence poller")
        self._start_poll()

    def stop(self) -> None:
        """Stop polling and let go of the engine; returns at once even when the engine hangs."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._worker is not None:
            self._worker.cancel()
        if (engine := self.engine) is not None:
            engine.close()

    def _heard(self, event: EngineEvent) -> None:
        self.throttle.offer(event, self._clock())

    def _check(self) -> None:
        if news := self.throttle.take(self._clock()):
            self._on_news(news)
        if self._worker is not None and not self._worker.is_finished:
            return
        idle = time.monotonic() - self._ended_at
        if idle >= self.interval_s or (self._wake.is_set() and idle >= MIN_GAP_S):
            self._start_poll()

    def _start_poll(self) -> None:
        self._wake.clear()
        self.polls_started += 1
        self._worker = self._app.run_worker(
            self._poll, thread=True, exclusive=True, group="evidence", exit_on_error=False, description="poll evidence"
        )

    def _poll(self) -> None:
        source = self.source
        assert source is not None
        try:
            evidence = interruptible(source)
        except Abandoned:
            return
        except Exception as exc:
            self._app.post_message(msg.EvidencePolled(None, one_line(exc)))
            return
        finally:
            self._ended_at = time.monotonic()
        problem = evidence.engine_unusable
        self._app.post_message(msg.EvidencePolled(None, problem) if problem else msg.EvidencePolled(evidence))
