"""Several real processes on one journal file: concurrent writers, creation races, SIGKILL mid-write."""

from __future__ import annotations

import itertools
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from maestro import events as ev
from maestro.journal import Journal
from maestro.model import IncidentContext

ROOT = Path(__file__).resolve().parents[2]
KILL_RUNS = 50


Spawn = Callable[..., subprocess.Popen[str]]


@pytest.fixture
def writer() -> Iterator[Spawn]:
    """Start journal_writer processes; any still running at the end of the test is killed."""
    started: list[subprocess.Popen[str]] = []

    def spawn(*args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.journal_writer", *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        return proc

    yield spawn
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n"


def go(procs: list[subprocess.Popen[str]]) -> list[list[str]]:
    """Release every waiting writer at once and return each one's output lines after `ready`."""
    for proc in procs:
        wait_ready(proc)
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = [proc.communicate(timeout=60)[0].splitlines() for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * len(procs)
    return outputs


def new_incident(path: Path, description: str = "shared") -> str:
    with Journal.open(path) as journal:
        return journal.open_incident(IncidentContext(description=description)).incident_id


def test_two_writers_interleave_without_loss(tmp_path: Path, writer: Spawn) -> None:
    path = tmp_path / "journal.sqlite3"
    incident_id = new_incident(path)
    outputs = go([writer("notes", str(path), incident_id, "300", tag) for tag in ("a", "b")])

    with Journal.open(path) as journal:
        events = journal.events(incident_id)
    notes = [(e.seq, e.payload.text) for e in events if isinstance(e.payload, ev.NoteAdded)]
    assert len(notes) == 600
    seqs = [e.seq for e in events]
    assert all(a < b for a, b in itertools.pairwise(seqs))
    acked: dict[str, list[int]] = {}
    for tag, lines in zip(("a", "b"), outputs, strict=True):
        acked[tag] = [int(line) for line in lines[:-1]]
        mine = [(seq, text) for seq, text in notes if text.startswith(f"{tag}-")]
        assert [text for _, text in mine] == [f"{tag}-{n}" for n in range(300)]
        assert [seq for seq, _ in mine] == acked[tag]
    (a_start, a_end), (b_start, b_end) = [map(float, lines[-1].split()[1:]) for lines in outputs]
    assert a_start < b_end and b_start < a_end, "the writers did not run at the same time"
    turns = sum(
        1 for x, y in itertools.pairwise(sorted(acked["a"] + acked["b"])) if (x in acked["a"]) != (y in acked["a"])
    )
    took = max(a_end, b_end) - min(a_start, b_start)
    print(f"\ntwo writers: 600 appends in {took:.2f} s, {600 / took:.0f} events/s together, {turns} hand-overs")


def test_one_writer_append_rate(tmp_path: Path, writer: Spawn) -> None:
    path = tmp_path / "journal.sqlite3"
    incident_id = new_incident(path)
    [lines] = go([writer("notes", str(path), incident_id, "500", "solo")])
    start, end = map(float, lines[-1].split()[1:])
    elapsed = end - start
    print(
        f"\none writer: 500 appends in {elapsed:.2f} s, {500 / elapsed:.0f} events/s, {elapsed / 500 * 1e3:.2f} ms each"
    )
    assert len(lines) == 501


def test_processes_creating_the_same_new_journal_at_once(tmp_path: Path, writer: Spawn) -> None:
    path = tmp_path / "new" / "journal.sqlite3"
    tags = [f"p{n}" for n in range(4)]
    go([writer("fresh", str(path), "20", tag) for tag in tags])

    with Journal.open(path) as journal:
        summaries = journal.incidents()
        assert sorted(s.description for s in summaries) == tags
        assert all(s.events == 21 for s in summaries)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert {p.name for p in path.parent.iterdir()} <= {path.name, f"{path.name}-wal", f"{path.name}-shm"}


def test_changed_sees_a_write_from_another_process(tmp_path: Path, writer: Spawn) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as viewer:
        incident_id = viewer.open_incident(IncidentContext(description="watched")).incident_id
        seen = viewer.incident(incident_id)
        assert viewer.changed() is True
        assert viewer.changed() is False
        [lines] = go([writer("notes", str(path), incident_id, "1", "other")])
        assert viewer.changed() is True
        assert viewer.changed() is False
        seen = viewer.refresh(seen)
        assert [(n.text, n.actor) for n in seen.notes] == [("other-0", "other@test")]
        assert seen.last_seq == int(lines[0])


def test_acknowledged_events_survive_sigkill(tmp_path: Path, writer: Spawn) -> None:
    path = tmp_path / "journal.sqlite3"
    incident_id = new_incident(path)
    seed = random.randrange(1 << 32)
    rng = random.Random(seed)
    acknowledged: set[int] = set()
    started = time.monotonic()
    for run in range(KILL_RUNS):
        proc = writer("loop", str(path), incident_id)
        if run % 5 == 0:
            time.sleep(rng.uniform(0.05, 0.3))  # somewhere in start-up, opening, or the first appends
        else:
            wait_ready(proc)
            time.sleep(rng.uniform(0.0, 0.04))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        complete_lines = out.split("\n")[:-1]
        acknowledged |= {int(line) for line in complete_lines if line != "ready"}

        with Journal.open(path) as journal:
            stored = {e.seq for s in journal.incidents() for e in journal.events(s.id)}
        lost = acknowledged - stored
        assert not lost, f"run {run} (seed {seed}): acknowledged but missing: {sorted(lost)}"

    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    committed_unacknowledged = len(stored) - len(acknowledged) - 1  # the first incident was opened here
    print(
        f"\nSIGKILL: runs={KILL_RUNS} acknowledged={len(acknowledged)} lost=0"
        f" committed-but-killed-before-ack={committed_unacknowledged}"
        f" seed={seed} in {time.monotonic() - started:.1f} s"
    )
    assert len(acknowledged) > KILL_RUNS, "too few writes happened before the kills to prove anything"


def test_two_processes_toggling_one_item_alternate(tmp_path: Path, writer: Spawn) -> None:
    path = tmp_path / "journal.sqlite3"
    incident_id = new_incident(path)
    go([writer("toggle", str(path), incident_id, "40", tag) for tag in ("a", "b")])

    with Journal.open(path) as journal:
        kinds = [e.kind for e in journal.events(incident_id) if isinstance(e.payload, ev.ItemTicked)]
        assert journal.incident(incident_id).is_ticked("shared") is False
    assert len(kinds) == 80
    assert kinds == [ev.EventKind.ITEM_TICKED, ev.EventKind.ITEM_UNTICKED] * 40


def test_engine_events_heard_by_two_processes_are_journaled_once(tmp_path: Path, writer: Spawn) -> None:
    path = tmp_path / "journal.sqlite3"
    incident_id = new_incident(path)
    outputs = go([writer("swarm", str(path), incident_id, "200", tag) for tag in ("a", "b")])

    with Journal.open(path) as journal:
        texts = [e.payload.text for e in journal.events(incident_id) if isinstance(e.payload, ev.SwarmEvent)]
    assert texts == [f"event-{n}" for n in range(200)]
    journaled = [sum(int(line) for line in lines[:-1]) for lines in outputs]
    assert sorted(journaled) == [0, 200], journaled
