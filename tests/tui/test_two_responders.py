"""Two responders on one incident: while another real process writes bursts of notes, this screen's timeline
keeps following the newest entry, its own notes included, also when it was out of sight (a tab at 80x24)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.tui.conftest import AppFactory, settle, wait_until
from tui.screens.incident import IncidentScreen
from widgets.timeline import Timeline

ROOT = Path(__file__).resolve().parents[2]


def burst(journal_path: Path, incident_id: str, count: int, tag: str) -> None:
    """Another responder's process appends `count` notes as fast as it can."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.journal_writer", "notes", str(journal_path), incident_id,
         str(count), tag],
        cwd=ROOT, input="go\n", capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert done.stdout.splitlines()[-1].startswith("done")


async def test_the_timeline_follows_through_bursts_from_another_process(
    make_app: AppFactory, seeded: str, journal_path: Path
) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IncidentScreen)
        timeline = screen.timeline

        def at_bottom() -> bool:
            return timeline.max_scroll_y > 0 and timeline.scroll_y >= timeline.max_scroll_y

        for round_ in range(4):
            await pilot.press("1" if round_ % 2 else "6")
            burst(journal_path, seeded, 25, f"bo{round_}")
            await wait_until(pilot, lambda r=round_: f"bo{r}-24" in last_line(timeline), timeout=10)
            await pilot.press("6")
            await wait_until(pilot, at_bottom, timeout=3)
            await pilot.press("n", *f"mine {round_}", "enter")
            await wait_until(pilot, lambda r=round_: last_line(timeline).endswith(f"Note: mine {r}"))
            await wait_until(pilot, at_bottom, timeout=3)

        await pilot.press("k", "k", "k")
        await pilot.pause(0.3)
        held = timeline.scroll_y
        assert held < timeline.max_scroll_y, "scrolled up by the reader"
        burst(journal_path, seeded, 5, "late")
        await wait_until(pilot, lambda: "late-4" in last_line(timeline), timeout=10)
        await pilot.pause(0.3)
        assert timeline.scroll_y == held, "the reader's place is kept"
        await pilot.press("G")
        await wait_until(pilot, at_bottom)


def last_line(timeline: Timeline) -> str:
    return timeline.plain.splitlines()[-1]
