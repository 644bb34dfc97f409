"""The recent logs of one service, as literal text: the lines the last poll captured at once, then fresh ones.

Reading runs in a thread worker and is bounded by the source (line length, byte budget), so a service
that prints megabytes, binary bytes or terminal escapes never freezes the screen nor styles it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import work
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static, TextArea

from maestro.model import LogLine
from tui.actions import bindings
from tui.screens.dialogs import TextViewer
from tui.workers import Abandoned, interruptible, one_line
from widgets.text import literal, plain

FOLLOW_S = 2.0
"""While following, the logs are read again this often."""


def log_text(lines: list[LogLine], *, timestamps: bool = True) -> str:
    return "\n".join(f"{line.at:%H:%M:%S} {line.text}" if line.at and timestamps else line.text for line in lines)


class LogsScreen(TextViewer):
    """`r` reads the logs again and `f` follows them (live sessions); `w` wraps, `t` shows the times; `c` copies
    them; escape closes."""

    DEFAULT_CSS = """
    LogsScreen > Vertical { width: 95%; height: 90%; max-height: 90%; }
    LogsScreen TextArea { height: 1fr; max-height: 100%; }
    """
    BINDINGS = bindings("logs")

    @dataclass
    class Read(Message):
        lines: list[LogLine] | None
        problem: str = ""

    def __init__(self, service: str, captured: list[LogLine], read: Callable[[], list[LogLine]] | None = None) -> None:
        self.service = service
        self.captured = captured
        self.lines = captured
        self.timestamps = True
        self.following: Timer | None = None
        self._read = read
        live = "r read again · f follow · " if read is not None else ""
        hint = f"{live}w wrap · t times · c copy all · esc close"
        super().__init__(f"Logs of {service}", log_text(captured) or f"No log lines captured for {service}.", hint)

    def on_mount(self) -> None:
        super().on_mount()
        self._to_newest()
        self.action_read()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Reading and following need an engine to read from."""
        return self._read is not None or action not in ("read", "follow")

    def action_read(self) -> None:
        if self._read is None:
            return
        if self.following is None:
            self._status(f"Logs of {self.service}: reading ...")
        self.read_logs()

    def action_follow(self) -> None:
        if self.following is not None:
            self.following.stop()
            self.following = None
            self._status(f"Logs of {self.service}: stopped following")
            return
        self.following = self.set_interval(FOLLOW_S, self.action_read, name="follow logs")
        self._status(f"Logs of {self.service}: following (f stops)")
        self._to_newest()
        self.action_read()

    def action_wrap(self) -> None:
        area = self.query_one(TextArea)
        area.soft_wrap = not area.soft_wrap

    def action_timestamps(self) -> None:
        self.timestamps = not self.timestamps
        self._show_lines(keep_place=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="logs", description="read logs")
    def read_logs(self) -> None:
        assert self._read is not None
        try:
            lines = interruptible(self._read)
        except Abandoned:
            return
        except Exception as exc:
            self.post_message(self.Read(None, one_line(exc)))
            return
        self.post_message(self.Read(lines))

    def on_logs_screen_read(self, message: Read) -> None:
        if message.lines is None:
            kept = "the lines captured at the last poll" if self.captured else "nothing"
            self._status(f"Logs of {self.service}: cannot read them ({message.problem}); showing {kept}")
            return
        count = len(message.lines)
        following = ", following (f stops)" if self.following is not None else ""
        self._status(f"Logs of {self.service}: {count} recent line{'s' * (count != 1)}{following}")
        changed = message.lines != self.lines
        self.lines = message.lines
        if changed or self.following is None:
            self._show_lines(keep_place=False)

    def _show_lines(self, *, keep_place: bool) -> None:
        area = self.query_one(TextArea)
        place = area.cursor_location
        self.text = literal(log_text(self.lines, timestamps=self.timestamps) or f"No log lines for {self.service}.")
        area.load_text(self.text)
        if keep_place and self.following is None:
            area.move_cursor(place)
        else:
            self._to_newest()

    def _to_newest(self) -> None:
        area = self.query_one(TextArea)
        area.move_cursor(area.document.end)

    def _status(self, line: str) -> None:
        self.query_one(".title", Static).update(plain(line, one_line=True))
