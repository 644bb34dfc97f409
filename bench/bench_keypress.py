"""Key press to repaint while the service table takes a 1,000-row refresh every second.

Method: maestro runs as a child process on a 160x48 pseudo-terminal, resuming a demo incident (rules
triage journaled beforehand) with an evidence source of 1,000 services, 50 of which change on every
poll (poll interval 1 s: a keyed diff, a re-sort, a repaint). The bench presses down / up in the
checklist at irregular intervals, so presses land before, during and after refreshes, and times each
press from the write to the terminal until the newly highlighted issue's title is written back (the
checklist and command deck repaint; the table never writes issue titles). Target: median <= 50 ms.

    .venv/bin/python bench/bench_keypress.py [presses]
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ptyrun import PtyProgram
from maestro import demo
from maestro import events as ev
from maestro.journal import Journal
from maestro.triage.rules import triage

ROWS = 1000
CHANGED_PER_POLL = 50

CHILD = f"""
import itertools, sys
from datetime import UTC, datetime
from pathlib import Path
from maestro.config import Config
from maestro.journal import Journal
from maestro.model import Evidence, ServiceInfo
from tui.app import MaestroApp

ticks = itertools.count()

def thousand_services() -> Evidence:
    tick = next(ticks)
    services = []
    for n in range({ROWS}):
        changed = (n + tick) % ({ROWS} // {CHANGED_PER_POLL}) == 0
        running = (tick + n) % 3 if changed else 2
        services.append(ServiceInfo(id=f"id{{n}}", name=f"svc-{{n:04d}}", image="img:1", desired=2,
                                    running=running, restarts=tick if changed else 0,
                                    last_error="task: non-zero exit (1)" if running < 2 else ""))
    return Evidence(collected_at=datetime.now(UTC), source="swarm", engine="bench", services=services)

MaestroApp(
    journal=Journal.open(Path(sys.argv[1])),
    config=Config(poll_interval_s=1.0),
    incident_id=sys.argv[2],
    evidence_source=thousand_services,
).run()
"""

DOWN, UP = b"\x1b[B", b"\x1b[A"
TARGET_MS = 50.0


def seed(path: Path) -> tuple[str, list[str]]:
    now = datetime.now(UTC)
    evidence = demo.evidence(now)
    rules = triage(demo.CONTEXT, evidence, now=now)
    with Journal.open(path) as journal:
        incident_id = journal.open_incident(demo.CONTEXT).incident_id
        journal.append(incident_id, ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence))
        journal.append(incident_id, ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=rules))
    by_severity = sorted(rules.issues, key=lambda issue: issue.severity.rank)
    return incident_id, [issue.title[:16] for issue in by_severity]


def main(presses: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "journal.sqlite3"
        incident_id, titles = seed(path)
        program = PtyProgram(CHILD, str(path), incident_id, size=(160, 48))
        latencies: list[float] = []
        try:
            program.read_until(b"svc-0", timeout=30)
            time.sleep(1.5)
            program.drain()
            index, step = 0, 1
            rng = random.Random(7)
            for _ in range(presses):
                if not 0 <= index + step < len(titles):
                    step = -step
                index += step
                start = len(program.output)
                sent = time.perf_counter()
                program.type(DOWN if step > 0 else UP)
                program.read_until(titles[index].encode(), timeout=5, start=start)
                latencies.append(time.perf_counter() - sent)
                time.sleep(rng.uniform(0.05, 0.35))
                program.drain(0.0)
        finally:
            program.stop()
    ms = sorted(x * 1000 for x in latencies)
    print(f"{presses} presses, {ROWS} services refreshed every 1 s ({CHANGED_PER_POLL} changed per poll), 160x48 pty")
    print(f"key press -> repaint: median {statistics.median(ms):.1f} ms, p90 {ms[int(len(ms) * 0.9)]:.1f} ms,")
    print(f"max {ms[-1]:.1f} ms; ratio median / target (50 ms): {statistics.median(ms) / TARGET_MS:.2f} (<= 1 passes)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
