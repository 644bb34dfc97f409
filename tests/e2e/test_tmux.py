"""The real `maestro-tui --demo` in a real terminal (tmux), killed with SIGKILL and started again."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from maestro.journal import Journal

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)"),
]
ROOT = Path(__file__).resolve().parents[2]


class Terminal:
    """One tmux server of our own (its own socket), one window running maestro-tui."""

    def __init__(self, tmp: Path) -> None:
        self.socket = f"maestro-e2e-{os.getpid()}-{tmp.name}"
        self.tmp = tmp

    def tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True)
        return result.stdout

    def start(self, *args: str) -> None:
        env = {
            "MAESTRO_JOURNAL": str(self.tmp / "journal.sqlite3"),
            "MAESTRO_CONFIG": str(self.tmp / "config.toml"),
            "MAESTRO_REPORTS": str(self.tmp / "reports"),
            "TERM": "xterm-256color",
            "PYTHONPATH": str(ROOT),
        }
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = f"exec env {exports} {shlex.quote(sys.executable)} -m tui.cli {' '.join(map(shlex.quote, args))}"
        self.tmux("new-session", "-d", "-s", "main", "-x", "120", "-y", "40", command)

    def pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", "main", "#{pane_pid}").strip())

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "main")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "main", *keys)

    def wait_for(self, predicate: Callable[[str], bool], what: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; screen was:\n{screen}")

    def wait_gone(self, timeout: float = 10) -> None:
        """Wait until the killed program's window (and with it this tmux server) has gone away."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            alive = subprocess.run(["tmux", "-L", self.socket, "has-session", "-t", "main"], capture_output=True)
            if alive.returncode != 0:
                return
            time.sleep(0.05)
        raise AssertionError("the killed program's tmux window did not go away")

    def kill_server(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(tmp_path)
    yield term
    term.kill_server()


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
    assert len(ticked) == 1, "the tick must be journaled by the time the screen shows it"
    ticked_line = next(line for line in screen.splitlines() if "[x] " in line)

    os.kill(terminal.pid(), signal.SIGKILL)
    terminal.wait_gone()

    terminal.start("--demo")
    again = terminal.wait_for(lambda s: "[x] " in s, "the tick after restart")
    assert ticked_line.strip() in [line.strip() for line in again.splitlines()]
    assert ticked_items(tmp_path) == ticked


def test_eight_fast_presses_of_space_journal_eight_alternating_events(terminal: Terminal, tmp_path: Path) -> None:
    from maestro import events as ev

    terminal.start("--demo")
    terminal.wait_for(lambda s: "[ ] " in s, "the checklist with open items")
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
