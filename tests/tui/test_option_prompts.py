"""New prompts for some options of a list: only they are drawn again, and a prompt that takes another row does
not lay the whole screen out again unless the list's scrollbar comes or goes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.text import Text
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from widgets.option_prompts import refresh_prompts

WIDTH = 40


class ListApp(App[None]):
    CSS = "OptionList { width: 40; height: 12; border: none; }"

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def compose(self) -> ComposeResult:
        yield OptionList(*[Option(Text(f"option {n}"), id=f"o{n}") for n in range(self.count)])


@contextmanager
def layouts() -> Iterator[list[int]]:
    """Counts the screen layouts done meanwhile."""
    done: list[int] = []
    original = Screen._refresh_layout

    def counted(self: Screen[object], *args: object, **kwargs: object) -> None:
        done.append(1)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    Screen._refresh_layout = counted  # type: ignore[method-assign]
    try:
        yield done
    finally:
        Screen._refresh_layout = original  # type: ignore[method-assign]


def shown(options: OptionList) -> list[str]:
    return [options.render_line(y).text.strip() for y in range(options.scrollable_content_region.height)]


async def test_a_prompt_taking_another_row_moves_the_lines_below_without_a_layout() -> None:
    app = ListApp(count=5)
    async with app.run_test(size=(60, 20)) as pilot:
        options = app.query_one(OptionList)
        await pilot.pause()
        with layouts() as done:
            refresh_prompts(options, {"o1": Text("option 1 " + "long " * 10)})
            await pilot.pause()
        assert done == []
        assert options.virtual_size.height == 6
        assert shown(options)[:6] == [
            "option 0",
            "option 1 long long long long long long",
            "long long long long",
            "option 2",
            "option 3",
            "option 4",
        ]
        with layouts() as done:
            refresh_prompts(options, {"o1": Text("option 1 again")})
            await pilot.pause()
        assert done == []
        assert options.virtual_size.height == 5
        assert shown(options)[1:3] == ["option 1 again", "option 2"]


async def test_a_prompt_that_brings_the_scrollbar_lays_the_screen_out() -> None:
    app = ListApp(count=12)
    async with app.run_test(size=(60, 20)) as pilot:
        options = app.query_one(OptionList)
        await pilot.pause()
        assert not options.show_vertical_scrollbar
        with layouts() as done:
            refresh_prompts(options, {"o0": Text("option 0 " + "long " * 10)})
            await pilot.pause()
        assert done != []
        assert options.virtual_size.height == 13
        assert options.show_vertical_scrollbar
