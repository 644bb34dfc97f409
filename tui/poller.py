"""Poll the evidence source in a thread worker: every poll interval, and soon after the engine reports news.

One poll runs at a time. The engine's events (from a EngineSource's own thread) only set a flag, name
their service and go into the throttle; a short UI timer (every CHECK_S) starts the next poll and hands
the due events to the app, so the UI never waits on the engine and the events thread never touches the
UI. After events, a source that can (a ServiceRefresher) reads only the services they named; full polls
keep to the poll interval. The service table's rows are worked out in the worker too.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from maestro.collect.event_throttle import EventThrottle
from maestro.collect.source import EngineSource, EvidenceSource, ServiceRefresher
from maestro.pane_views import service_rows
from tui import messages as msg
from tui.workers import Abandoned, interruptible, one_line

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.timer import Timer
    from textual.worker import Worker

    from maestro.collect.engine_events import EngineEvent
    from maestro.events import SwarmEvent
    from maestro.model import Evidence
    from maestro.pane_views import ServiceRows

CHECK_S = 0.2
MIN_GAP_S = 0.5
"""Event-driven polls wait this long after the previous poll ended, so a storm of events is one poll per gap."""


class Poller:
    def __init__(
        self,
        host: DOMNode,
        source: EvidenceSource | None,
        interval_s: float,
        clock: Callable[[], datetime],
        on_news: Callable[[list[SwarmEvent]], None],
    ) -> None:
        self.source = source
        self.interval_s = interval_s
        self.throttle = EventThrottle()
        self.polls_started = 0
        """Full polls."""
        self.refreshes_started = 0
        """Polls that read again only the services engine events named."""
        self._host = host
        """Runs the poll workers and the timer, and receives their messages."""
        self._clock = clock
        self._on_news = on_news
        self._wake = threading.Event()
        self._named: set[str] = set()
        self._named_lock = threading.Lock()
        self._rows: ServiceRows | None = None
        """The rows of the last evidence posted: the next poll's rows are diffed against them."""
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
        self._timer = self._host.set_interval(CHECK_S, self._check, name="evidence poller")
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
        with self._named_lock:
            self._named.add(event.service)

    def _check(self) -> None:
        if news := self.throttle.take(self._clock()):
            self._on_news(news)
        if self._worker is not None and not self._worker.is_finished:
            return
        idle = time.monotonic() - self._ended_at
        if idle >= self.interval_s:
            self._start_poll()
        elif self._wake.is_set() and idle >= MIN_GAP_S:
            with self._named_lock:
                named, self._named = self._named, set()
            refresher = self.source if isinstance(self.source, ServiceRefresher) else None
            self._start_poll(partial(refresher.refresh, named) if refresher is not None and named else None)

    def _start_poll(self, call: Callable[[], Evidence] | None = None) -> None:
        """A full poll, or `call` (services read again) in its place."""
        self._wake.clear()
        if call is None:
            with self._named_lock:
                self._named.clear()
            self.polls_started += 1
        else:
            self.refreshes_started += 1
        self._worker = self._host.run_worker(
            partial(self._poll, call or self.source),
            thread=True,
            exclusive=True,
            group="evidence",
            exit_on_error=False,
            description="poll evidence",
        )

    def _poll(self, call: Callable[[], Evidence]) -> None:
        try:
            evidence = interruptible(call)
        except Abandoned:
            return
        except Exception as exc:
            self._host.post_message(msg.EvidencePolled(None, one_line(exc)))
            return
        finally:
            self._ended_at = time.monotonic()
        if problem := evidence.engine_unusable:
            self._host.post_message(msg.EvidencePolled(None, problem, unusable=evidence))
            return
        self._rows = rows = service_rows(evidence, self._rows)
        self._host.post_message(msg.EvidencePolled(evidence, rows=rows))
