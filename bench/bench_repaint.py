"""Key press -> repaint in-process, at event 10 and at event 4,000, with 1,000 services refreshing.

Method: the app runs in-process (Textual's headless driver, 160x48) on a journal holding an incident
about 1,000 services (their evidence and the rules triage of all 1,000 journaled), either young (10
events) or old (4,000: notes, engine events, ticks). Its evidence source returns the 1,000 services
with 50 of them changed on every poll, every second. A press is the space key on the highlighted
checklist issue, posted as a key event: the tick is journaled, the incident refreshed, the panes
updated; the clock stops once the tick is folded, every pending message is handled and the screen's
update is rendered. Presses land at irregular
intervals, before, during and after polls. The young and old incidents take turns, a fresh app each
round. The floor is the young incident; the budget for the old one is 20 ms median.

    .venv/bin/python bench/bench_repaint.py [rounds] [presses per round] [events]
"""

from __future__ import annotations

import asyncio
import itertools
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual import events

from bench.bench_event_cost import SERVICES, YOUNG, seed
from bench.made_services import service
from maestro.config import Config
from maestro.journal import Journal
from maestro.model import Evidence
from tui.app import MaestroApp

CHANGED_PER_POLL = 50
BUDGET_MS = 20.0


def changing_services() -> Callable[[], Evidence]:
    ticks = itertools.count()

    def poll() -> Evidence:
        tick = next(ticks)
        services = []
        for n in range(SERVICES):
            changed = (n + tick) % (SERVICES // CHANGED_PER_POLL) == 0
            running = (tick + n) % 3 if changed else 2
            services.append(service(n, running, tick if changed else 0))
        return Evidence(collected_at=datetime.now(UTC), source="swarm", engine="bench", services=services)

    return poll


async def presses(path: Path, incident_id: str, count: int, rng: random.Random) -> list[tuple[float, float]]:
    """Wall time and UI-thread CPU time of each press."""
    app = MaestroApp(
        journal=Journal.open(path),
        config=Config(poll_interval_s=1.0),
        incident_id=incident_id,
        evidence_source=changing_services(),
    )
    took: list[tuple[float, float]] = []
    async with app.run_test(size=(160, 48)) as pilot:
        while app.incident is None or app.incident_screen is None or app.incident_screen.latest is None:
            await pilot.pause(0.05)
        await pilot.pause(1.0)
        before = len(app.incident.timeline)
        for _ in range(count):
            seq = app.incident.last_seq
            started, cpu = time.perf_counter(), time.thread_time()
            app.post_message(events.Key("space", " "))
            while app.incident.last_seq == seq:
                await asyncio.sleep(0)
            await pilot._wait_for_screen()
            app.screen._on_timer_update()
            took.append((time.perf_counter() - started, time.thread_time() - cpu))
            await asyncio.sleep(rng.uniform(0.05, 0.35))
        assert len(app.incident.timeline) == before + count, "every press journaled a tick"
    return took


def main(rounds: int, per_round: int, old_events: int) -> None:
    rng = random.Random(7)
    times: dict[str, list[tuple[float, float]]] = {"young": [], "old": []}
    with tempfile.TemporaryDirectory() as tmp:
        ids = {}
        for name, events in (("young", YOUNG), ("old", old_events)):
            with Journal.open(Path(tmp) / f"{name}.sqlite3") as journal:
                ids[name] = seed(journal, events)
        for _ in range(rounds):
            for name in ("young", "old"):
                times[name] += asyncio.run(presses(Path(tmp) / f"{name}.sqlite3", ids[name], per_round, rng))

    def ms(name: str, part: int) -> float:
        return statistics.median(t[part] for t in times[name]) * 1000

    young, old = ms("young", 0), ms("old", 0)
    count = rounds * per_round
    print(f"{count} presses each, {SERVICES} services ({CHANGED_PER_POLL} changed per poll, every 1 s), 160x48")
    for name, events, wall, label in (("young", YOUNG, young, " (floor)"), ("old", old_events, old, "")):
        cpu = ms(name, 1)
        print(f"key press -> repaint at event {events:>5}{label:<8}: {wall:7.1f} ms median, UI thread CPU {cpu:.1f} ms")
    print(f"ratio event {old_events} / event {YOUNG}: {old / young:.2f}")
    print(f"ratio event {old_events} / budget ({BUDGET_MS:.0f} ms): {old / BUDGET_MS:.2f} (<= 1 passes)")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [4, 10, 4000][len(args) :]))
