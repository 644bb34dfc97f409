"""`maestro-tui` on a node whose disk is full: the open incident is still resumed and shown, read-only, under a
banner that says why nothing is saved."""

from __future__ import annotations

from pathlib import Path

from bench.ptyrun import PtyProgram
from maestro.journal import Journal
from maestro.model import IncidentContext
from tests.smalldisk import small_disk

COMMAND = """
import sys
from tui.cli import main

raise SystemExit(main(sys.argv[1:]))
"""


def test_a_full_disk_journal_is_resumed_on_screen(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        path = disk.root / "journal.sqlite3"
        with Journal.open(path) as journal:
            journal.open_incident(IncidentContext(description="Disk full on node1 - writes failing"))
        disk.fill()
        env = {"MAESTRO_CONFIG": str(tmp_path / "none.toml"), "ANTHROPIC_API_KEY": None}
        program = PtyProgram(COMMAND, "--journal", str(path), "--no-docker", env=env)
        try:
            program.read_until(b"Resumed INC-")
            program.read_until(b"Disk full on node1")
            program.read_until(f"not saving: disk full on {disk.root}".encode())
        finally:
            program.stop()
        assert b"Traceback" not in program.output
