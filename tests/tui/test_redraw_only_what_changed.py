"""The panes redraw only what their new view changes: a services table cell, the escalation clock's seconds,
the command deck's triage or issue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import DataTable

from maestro.config import Config
from maestro.model import Evidence, ServiceInfo, Severity
from maestro.pane_views import TimerView
from maestro.screen_view import Scene, deck_view
from tests import factories
from widgets.escalation import EscalationPanel
from widgets.recovery import RecoveryPlan
from widgets.services import ServicesPanel

AT = datetime(2026, 11, 26, 5, 20, tzinfo=UTC)


def swarm(*running: int) -> Evidence:
    services = [
        ServiceInfo(id=f"id{n}", name=f"svc-{n}", image="img:1", desired=2, running=up) for n, up in enumerate(running)
    ]
    return Evidence(collected_at=AT, source="swarm", services=services)


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ServicesPanel(id="services")
        yield EscalationPanel(id="escalation")


def table_text(app: PaneApp) -> list[str]:
    table = app.query_one(DataTable)
    return [" ".join(cell.plain for cell in table.get_row_at(row)) for row in range(table.row_count)]


async def test_a_changed_service_draws_its_cells_again_and_no_other(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[tuple[int, int]] = []
    draw = DataTable._render_cell

    def counted(self: DataTable[Text], row: int, column: int, *args: object, **kwargs: object) -> object:
        drawn.append((row, column))
        return draw(self, row, column, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DataTable, "_render_cell", counted)
    app = PaneApp()
    async with app.run_test(size=(120, 30)) as pilot:
        panel = app.query_one(ServicesPanel)
        panel.show(swarm(2, 2, 2, 2))
        await pilot.pause()
        assert drawn and table_text(app)[0].startswith("svc-0 2/2")
        drawn.clear()
        panel.show(swarm(2, 2, 2, 1))  # svc-3 is short of a replica: first now, every row below moves down
        await pilot.pause()
        first_two = [row.split()[:3] for row in table_text(app)][:2]
        assert first_two == [["svc-3", "1/2", "DEGRADED"], ["svc-0", "2/2", "ok"]]
        assert {row for row, _ in drawn if row >= 0} == {0, 1, 2, 3}
        drawn.clear()
        panel.show(swarm(2, 2, 2, 0))  # down now, still first: the other rows stay where they are
        await pilot.pause()
        assert table_text(app)[0].split()[:3] == ["svc-3", "0/2", "DOWN"]
        assert {row for row, _ in drawn if row >= 0} == {0}
        drawn.clear()
        panel.show(swarm(2, 2, 2, 0).model_copy(update={"collected_at": AT.replace(minute=21)}))
        await pilot.pause()
        assert not [cell for cell in drawn if cell[0] >= 0], "the same rows draw no cell again"


def timer(elapsed: float) -> TimerView:
    return TimerView(
        incident="INC-1 opened 05:20 by ana",
        severity=Severity.P1,
        elapsed_s=elapsed,
        running=True,
        current="on-call",
        next_escalation_s=1800 - elapsed,
        next_update_s=900 - elapsed,
        update_every_min=15,
    )


async def test_the_clock_redraws_when_the_seconds_it_shows_change() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 30)) as pilot:
        panel = app.query_one(EscalationPanel)
        panel.show(timer(65.2))
        await pilot.pause()
        shown = panel.visual
        assert "0:01:05" in str(panel.render())
        panel.show(timer(65.9))
        await pilot.pause()
        assert panel.visual is shown, "the same seconds are not drawn again"
        panel.show(timer(66.0))
        await pilot.pause()
        assert panel.visual is not shown and "0:01:06" in str(panel.render())


def test_the_deck_is_worked_out_again_only_for_another_triage_or_issue() -> None:
    incident, at = factories.recorded_incident("open")
    assert incident.triage is not None
    first, second = (issue.id for issue in incident.triage.issues[:2])
    config = Config()
    deck = deck_view(Scene(incident, config, at), first)
    assert deck.entries and deck_view(Scene(incident, config, at.replace(second=30)), first) is deck
    assert deck_view(Scene(incident, config, at), second) is not deck
    again = deck_view(Scene(incident, config, at), first)
    assert again is not deck and again == deck, "worked out again after another issue, the same deck"
    retriaged = incident.model_copy(update={"triage": incident.triage.model_copy()})
    assert deck_view(Scene(retriaged, config, at), first) is not again


class RecoveryApp(App[None]):
    CSS = "RecoveryPlan { border: round white; height: 12; }"

    def compose(self) -> ComposeResult:
        yield RecoveryPlan(id="recovery")


def bottom_row(plan: RecoveryPlan) -> str:
    width, height = plan.outer_size
    return "".join(strip.text for strip in plan.render_lines(Region(0, height - 1, width, 1)))


async def test_a_new_recovery_total_draws_the_bottom_border_again() -> None:
    incident, _ = factories.recorded_incident("open")
    phases, ticked, done = incident.phases(), set(incident.ticked), set(incident.phases_done)
    app = RecoveryApp()
    async with app.run_test(size=(80, 20)) as pilot:
        plan = app.query_one(RecoveryPlan)
        plan.show(phases, ticked, done, "Open work: 40 min")
        await pilot.pause()
        assert "Open work: 40 min" in bottom_row(plan)
        first_row = plan.render_lines(Region(0, 1, plan.outer_size.width, 1))
        plan.show(phases, ticked, done, "Open work: 25 min")
        await pilot.pause()
        assert "Open work: 25 min" in bottom_row(plan) and "40 min" not in bottom_row(plan)
        assert plan.render_lines(Region(0, 1, plan.outer_size.width, 1))[0] is first_row[0], "the rest is kept"
