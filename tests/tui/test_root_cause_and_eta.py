"""The root-cause key, the start time asked at intake, and the screen's times from the one ETA."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import Input, Static

from maestro import eta
from maestro import events as ev
from maestro.journal import Journal
from maestro.session import SessionRequest
from tests.tui.conftest import (
    INCIDENT_ID,
    AppFactory,
    FrozenClock,
    highlight,
    kinds,
    option_texts,
    settle,
    wait_until,
)
from tui.app import MaestroApp
from tui.screens.dialogs import ConfirmDialog
from tui.screens.incident import IncidentScreen
from tui.screens.intake import IntakeScreen


def main(app: MaestroApp) -> IncidentScreen:
    screen = app.screen
    assert isinstance(screen, IncidentScreen)
    return screen


async def test_w_confirms_the_highlighted_issue_as_root_cause_and_w_again_withdraws_it(
    make_app: AppFactory, seeded: str
) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = main(app)
        highlight(screen.checklist, "swarm.oom_killed:cache")
        await pilot.pause()
        assert "ROOT CAUSE" not in "\n".join(option_texts(screen.checklist))
        await pilot.press("w")
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question == "Confirm the root cause: cache OOM-killed?"
        assert "root cause of cache OOM-killed" in app.screen.detail
        await pilot.press("y")
        await settle(pilot)
        last = app.journal.events(seeded)[-1]
        assert last.kind is ev.EventKind.ROOT_CAUSE_CONFIRMED
        assert last.payload == ev.RootCauseConfirmed(issue_id="swarm.oom_killed:cache")
        assert [r.issue_id for r in app.incident.root_causes_confirmed] == ["swarm.oom_killed:cache"]
        texts = "\n".join(option_texts(main(app).checklist))
        assert "cache OOM-killed" in texts and "ROOT CAUSE (confirmed)" in texts
        assert "Root cause confirmed: cache OOM-killed" in screen.timeline.plain

        await pilot.press("w")
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question == "Withdraw the confirmed root cause: cache OOM-killed?"
        await pilot.press("y")
        await settle(pilot)
        assert app.journal.events(seeded)[-1].payload == ev.RootCauseConfirmed(
            issue_id="swarm.oom_killed:cache", confirmed=False
        )
        assert app.incident.root_causes_confirmed == []
        assert "ROOT CAUSE (confirmed)" not in "\n".join(option_texts(main(app).checklist))


async def test_w_then_no_confirms_nothing(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        before = kinds(app.journal, seeded)
        await pilot.press("w", "n")
        assert isinstance(app.screen, IncidentScreen)
        assert kinds(app.journal, seeded) == before


async def test_the_screen_times_come_from_the_one_eta(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = main(app)
        estimate = eta.for_incident(app.incident)
        assert estimate.minutes == 10
        assert screen.recovery.border_subtitle == "Open work: P0 5 min + P1 5 min = 10 min"
        assert screen.header.header_view is not None and screen.header.header_view.eta == estimate.text
        assert "ETA 10 minutes" in screen.header.render().plain  # type: ignore[attr-defined]
        headings = option_texts(screen.checklist)
        assert any(h.startswith("P0 CRITICAL") and h.endswith("(1 issue, 5 min)") for h in headings)

        highlight(screen.checklist, "swarm.crash_loop:worker")
        await pilot.press("space")
        await settle(pilot)
        assert screen.recovery.border_subtitle == "Open work: P1 5 min = 5 min"
        assert screen.header.header_view is not None and screen.header.header_view.eta == "5 minutes"
        headings = option_texts(screen.checklist)
        assert any(h.startswith("P0 CRITICAL") and h.endswith("(1 issue, 0 of 5 min open)") for h in headings)


async def test_p0_work_over_its_budget_is_flagged_on_screen(
    make_app: AppFactory, journal: Journal, clock: FrozenClock
) -> None:
    from maestro import demo
    from tests.tui.conftest import hand_triage, seed

    triage = hand_triage()
    worker = triage.issues[0]
    slow = [worker.model_copy(update={"id": f"{worker.id}{n}", "time_to_fix_min": 10}) for n in range(3)]
    incident_id = seed(journal, triage=triage.model_copy(update={"issues": [*slow, *triage.issues[1:]]}))
    app = make_app(incident_id, demo_engine=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.recovery.border_subtitle == (
            "Open work: P0 30 min + P1 5 min = 35 min · P0 over its 10-15 minutes max budget: 2 people or escalate"
        )
        headings = option_texts(screen.checklist)
        assert any(h.endswith("(3 issues, 30 min, over the 10-15 minutes max budget)") for h in headings)
        assert demo.CONTEXT.description in screen.header.render().plain  # type: ignore[attr-defined]


async def test_the_intake_asks_when_it_began_and_stores_an_absolute_time(
    journal: Journal, journal_path: Path, clock: FrozenClock
) -> None:
    app = MaestroApp(request=SessionRequest(journal_path=journal_path, use_docker=False), clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, IntakeScreen) and isinstance(app.focused, Input))
        intake = app.screen
        await pilot.press(*"queue down", "tab", "tab")
        assert app.focused is intake.query_one("#intake-when", Input)
        await pilot.press(*"whenever")
        hint = intake.query_one("#intake-when-hint", Static).render().plain  # type: ignore[attr-defined]
        assert hint.startswith("Cannot tell when 'whenever' is")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, IntakeScreen), "an unreadable start time is refused"
        assert app.focused is intake.query_one("#intake-when", Input)
        for _ in "whenever":
            await pilot.press("backspace")
        await pilot.press(*"20 minutes ago")
        hint = intake.query_one("#intake-when-hint", Static).render().plain  # type: ignore[attr-defined]
        assert hint == "began 2026-11-26 05:00 UTC"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "triage_generated" in kinds(journal, INCIDENT_ID))
        await settle(pilot)
        context = app.incident.context if app.incident else None
        assert context is not None and context.when == "20 minutes ago"
        assert context.began_at == clock() - timedelta(minutes=20)
