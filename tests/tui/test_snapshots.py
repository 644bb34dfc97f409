"""SVG snapshots of the main screen and the dialogs, with a frozen clock and the demo evidence.

Update with `pytest tests/tui/test_snapshots.py --snapshot-update` and look at the SVGs under __snapshots__.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tests.tui.conftest import AppFactory, FrozenClock


async def ready(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_main_screen_80x24(snap_compare, make_app: AppFactory, seeded: str, clock: FrozenClock) -> None:
    clock.advance(minutes=12, seconds=30)
    assert snap_compare(make_app(seeded), terminal_size=(80, 24), run_before=ready)


def test_main_screen_160x48(snap_compare, make_app: AppFactory, seeded: str, clock: FrozenClock) -> None:
    clock.advance(minutes=12, seconds=30)
    assert snap_compare(make_app(seeded), press=["space", "down"], terminal_size=(160, 48), run_before=ready)


def test_issue_card(snap_compare, make_app: AppFactory, seeded: str) -> None:
    assert snap_compare(make_app(seeded), press=["down", "enter"], terminal_size=(120, 40), run_before=ready)


def test_help_screen(snap_compare, make_app: AppFactory, seeded: str) -> None:
    assert snap_compare(make_app(seeded), press=["question_mark"], terminal_size=(120, 48), run_before=ready)


def test_export_before_leaving_dialog(snap_compare, make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    app.reports_root = Path("/var/lib/maestro/reports")
    assert snap_compare(app, press=["q"], terminal_size=(120, 40), run_before=ready)
