"""The incident timeline: every journal entry, newest at the bottom, following new entries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.actions import bindings
from widgets.text import plain

if TYPE_CHECKING:
    from maestro.model import TimelineEntry


class Timeline(VerticalScroll, can_focus=True):
    """Keeps to the bottom (anchored); scrolled up, it stays where the reader is until scrolled down again."""

    DEFAULT_CSS = """
    Timeline { height: 1fr; padding: 0 1; }
    Timeline > Static { width: 1fr; }
    """

    BINDINGS = bindings("lists")

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._last: tuple[int, int] = (0, 0)

    # j / k / g / G (the lists' keys) scroll.

    def action_cursor_down(self) -> None:
        self.scroll_down()

    def action_cursor_up(self) -> None:
        self.scroll_up()

    def action_first(self) -> None:
        self.scroll_home()

    def action_last(self) -> None:
        self.scroll_end()

    def compose(self) -> ComposeResult:
        yield Static(Text("No entries yet.", style="dim"), id="timeline-text", markup=False)

    def on_mount(self) -> None:
        self.anchor()

    def show(self, entries: list[TimelineEntry]) -> None:
        """New entries keep the timeline at the bottom while it is anchored there, even while it is out of sight
        (a hidden tab has no size to scroll in, so a follow decided from the scroll position went wrong)."""
        marker = (len(entries), entries[-1].seq if entries else 0)
        if marker == self._last:
            return
        self._last = marker
        text = Text()
        for number, entry in enumerate(entries):
            if number:
                text.append("\n")
            text.append(f"{entry.at:%H:%M:%S} ", style="dim")
            text.append_text(plain(entry.actor, "#90caf9", one_line=True))
            text.append(" ")
            text.append_text(plain(entry.text, one_line=True))
        self.query_one("#timeline-text", Static).update(text)
