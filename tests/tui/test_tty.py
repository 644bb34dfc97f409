"""The app on a real pseudo-terminal: it draws, a tick is journaled before it is drawn, it survives SIGKILL,
ctrl+c asks before leaving, and hostile text never reaches the terminal as escape sequences."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from bench.ptyrun import PtyProgram
from maestro import events as ev
from maestro.journal import Journal
from maestro.model import IncidentContext
from tests.tui.conftest import FrozenClock, hand_triage, seed

CHILD = """
import sys
from pathlib import Path
from maestro.config import Config
from maestro.journal import Journal
from maestro.utc import utc_now
from tui.app import MaestroApp
from maestro.collect.source import demo_source

MaestroApp(
    journal=Journal.open(Path(sys.argv[1])),
    config=Config(),
    incident_id=sys.argv[2],
    evidence_source=demo_source(utc_now),
).run()
"""

HOSTILE = "boom \x1b]52;c;ZXZpbA==\x07 [red]x[/red]"


def start(path: Path, incident_id: str) -> PtyProgram:
    program = PtyProgram(CHILD, str(path), incident_id, size=(160, 48))
    program.read_until(b"worker crash-looping")
    return program


def test_tick_kill_restart_and_quit_on_a_real_terminal(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path, clock=FrozenClock(), actor="ana@node1") as journal:
        incident_id = seed(journal, context=IncidentContext(description=HOSTILE), triage=hand_triage())

    program = start(path, incident_id)
    try:
        mark = len(program.output)
        program.type(b" ")
        program.read_until(b"[x] ", start=mark)
        with Journal.open(path) as journal:
            assert journal.events(incident_id)[-1].kind is ev.EventKind.ITEM_TICKED
        os.killpg(program.process.pid, signal.SIGKILL)
        program.process.wait()
    finally:
        program.stop()

    program = start(path, incident_id)
    try:
        program.read_until(b"[x] ")
        program.type(b"\x03")
        program.read_until(b"Export reports before leaving?")
        program.type(b"n")
        assert program.wait() == 0
    finally:
        program.stop()
    assert b"ZXZpbA==\x07" not in program.output and b"\x1b]52;c;ZXZpbA" not in program.output
    assert b"\\x1b]52;c;ZXZpbA==\\x07" in program.output
