"""Against the lab's swarm, a new incident on the screen says to escalate now, with the multiple-services rule."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from maestro import events as ev
from maestro.collect.source import SwarmSource
from maestro.config import Config
from maestro.escalation import RULE_HOLD
from maestro.journal import Journal
from maestro.model import IncidentContext
from tests.integration.conftest import Lab
from tests.tui.conftest import FrozenClock, wait_until
from tui.app import MaestroApp

pytestmark = [pytest.mark.lab, pytest.mark.timeout(120)]

RULE = "Escalate now → Infrastructure Manager: multiple services failing (cache, db, ghost, pending, worker)"


@pytest.fixture(autouse=True)
def no_claude(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL"):
        monkeypatch.delenv(name, raising=False)


async def test_a_new_incident_on_the_lab_shows_escalate_now_with_the_rule(lab: Lab, tmp_path: Path) -> None:
    clock = FrozenClock(datetime.now(UTC))
    with Journal.open(tmp_path / "journal.sqlite3", clock=clock) as journal:
        app = MaestroApp(
            journal=journal,
            clock=clock,
            config=Config(poll_interval_s=0.5),
            new_context=IncidentContext(description="users report errors"),
            evidence_source=SwarmSource(lab.host),
        )
        async with app.run_test(size=(160, 48)) as pilot:

            def pane() -> str:
                screen = app.incident_screen
                return " ".join(screen.escalation.render().plain.split()) if screen else ""

            await wait_until(pilot, lambda: RULE in pane(), timeout=30)
            header = app.screen.header.header_view  # type: ignore[attr-defined]
            assert header.next_escalation == "NOW → Infrastructure Manager" and header.escalation_due
            assert "Roll back? " in pane() and "Escalate? " in pane()
            assert app.incident is not None
            incident_id = app.incident.id

            def fired() -> list[str]:
                events = journal.events(incident_id)
                return [e.payload.rule for e in events if e.kind is ev.EventKind.ESCALATION_RULE_FIRED]  # type: ignore[attr-defined]

            await pilot.pause(1.2)  # one tick of the screen sees the rule hold from now on
            clock.advance(seconds=RULE_HOLD.total_seconds())
            await wait_until(pilot, lambda: "multiple_services" in fired(), timeout=10)
            await pilot.pause(1.5)
            assert fired().count("multiple_services") == 1
