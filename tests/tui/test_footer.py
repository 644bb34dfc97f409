"""The footer at 80x24: it does not pile up watchers while panes switch and help opens (the screen froze once
that list reached 1,280), it keeps q and x on screen, and ctrl+c still answers afterwards."""

from __future__ import annotations

import itertools
import time

from textual.geometry import Region
from textual.screen import Screen

from tests.tui.conftest import AppFactory, settle, wait_until
from tui.screens.dialogs import QuitDialog
from tui.screens.help import HelpScreen
from widgets.footer import KeysFooter


def footer_keys(screen: Screen[object]) -> dict[str, Region]:
    """The footer's keys by key name and where each is drawn (its key widgets, selected by CSS type name)."""
    return {str(key.key): key.region for key in screen.query("FooterKey")}  # type: ignore[attr-defined]


async def test_switching_panes_and_help_do_not_grow_the_footer_and_ctrl_c_answers(
    make_app: AppFactory, seeded: str
) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(KeysFooter)
        before = footer.watcher_count()
        assert 0 < before <= 2 * len(footer_keys(app.screen))
        for round_ in range(40):
            await pilot.press("tab" if round_ % 3 else "shift+tab")
            if round_ % 4 == 0:
                await pilot.press("question_mark")
                assert isinstance(app.screen, HelpScreen)
                await pilot.press("escape")
        await settle(pilot)
        assert footer.watcher_count() <= before, (before, footer.watcher_count())

        started = time.monotonic()
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitDialog))
        assert time.monotonic() - started < 2


async def test_q_and_x_stay_in_the_footer_at_80_columns(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for pane in range(6):
            shown = footer_keys(app.screen)
            assert {"q", "x"} <= shown.keys(), f"pane {pane}: {sorted(shown)}"
            regions = sorted(shown.values(), key=lambda r: r.x)
            assert all(r.right <= 80 for r in regions)
            assert all(a.right <= b.x for a, b in itertools.pairwise(regions)), "keys overlap"
            await pilot.press("tab")
            await settle(pilot)
