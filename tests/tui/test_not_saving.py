"""The screen on a journal that cannot be written (a real full tmpfs): a banner says why, actions are refused
visibly, and saving resumes by itself once there is room again."""

from __future__ import annotations

from pathlib import Path

import pytest

import maestro.journal
from maestro import demo
from maestro import events as ev
from maestro.collect.source import demo_source
from maestro.config import Config
from maestro.journal import Journal
from tests.smalldisk import small_disk
from tests.tui.conftest import ACTOR, FrozenClock, hand_triage, seed, settle, wait_until
from tui.app import MaestroApp
from widgets.saving_banner import SavingBanner


def ticks(journal: Journal, incident_id: str) -> list[ev.EventKind]:
    return [e.kind for e in journal.events(incident_id) if isinstance(e.payload, ev.ItemTicked)]


async def test_a_full_disk_shows_the_banner_refuses_ticks_and_saves_again_once_freed(
    tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(maestro.journal, "RETRY_WRITABLE_S", 0.0)
    with small_disk(tmp_path / "disk") as disk:
        path = disk.root / "journal.sqlite3"
        with Journal.open(path, clock=clock, actor=ACTOR) as writer:
            incident_id = seed(writer, triage=hand_triage(), evidence=demo.evidence(clock()))
        disk.fill()
        journal = Journal.open(path, clock=clock, actor=ACTOR)
        banner_text = f"not saving: disk full on {disk.root} — free space and actions are saved again"
        app = MaestroApp(
            journal=journal, config=Config(), incident_id=incident_id, evidence_source=demo_source(clock), clock=clock
        )
        try:
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                banner = app.screen.query_one(SavingBanner)
                assert banner.text == banner_text and banner.display

                await pilot.press("space")
                await settle(pilot)
                assert ticks(journal, incident_id) == []
                assert any(n.message == f"Not saved, nothing changed: {banner_text}" for n in app.toasts)

                disk.free()
                await wait_until(pilot, lambda: not banner.display, timeout=5)
                await pilot.press("space")
                await settle(pilot)
                assert ticks(journal, incident_id) == [ev.EventKind.ITEM_TICKED]
                assert app.incident is not None and app.incident.ticked
        finally:
            journal.close()
