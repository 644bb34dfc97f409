"""The services table's keyed diff: 1,000 rows, 10 % of them changed on every update, in a running headless app.

Method: the real app runs headless (Textual's test driver, 160x48) on a journaled incident with no
engine; each round hands the services pane a new snapshot of 1,000 services in which 100 changed
(replicas, restarts, last error; some move between "ok" and "DOWN", so the order changes too) and times
`ServicesPanel.show` (diff, cell updates, re-sort), then the same plus the repaint that follows.
Target: median diff/update <= 50 ms.

    .venv/bin/python bench/bench_services_table.py [rounds]
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.made_services import service
from maestro import demo
from maestro.config import Config
from maestro.journal import Journal
from maestro.model import Evidence
from tui.app import MaestroApp
from tui.screens.incident import IncidentScreen

ROWS = 1000
CHANGED = ROWS // 10
TARGET_MS = 50.0


def snapshot(tick: int) -> Evidence:
    """1,000 services; the 100 whose number is tick modulo 10 differ from the previous snapshot."""
    services = []
    for n in range(ROWS):
        version = tick // 10 + (1 if n % 10 < tick % 10 else 0)
        running = version % 3
        services.append(service(n, running, version))
    return Evidence(collected_at=datetime.now(UTC), source="swarm", engine="bench", services=services)


async def measure(rounds: int) -> tuple[float, list[float], list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal.open(Path(tmp) / "journal.sqlite3")
        incident_id = journal.open_incident(demo.CONTEXT).incident_id
        app = MaestroApp(journal=journal, config=Config(), incident_id=incident_id, evidence_source=None)
        snapshots = [snapshot(tick) for tick in range(rounds + 1)]
        for earlier, later in itertools.pairwise(snapshots):
            differ = sum(a != b for a, b in zip(earlier.services, later.services, strict=True))
            assert differ == CHANGED, differ
        diff_ms: list[float] = []
        with_paint_ms: list[float] = []
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, IncidentScreen)
            panel = screen.services
            started = time.perf_counter()
            panel.show(snapshots[0])
            await pilot.pause()
            first_ms = (time.perf_counter() - started) * 1000
            for later in snapshots[1:]:
                started = time.perf_counter()
                panel.show(later)
                diff_ms.append((time.perf_counter() - started) * 1000)
                await pilot.pause()
                with_paint_ms.append((time.perf_counter() - started) * 1000)
            assert panel.table.row_count == ROWS
        journal.close()
    return first_ms, diff_ms, with_paint_ms


def main(rounds: int) -> None:
    first_ms, diff_ms, paint_ms = asyncio.run(measure(rounds))
    diff_sorted, paint_sorted = sorted(diff_ms), sorted(paint_ms)
    median = statistics.median(diff_ms)
    print(f"{ROWS} rows, {CHANGED} changed per update, {rounds} updates, headless 160x48")
    print(f"first fill (1,000 new rows) with its repaint: {first_ms:.1f} ms")
    print(
        f"diff/update:        median {median:.1f} ms, p90 {diff_sorted[int(len(diff_sorted) * 0.9)]:.1f} ms,"
        f" max {diff_sorted[-1]:.1f} ms"
    )
    print(
        f"diff/update+paint:  median {statistics.median(paint_ms):.1f} ms,"
        f" p90 {paint_sorted[int(len(paint_sorted) * 0.9)]:.1f} ms, max {paint_sorted[-1]:.1f} ms"
    )
    print(f"ratio median / target ({TARGET_MS:.0f} ms): {median / TARGET_MS:.2f} (<= 1 passes)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
