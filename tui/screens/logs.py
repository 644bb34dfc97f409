"""The recent logs of one service, as literal text: the lines the last poll captured at once, then fresh ones.

Reading runs in a thread worker and is bounded by the source (line length, byte budget), so a service
that prints megabytes, binary bytes or terminal escapes never freezes the screen nor styles it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import work
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static, TextArea

from maestro.model import LogLine
from tui.screens.dialogs import TextViewer
from tui.workers import Abandoned, interruptible, one_line
from widgets.text import literal, plain


def log_text(lines: list[LogLine]) -> str:
    return "\n".join(f"{line.at:%H:%M:%S} {line.text}" if line.at else line.text for line in lines)


class LogsScreen(TextViewer):
    """`r` reads the logs again (live sessions); `c` copies them; escape closes."""

    DEFAULT_CSS = """
    LogsScreen > Vertical { width: 95%; height: 90%; max-height: 90%; }
    LogsScreen TextArea { height: 1fr; max-height: 100%; }
    """
    BINDINGS = [Binding("r", "read", "Read again", show=False)]

    @dataclass
    class Read(Message):
        lines: list[LogLine] | None
        problem: str = ""

    def __init__(self, service: str, captured: list[LogLine], read: Callable[[], list[LogLine]] | None = None) -> None:
        self.service = service
        self.captured = captured
        self._read = read
        hint = "r read again · c copy all · esc close" if read is not None else ""
        super().__init__(f"Logs of {service}", log_text(captured) or f"No log lines captured for {service}.", hint)

    def on_mount(self) -> None:
        super().on_mount()
        self._to_newest()
        self.action_read()

    def action_read(self) -> None:
        if self._read is None:
            return
        self._status(f"Logs of {self.service}: reading ...")
        self.read_logs()

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
        self._status(f"Logs of {self.service}: {count} recent line{'s' * (count != 1)}")
        self.text = literal(log_text(message.lines) or f"No log lines for {self.service}.")
        self.query_one(TextArea).load_text(self.text)
        self._to_newest()

    def _to_newest(self) -> None:
        area = self.query_one(TextArea)
        area.move_cursor(area.document.end)

    def _status(self, line: str) -> None:
        self.query_one(".title", Static).update(plain(line, one_line=True))
