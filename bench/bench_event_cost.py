"""The cost of one key press in the core, at event 10 and at event 4,000, side by side.

Method: one journal file holds two incidents about a swarm of 1,000 services (the evidence and the
rules triage of all 1,000 journaled): a young one with 10 events and an old one with 4,000 (notes,
engine events, ticks). A key press is what the app does when a person ticks a checklist item: append
the event, refresh the folded incident from the journal, and compute what the panes are drawn from
(recovery phases, ticked set, escalation clock, the timeline's last entry). Presses alternate between
the two incidents so both see the same machine. The floor is the press on the young incident; the
ratio old / young says whether a press costs the same at event 4,000 as at event 10 (target <= 1.2),
and the old incident's median is held against the 20 ms budget for key press -> repaint.

    .venv/bin/python bench/bench_event_cost.py [presses] [events]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from maestro import demo, escalation
from maestro import events as ev
from maestro.config import Config
from maestro.incident import Incident
from maestro.journal import Journal
from maestro.model import Evidence, ServiceInfo
from maestro.triage.rules import triage

SERVICES = 1000
YOUNG = 10
BUDGET_MS = 20.0
TARGET_RATIO = 1.2


def thousand_services(now: datetime) -> Evidence:
    services = [
        ServiceInfo(
            id=f"id{n}",
            name=f"svc-{n:04d}",
            image="img:1",
            desired=2,
            running=2 if n % 20 else 0,
            restarts=0 if n % 20 else 7,
            last_error="" if n % 20 else "task: non-zero exit (1)",
        )
        for n in range(SERVICES)
    ]
    return Evidence(collected_at=now, source="swarm", engine="bench", services=services)


def seed(journal: Journal, events: int) -> str:
    now = datetime.now(UTC)
    evidence = thousand_services(now)
    incident_id = journal.open_incident(demo.CONTEXT).incident_id
    journal.append(incident_id, ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence))
    rules = triage(demo.CONTEXT, evidence, now=now)
    journal.append(incident_id, ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=rules))
    fill(journal, incident_id, events - 3)
    return incident_id


def fill(journal: Journal, incident_id: str, count: int) -> None:
    """`count` more events of what a long incident is made of: notes, engine events, ticks and unticks."""
    for n in range(count):
        match n % 3:
            case 0:
                journal.append(incident_id, ev.EventKind.NOTE_ADDED, ev.NoteAdded(text=f"note {n}"))
            case 1:
                payload = ev.SwarmEvent(subject=f"svc-{n % SERVICES:04d}", text="task died (exit 1)")
                journal.append(incident_id, ev.EventKind.SWARM_EVENT, payload)
            case _:
                kind = ev.EventKind.ITEM_TICKED if n % 2 else ev.EventKind.ITEM_UNTICKED
                journal.append(incident_id, kind, ev.ItemTicked(item="assess.alerts", label="alerts"))


def press(journal: Journal, incident: Incident, config: Config, n: int) -> tuple[Incident, float]:
    kind = ev.EventKind.ITEM_TICKED if n % 2 == 0 else ev.EventKind.ITEM_UNTICKED
    started = time.perf_counter()
    journal.append(incident.id, kind, ev.ItemTicked(item="assess.scope", label="scope"))
    incident = journal.refresh(incident)
    incident.phases()
    set(incident.ticked)
    set(incident.phases_done)
    escalation.clock(incident, config, datetime.now(UTC))
    _ = incident.timeline[-1].text
    return incident, time.perf_counter() - started


def main(presses: int, old_events: int) -> None:
    config = Config()
    with tempfile.TemporaryDirectory() as tmp, Journal.open(Path(tmp) / "journal.sqlite3") as journal:
        t0 = time.perf_counter()
        young_id, old_id = seed(journal, YOUNG), seed(journal, old_events)
        seeded = time.perf_counter() - t0
        young, old = journal.incident(young_id), journal.incident(old_id)
        times: dict[str, list[float]] = {"young": [], "old": []}
        for n in range(presses):
            young, took = press(journal, young, config, n)
            times["young"].append(took)
            old, took = press(journal, old, config, n)
            times["old"].append(took)
        append_only = []
        for n in range(presses):
            started = time.perf_counter()
            journal.append(young_id, ev.EventKind.NOTE_ADDED, ev.NoteAdded(text=f"append {n}"))
            append_only.append(time.perf_counter() - started)

    def ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    young_ms, old_ms = ms(times["young"]), ms(times["old"])
    print(f"{presses} presses each, {SERVICES} services in the evidence and triage; seeding took {seeded:.1f} s")
    print(f"journal append alone (fsync):              {ms(append_only):7.2f} ms median")
    print(f"press at event {YOUNG:>5} (floor):              {young_ms:7.2f} ms median")
    print(f"press at event {old_events:>5}:                      {old_ms:7.2f} ms median")
    print(f"ratio event {old_events} / event {YOUNG}: {old_ms / young_ms:.2f} (target <= {TARGET_RATIO})")
    budget = f"ratio event {old_events} / budget ({BUDGET_MS:.0f} ms): {old_ms / BUDGET_MS:.2f}"
    print(f"{budget} (<= 1 passes; the repaint is not included)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40, int(sys.argv[2]) if len(sys.argv) > 2 else 4000)
