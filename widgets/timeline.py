"""The incident timeline: every journal entry, newest at the bottom, following new entries."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from maestro.text import literal
from tui.actions import bindings
from widgets.text import tones

if TYPE_CHECKING:
    from maestro.model import TimelineEntry

EMPTY = "No entries yet."
TIME_STYLE = Style(dim=True)
_WORDS = re.compile(r"[^ ]+ *| +")


def wrap_offsets(line: str, width: int) -> tuple[int, ...]:
    """The cell offsets at which the rows of `line` start, word-wrapped to `width` (a longer word is cut)."""
    if width <= 0 or cell_len(line) <= width:
        return (0,)
    offsets = [0]
    row_start = cursor = 0
    for match in _WORDS.finditer(line):
        word = match.group()
        bare = cell_len(word.rstrip(" "))
        if cursor > row_start and cursor + bare > row_start + width:
            row_start = cursor
            offsets.append(row_start)
        while cursor + bare > row_start + width:
            row_start += width
            offsets.append(row_start)
        cursor += cell_len(word)
    return tuple(offsets)


class Timeline(ScrollView, can_focus=True):
    """Keeps to the bottom (anchored); scrolled up, it stays where the reader is until scrolled down again.

    Each entry is laid out once when it arrives (and again only when the width changes), and only the
    rows on screen are drawn, so an incident of 4,000 entries costs what one of 10 does.
    """

    COMPONENT_CLASSES = {"tone--accent"}

    DEFAULT_CSS = """
    Timeline { height: 1fr; padding: 0 1; scrollbar-gutter: stable; }
    """

    BINDINGS = bindings("lists")

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._entries: Sequence[TimelineEntry] = ()
        self._parts: list[tuple[str, str, str]] = []
        """Time, actor and text of each entry, as shown."""
        self._wraps: list[tuple[int, ...]] = []
        self._starts: list[int] = []
        """The first row of each entry."""
        self._rows = 0
        self._width = 0
        self._strips: dict[int, Strip] = {}
        self._strip_style: Style | None = None
        self._row_style: Style | None = None

    # j / k / g / G (the lists' keys) scroll.

    def action_cursor_down(self) -> None:
        self.scroll_down()

    def action_cursor_up(self) -> None:
        self.scroll_up()

    def action_first(self) -> None:
        self.scroll_home()

    def action_last(self) -> None:
        self.scroll_end()

    def on_mount(self) -> None:
        self.anchor()

    @property
    def plain(self) -> str:
        """Every entry as the text it is shown as, one per line."""
        return "\n".join("".join(parts) for parts in self._parts) if self._parts else EMPTY

    def show(self, entries: Sequence[TimelineEntry]) -> None:
        """Show these entries: the incident's timeline, whose entries never change once written.

        New entries keep the timeline at the bottom while it is anchored there, even while it is out of sight
        (a hidden tab has no size to scroll in, so a follow decided from the scroll position went wrong).
        """
        shown = self._entries
        if len(entries) == len(shown) and (not entries or entries[-1].seq == shown[-1].seq):
            return
        follow = self.is_anchored and not self._anchor_released
        if len(entries) < len(shown) or (shown and entries[len(shown) - 1].seq != shown[-1].seq):
            self._parts, self._wraps, self._starts, self._rows = [], [], [], 0
            self._strips.clear()
        for entry in entries[len(self._parts) :]:
            self._add(entry)
        self._entries = entries
        self._grow(Size(self._width, max(self._rows, 1)))
        if follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def _grow(self, size: Size) -> None:
        """A new virtual size; the screen's layout is redone only when the scrollbar appears or goes."""
        scrolls = size.height > self.scrollable_content_region.height
        if scrolls != (self.virtual_size.height > self.scrollable_content_region.height) or not self.size:
            self.virtual_size = size
            return
        self.set_reactive(Timeline.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

    def _add(self, entry: TimelineEntry) -> None:
        parts = (f"{entry.at:%H:%M:%S} ", literal(entry.actor, one_line=True), f" {literal(entry.text, one_line=True)}")
        wraps = wrap_offsets("".join(parts), self._width)
        self._parts.append(parts)
        self._wraps.append(wraps)
        self._starts.append(self._rows)
        self._rows += len(wraps)

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width == self._width:
            return
        self._width = width
        self._wraps, self._starts, self._rows = [], [], 0
        for parts in self._parts:
            wraps = wrap_offsets("".join(parts), width)
            self._wraps.append(wraps)
            self._starts.append(self._rows)
            self._rows += len(wraps)
        self.virtual_size = Size(width, max(self._rows, 1))
        if self.is_anchored and not self._anchor_released:
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True, x_axis=False)
        self.refresh()

    def _strip(self, index: int, base: Style) -> Strip:
        """Entry `index` on one unbroken row."""
        if base != self._strip_style:
            self._strips.clear()
            self._strip_style = base
        strip = self._strips.get(index)
        if strip is None:
            time, actor, text = self._parts[index]
            segments = [Segment(time, TIME_STYLE), Segment(actor, tones(self)("tone--accent")), Segment(text)]
            strip = Strip(Segment.apply_style(segments, base), cell_len(time + actor + text))
            self._strips[index] = strip
        return strip

    def render_lines(self, crop: Region) -> list[Strip]:
        # Every row is drawn on the same style: worked out once per draw, not once per row (it walks the DOM).
        self._row_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._row_style = None

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self._row_style or self.rich_style
        if not self._parts:
            if row:
                return Strip.blank(width, base)
            return Strip(Segment.apply_style([Segment(EMPTY, TIME_STYLE)], base), len(EMPTY)).crop_extend(
                0, width, base
            )
        if row >= self._rows:
            return Strip.blank(width, base)
        index = bisect_right(self._starts, row) - 1
        wraps = self._wraps[index]
        part = row - self._starts[index]
        strip = self._strip(index, base)
        end = wraps[part + 1] if part + 1 < len(wraps) else strip.cell_length
        return strip.crop(wraps[part], end).crop_extend(0, width, base)
