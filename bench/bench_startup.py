"""Start-up: process start until the first frame is on the terminal, maestro vs a bare Textual app.

Method: each app runs N times as a child process on a 160x48 pseudo-terminal, the two alternating so
they share the machine's state. The clock starts just before the process is spawned and stops when the
terminal receives the first frame's content: the bare app's Static text; maestro's pane titles (the
incident screen with the demo incident open, the demo evidence source polling). The time until the rules
triage is on screen is printed as well. Both are medians. Target: maestro / bare <= 1.5.

    .venv/bin/python bench/bench_startup.py [runs]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ptyrun import PtyProgram

BARE = """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("bare-first-frame")
        yield Footer()

Bare().run()
"""

MAESTRO = """
import sys
from pathlib import Path
from maestro import demo
from maestro.config import Config
from maestro.journal import Journal
from tui.app import MaestroApp, utc_now
from tui.workers import demo_source

journal = Journal.open(Path(sys.argv[1]))
MaestroApp(
    journal=journal,
    config=Config(),
    incident_id=None,
    evidence_source=demo_source(utc_now),
    new_context=demo.CONTEXT,
).run()
"""

FIRST_FRAME = {"bare": b"bare-first-frame", "maestro": b"Checklist"}
TRIAGE_SHOWN = b"Crash loop"


def once(name: str, folder: Path) -> tuple[float, float | None]:
    args = (str(folder / f"journal-{name}.sqlite3"),) if name == "maestro" else ()
    program = PtyProgram(BARE if name == "bare" else MAESTRO, *args)
    try:
        first = program.read_until(FIRST_FRAME[name])
        triage = program.read_until(TRIAGE_SHOWN) if name == "maestro" else None
    finally:
        program.stop()
    return first, triage


def main(runs: int) -> None:
    times: dict[str, list[float]] = {"bare": [], "maestro": []}
    triage_times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        once("bare", Path(tmp))
        once("maestro", Path(tmp))
        for run in range(runs):
            for name in ("bare", "maestro"):
                folder = Path(tmp) / f"run-{run}"
                folder.mkdir(exist_ok=True)
                first, triage = once(name, folder)
                times[name].append(first)
                if triage is not None:
                    triage_times.append(triage)
    bare, maestro = statistics.median(times["bare"]), statistics.median(times["maestro"])
    print(f"runs: {runs} each, 160x48 pty, median of process start -> first frame")
    print(f"bare Textual app (Header, Static, Footer): {bare * 1000:7.1f} ms")
    print(f"maestro, demo incident:                    {maestro * 1000:7.1f} ms")
    print(f"maestro, rules triage on screen:           {statistics.median(triage_times) * 1000:7.1f} ms")
    print(f"ratio maestro / bare: {maestro / bare:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
