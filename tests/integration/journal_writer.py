"""A journal writer process for the multi-process tests; run as `python -m tests.integration.journal_writer`.

It prints `ready` once the journal is open, then one line per acknowledged write (the event's seq, printed
only after append() returned), and `done` when it finishes (for `notes`: with its start and end time.monotonic()).

    notes PATH INCIDENT COUNT TAG   wait for a line on stdin, then append COUNT notes "TAG-i"
    fresh PATH COUNT TAG            wait for a line on stdin, then open PATH (maybe new), an incident, COUNT notes
    loop PATH INCIDENT              append notes until killed, opening a new incident every 10 events
    toggle PATH INCIDENT COUNT TAG  wait for a line on stdin, then toggle item "shared" COUNT times
    swarm PATH INCIDENT COUNT TAG   wait for a line on stdin, then offer COUNT engine events "event-i" (1 ms apart),
                                    printing how many of each were journaled by this process
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from maestro import events as ev
from maestro.journal import Journal
from maestro.model import IncidentContext


def say(line: object) -> None:
    print(line, flush=True)


def note(journal: Journal, incident_id: str, text: str) -> None:
    say(journal.append(incident_id, ev.EventKind.NOTE_ADDED, ev.NoteAdded(text=text)).seq)


def notes(path: str, incident_id: str, count: str, tag: str) -> None:
    with Journal.open(Path(path), actor=f"{tag}@test") as journal:
        say("ready")
        sys.stdin.readline()
        start = time.monotonic()
        for n in range(int(count)):
            note(journal, incident_id, f"{tag}-{n}")
        say(f"done {start:.6f} {time.monotonic():.6f}")


def fresh(path: str, count: str, tag: str) -> None:
    say("ready")
    sys.stdin.readline()
    with Journal.open(Path(path), actor=f"{tag}@test") as journal:
        incident_id = journal.open_incident(IncidentContext(description=tag)).incident_id
        for n in range(int(count)):
            note(journal, incident_id, f"{tag}-{n}")
    say("done")


def loop(path: str, incident_id: str) -> None:
    with Journal.open(Path(path), actor="looper@test") as journal:
        say("ready")
        n = 0
        while True:
            n += 1
            if n % 10 == 0:
                opened = journal.open_incident(IncidentContext(description=f"opened by loop at {n}"))
                incident_id = opened.incident_id
                say(opened.seq)
            else:
                note(journal, incident_id, f"loop-{n}")


def toggle(path: str, incident_id: str, count: str, tag: str) -> None:
    with Journal.open(Path(path), actor=f"{tag}@test") as journal:
        say("ready")
        sys.stdin.readline()
        for _ in range(int(count)):
            say(journal.toggle(incident_id, ev.ItemTicked(item="shared", label=tag)).kind)
    say("done")


def swarm(path: str, incident_id: str, count: str, tag: str) -> None:
    with Journal.open(Path(path), actor=f"{tag}@test") as journal:
        say("ready")
        sys.stdin.readline()
        for n in range(int(count)):
            news = [ev.SwarmEvent(subject="web", text=f"event-{n}")]
            say(len(journal.append_swarm_events(incident_id, news)))
            time.sleep(0.001)
    say("done")


if __name__ == "__main__":
    commands = {"notes": notes, "fresh": fresh, "loop": loop, "toggle": toggle, "swarm": swarm}
    commands[sys.argv[1]](*sys.argv[2:])
