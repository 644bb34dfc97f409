"""Pane switching at 80x24 and 160x48, and two processes on one journal seeing each other within a second."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from maestro import events as ev
from tests.tui.conftest import AppFactory, option_texts, settle, wait_until
from tui.screens.incident import PANES, PaneTabs

ROOT = Path(__file__).resolve().parents[2]


async def test_tab_walks_the_panes_in_order_and_back(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.has_class("-grid")
        assert not screen.query(PaneTabs)
        visited = []
        for _ in PANES:
            visited.append(screen.active_pane)  # type: ignore[attr-defined]
            pane = screen.pane(screen.active_pane)  # type: ignore[attr-defined]
            assert app.focused is pane or pane in app.focused.ancestors  # type: ignore[union-attr]
            await pilot.press("tab")
        assert visited == [name for name, _ in PANES]
        assert screen.active_pane == "checklist"  # type: ignore[attr-defined]
        await pilot.press("shift+tab")
        assert screen.active_pane == "timeline"  # type: ignore[attr-defined]
        assert all(screen.pane(name).display for name, _ in PANES)  # type: ignore[attr-defined]
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert screen.query_one(PaneTabs).active == "tab-timeline"
        assert [name for name, _ in PANES if screen.pane(name).display] == ["timeline"]  # type: ignore[attr-defined]


async def test_a_small_terminal_shows_one_pane_behind_tabs(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert not screen.has_class("-grid")
        tabs = screen.query_one(PaneTabs)
        assert tabs.display and tabs.active == "tab-checklist"
        shown = [name for name, _ in PANES if screen.pane(name).display]  # type: ignore[attr-defined]
        assert shown == ["checklist"]
        await pilot.press("tab", "tab", "tab")
        assert tabs.active == "tab-services"
        assert [name for name, _ in PANES if screen.pane(name).display] == ["services"]  # type: ignore[attr-defined]
        await pilot.press("slash")
        assert tabs.active == "tab-services"
        await pilot.press("escape", "shift+tab", "shift+tab", "shift+tab", "space")
        assert app.journal.events(seeded)[-1].kind is ev.EventKind.ITEM_TICKED
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert screen.has_class("-grid")


async def test_another_process_tick_shows_within_a_second(
    make_app: AppFactory, seeded: str, journal_path: Path
) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        code = (
            "import sys\n"
            "from maestro import events as ev\n"
            "from maestro.journal import Journal\n"
            "with Journal.open(sys.argv[1], actor='bo@node2') as j:\n"
            "    j.append(sys.argv[2], ev.EventKind.ITEM_TICKED,"
            " ev.ItemTicked(item='swarm.oom_killed:cache', label='cache OOM-killed'))\n"
        )
        subprocess.run([sys.executable, "-c", code, str(journal_path), seeded], cwd=ROOT, check=True)
        started = time.monotonic()
        checklist = app.screen.checklist  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: "[x] cache OOM-killed" in "\n".join(option_texts(checklist)))
        assert time.monotonic() - started < 2.5, "seen on the next journal poll (every second)"
        assert app.incident.timeline[-1].actor == "bo@node2"
        await pilot.press("space")
        assert [e.payload.item for e in app.journal.events(seeded)[-2:]] == [  # type: ignore[attr-defined]
            "swarm.oom_killed:cache",
            "swarm.crash_loop:worker",
        ]
        assert set(app.incident.ticked) == {"swarm.oom_killed:cache", "swarm.crash_loop:worker"}
