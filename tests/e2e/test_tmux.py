"""The real `maestro-tui --demo` in a real terminal (tmux), killed with SIGKILL and started again."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from maestro.journal import Journal
from tests.e2e.tmux import MARKS, Terminal

pytestmark = MARKS


def demo_journal(tmp: Path) -> Path:
    return tmp / "demo-journal.sqlite3"


def ticked_items(tmp: Path) -> list[str]:
    with Journal.open(demo_journal(tmp)) as journal:
        latest = journal.latest_open()
        assert latest is not None
        return journal.incident(latest.id).ticked


def test_a_tick_survives_sigkill_and_restart(terminal: Terminal, tmp_path: Path) -> None:
    terminal.start("--demo")
    first = terminal.wait_for(lambda s: "[ ] " in s, "the checklist with open items")
    assert "[x] " not in first
    terminal.keys("space")
    screen = terminal.wait_for(lambda s: "[x] " in s, "the tick on screen")
    ticked = ticked_items(tmp_path)
    assert ticked, "the tick must be journaled by the time the screen shows it"
    # a tick given before the engine's evidence named the service is carried to the named issue
    assert ticked[1:] in ([], [f"{ticked[0]}:web"]), ticked
    ticked_line = next(line for line in screen.splitlines() if "[x] " in line)

    os.kill(terminal.pid(), signal.SIGKILL)
    terminal.wait_gone()

    terminal.start("--demo")
    again = terminal.wait_for(lambda s: "[x] " in s, "the tick after restart")
    # the same item ticked, with the service the engine's evidence named once the tick was carried to it
    title = ticked_line.split("[x] ", 1)[1].strip(" │")
    assert any(f"[x] {title}" in line for line in again.splitlines()), again
    assert ticked_items(tmp_path) in (ticked, [ticked[0], f"{ticked[0]}:web"])


def test_eight_fast_presses_of_space_journal_eight_alternating_events(terminal: Terminal, tmp_path: Path) -> None:
    from maestro import events as ev

    terminal.start("--demo")
    # once the engine's evidence is in the triage, so no refinement lands between the presses
    terminal.wait_for(lambda s: "[ ] " in s and "(worker)" in s, "the checklist the evidence refined")
    terminal.keys(*["space"] * 8)

    def toggles() -> list[ev.EventKind]:
        with Journal.open(demo_journal(tmp_path)) as journal:
            latest = journal.latest_open()
            assert latest is not None
            return [e.kind for e in journal.events(latest.id) if isinstance(e.payload, ev.ItemTicked)]

    deadline = time.monotonic() + 20
    while len(toggles()) < 8 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert toggles() == [ev.EventKind.ITEM_TICKED, ev.EventKind.ITEM_UNTICKED] * 4
    terminal.wait_for(lambda s: "[x] " not in s, "the item open again on screen")
