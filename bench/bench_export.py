"""Export of a 4,000-event incident: this checkout against an earlier revision, side by side in one run.

Method: the earlier revision's `maestro/` and `templates/` are taken from git (`git archive`) into a
temporary folder. Both versions run the same child script in their own processes, interleaved: the child
folds the demo incident plus 4,000 journal events (notes, ticks and unticks, copies, swarm events) and
times `report.export` into a fresh folder, several times (after one untimed export). The bench prints
each side's median and the ratio new/old. Target: ratio <= 0.5 (at least 2x faster).

    .venv/bin/python bench/bench_export.py [--old REV] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "93f6665"
"""The last revision that rendered HTML by parsing the Markdown and redacted through model_dump/model_validate."""

CHILD = r"""
import json, sys, tempfile, time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from maestro import demo, events as ev, report
from maestro.config import Config
from maestro.incident import fold
from maestro.model import Danger
from maestro.triage import rules

EVENTS, RUNS = int(sys.argv[1]), int(sys.argv[2])
T0 = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)


def incident():
    events, at = [], T0

    def add(kind, payload):
        nonlocal at
        at += timedelta(seconds=6)
        events.append(ev.Event(seq=len(events) + 1, incident_id="INC-B", at=at, actor="ana@node1", kind=kind,
                               payload=payload))

    add(ev.EventKind.INCIDENT_OPENED, ev.IncidentOpened(context=demo.CONTEXT))
    evidence = demo.evidence(at)
    add(ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence))
    triage = rules.triage(demo.CONTEXT, evidence, now=at)
    add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage))
    ids = [i.id for i in triage.issues]
    while len(events) < EVENTS:
        n = len(events)
        kind = n % 5
        if kind == 0:
            add(ev.EventKind.SWARM_EVENT, ev.SwarmEvent(subject="worker", text=f"task {n} failed: exit 1"))
        elif kind == 1:
            add(ev.EventKind.NOTE_ADDED, ev.NoteAdded(text=f"note {n}: checked the logs of worker again"))
        elif kind == 2:
            add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item=ids[n % len(ids)], label="fix"))
        elif kind == 3:
            add(ev.EventKind.ITEM_UNTICKED, ev.ItemTicked(item=ids[n % len(ids)], label="fix"))
        else:
            add(ev.EventKind.COMMAND_COPIED,
                ev.CommandCopied(command="docker service ps worker", danger=Danger.READ_ONLY))
    return fold(events)


big = incident()
out = Path(tempfile.mkdtemp())
report.export(big, Config(), out / "warm", now=T0)
times = []
for run in range(RUNS):
    started = time.perf_counter()
    files = report.export(big, Config(), out / f"run{run}", now=T0)
    times.append(time.perf_counter() - started)
print(json.dumps({"times": times, "events": len(big.timeline), "bytes": sum(f.stat().st_size for f in files)}))
"""


def extract(rev: str, into: Path) -> None:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev, "maestro", "templates"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def measure(source: Path, events: int, runs: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(source)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(events), str(runs)],
        cwd=source,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", default=BASELINE, help=f"revision to compare against (default {BASELINE})")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (each: old then new)")
    parser.add_argument("--runs", type=int, default=3, help="timed exports per round and side")
    parser.add_argument("--events", type=int, default=4000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = Path(tmp)
        extract(args.old, old_tree)
        old_times: list[float] = []
        new_times: list[float] = []
        for _ in range(args.rounds):
            old = measure(old_tree, args.events, args.runs)
            new = measure(ROOT, args.events, args.runs)
            old_times += old["times"]
            new_times += new["times"]
    old_median, new_median = statistics.median(old_times), statistics.median(new_times)
    print(f"export of a {new['events']}-event incident, median of {len(new_times)} runs each, interleaved")
    print(f"  old ({args.old}): {old_median * 1000:7.1f} ms   ({old['bytes']:,} bytes written)")
    print(f"  new (this tree): {new_median * 1000:7.1f} ms   ({new['bytes']:,} bytes written)")
    print(f"  ratio new/old:   {new_median / old_median:7.2f}   (target <= 0.50)")


if __name__ == "__main__":
    main()
