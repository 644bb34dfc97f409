"""Give some options of an OptionList new prompts, drawing only those again.

Textual's OptionList renders and measures every option again when any prompt changes; on a checklist
of 50 issues that is most of a key press. Here an option whose prompt did not change keeps its
rendering, and when no option's height can have changed only the changed lines are drawn.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Console
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import OptionList


def refresh_prompts(options: OptionList, prompts: Mapping[str, Text]) -> None:
    """Give the options with these ids these prompts; only those that differ are drawn again."""
    cache = getattr(options, "_option_render_cache", None)
    changed: list[int] = []
    grown: int | None = 0
    """Rows the options gained (None when unknown)."""
    width = options.scrollable_content_region.width - 2  # less the option's padding
    console = options.app.console
    for option_id, prompt in prompts.items():
        option = options.get_option(option_id)
        before = option.prompt
        if before == prompt:
            continue
        if cache is None:  # an OptionList without its per-option cache: the documented way
            options.replace_option_prompt(option_id, prompt)
            continue
        if grown is not None:
            grown = (
                rows(prompt, width, console) - rows(before, width, console) + grown
                if isinstance(before, Text)
                else None
            )
        option._set_prompt(prompt)
        keys = cache.keys()  # an LRUCache is not iterable itself
        for key in [key for key in keys if key[0] is option]:
            cache.discard(key)
        changed.append(options.get_option_index(option_id))
    if not changed:
        return
    lines, heights = options._index_to_line, options._heights
    laid_out = width > 0 and all(index in lines and index in heights for index in changed)
    if not (grown == 0 and laid_out):  # a hidden tab has no lines yet: draw it whole when it shows
        if laid_out and grown is not None:
            _steady_height(options, options.virtual_size.height + grown)
        options._line_cache.clear()
        options.refresh()
        return
    for index in changed:
        options.refresh_lines(lines[index], heights[index])


def _steady_height(options: OptionList, height: int) -> None:
    """Take the new content height without a new layout of the screen, when the list keeps its scrollbar (or
    keeps having none) and its scroll position: the list's own size does not change, only what scrolls in it."""
    size = options.virtual_size
    viewport = options.scrollable_content_region.height
    if (height > viewport) != (size.height > viewport) or options.scroll_y > max(height - viewport, 0):
        return  # the list measures itself when drawn, and the screen is laid out again
    options.set_reactive(Widget.virtual_size, Size(size.width, height))
    options._scroll_update(options.virtual_size)


def rows(text: Text, width: int, console: Console) -> int:
    """The rows `text` takes when wrapped to `width` (a change that keeps them needs no new layout)."""
    return len(text.wrap(console, max(width, 1))) if width > 0 else 0
