"""The real `maestro-tui` in a real terminal: a tmux server of our own (its own socket), one window named main."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTS = 3
"""Tries at starting the server."""
MARKS = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)"),
]


class Terminal:
    """maestro-tui's files (journal, config, reports) and the server's tmux.conf live in `tmp`."""

    def __init__(self, tmp: Path) -> None:
        self.socket = f"maestro-e2e-{os.getpid()}-{tmp.name}"
        self.tmp = tmp
        self.conf = tmp / "tmux.conf"

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.conf), *args], capture_output=True, text=True, check=True
        )
        return done.stdout

    def start(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        size: tuple[int, int] = (120, 40),
        options: Sequence[str] = (),
    ) -> None:
        """Starts the server (reading `options`) with maestro-tui `args` in its window; `env` adds variables."""
        self.conf.write_text("".join(f"{option}\n" for option in options))
        variables = {
            "MAESTRO_JOURNAL": str(self.tmp / "journal.sqlite3"),
            "MAESTRO_CONFIG": str(self.tmp / "config.toml"),
            "MAESTRO_REPORTS": str(self.tmp / "reports"),
            "TERM": "xterm-256color",
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in variables.items())
        command = f"exec env {exports} {shlex.quote(sys.executable)} -m tui.cli {' '.join(map(shlex.quote, args))}"
        columns, rows = size
        for attempt in range(STARTS):
            try:
                self.tmux("new-session", "-d", "-s", "main", "-x", str(columns), "-y", str(rows), command)
                return
            except subprocess.CalledProcessError as exc:
                # the server of a window that just went away may still be exiting when the next one is started
                if "server exited unexpectedly" not in exc.stderr or attempt == STARTS - 1:
                    raise
                time.sleep(0.2)

    def pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", "main", "#{pane_pid}").strip())

    def title(self) -> str:
        return self.tmux("display-message", "-p", "-t", "main", "#{pane_title}").strip()

    def buffers(self) -> list[str]:
        """What programs put on the clipboard (needs the option `set -g set-clipboard on`)."""
        listed = self.tmux("list-buffers", "-F", "#{buffer_name}").split()
        return [self.tmux("show-buffer", "-b", name) for name in listed]

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "main")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "main", *keys)

    def wait_for(self, predicate: Callable[[str], bool], what: str, timeout: float = 30) -> str:
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
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)
