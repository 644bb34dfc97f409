"""Opening, resuming and the intake form; the rules triage on mount; failures that keep the last good state."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

import tui.app
from maestro import demo
from maestro import events as ev
from maestro.collect.source import demo_source
from maestro.config import Config
from maestro.journal import Journal
from maestro.model import Evidence, IncidentContext, Triage
from tests.tui.conftest import INCIDENT_ID, AppFactory, FrozenClock, kinds, option_texts, seed, settle, wait_until
from tui import messages as msg
from tui.app import MaestroApp
from tui.screens.incident import IncidentScreen
from tui.screens.intake import IntakeScreen


async def test_a_new_context_opens_an_incident_and_runs_the_rules_triage(
    make_app: AppFactory, journal: Journal
) -> None:
    """The description's triage comes first; the engine's first evidence then refines it."""
    app = make_app(new_context=demo.CONTEXT)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        events = [e for e in journal.events(INCIDENT_ID) if e.kind != ev.EventKind.ESCALATION_RULE_FIRED]
        assert [e.kind.value for e in events] == [
            "incident_opened",
            "triage_generated",
            "evidence_captured",
            "triage_generated",
        ]
        first, triage = events[1].payload.triage, events[-1].payload.triage  # type: ignore[attr-defined]
        assert first.engine == triage.engine == "rules" and first.issues and triage.issues
        assert "Crash loop" not in {i.title for i in first.issues} and any(
            "Crash loop" in i.title for i in triage.issues
        )
        assert events[-1].payload.summary == "with the engine's first evidence"  # type: ignore[attr-defined]
        evidence = events[2].payload.evidence  # type: ignore[attr-defined]
        assert evidence.source == "demo" and evidence.services == demo.evidence(evidence.collected_at).services
        shown = "\n".join(option_texts(app.screen.checklist))  # type: ignore[attr-defined]
        for issue in triage.issues:
            assert issue.title in shown


async def test_the_screen_triage_names_services_by_the_configured_aliases(
    make_app: AppFactory, journal: Journal, config: Config
) -> None:
    """The same triage as `maestro-tui triage`: "the shop front" means the web service only through the config."""
    told = IncidentContext(description="the shop front is throwing 500 errors")
    config.service_aliases = {"shop front": "web"}
    app = make_app(new_context=told)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "app.http_errors:web" in [issue.id for issue in last_triage(journal).issues]
        config.service_aliases = {}
        await pilot.press("t")
        await settle(pilot)
        assert "app.http_errors:web" not in [issue.id for issue in last_triage(journal).issues]


def last_triage(journal: Journal) -> Triage:
    generated = [e for e in journal.events(INCIDENT_ID) if e.kind == ev.EventKind.TRIAGE_GENERATED]
    return generated[-1].payload.triage  # type: ignore[attr-defined]


async def test_without_an_engine_the_triage_uses_the_description_alone(make_app: AppFactory, journal: Journal) -> None:
    app = make_app(new_context=demo.CONTEXT, demo_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert kinds(journal, INCIDENT_ID) == ["incident_opened", "triage_generated"]
        source = app.screen.services.query_one("#services-source").render().plain  # type: ignore[attr-defined]
        assert source == "engine not connected: no engine for this session"
        assert app.screen.services.table.row_count == 0  # type: ignore[attr-defined]


async def test_the_intake_form_opens_the_incident(make_app: AppFactory, journal: Journal) -> None:
    app = make_app(demo_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, IntakeScreen)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, IntakeScreen), "a description is required"
        await pilot.press(*"redis OOM, checkout slow", "tab", *"cache")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, IncidentScreen)
        opened = journal.events(INCIDENT_ID)[0].payload
        assert opened.context.description == "redis OOM, checkout slow"  # type: ignore[attr-defined]
        assert opened.context.what_broke == "cache"  # type: ignore[attr-defined]
        assert "triage_generated" in kinds(journal, INCIDENT_ID)


async def test_leaving_the_intake_opens_nothing(make_app: AppFactory, journal: Journal) -> None:
    app = make_app(demo_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, Input)
        await pilot.press("escape")
        await pilot.pause()
        assert not app.is_running
    assert journal.incidents() == []


async def test_an_unknown_incident_exits_with_one_line(
    make_app: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app("INC-nope")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
    assert app.return_code == 1
    assert "maestro-tui: no incident INC-nope in journal" in capsys.readouterr().err


async def test_the_elapsed_time_comes_from_the_journal_so_it_survives_a_restart(
    make_app: AppFactory, seeded: str, clock: FrozenClock
) -> None:
    clock.advance(minutes=45, seconds=7)
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.header.header_view.elapsed == "0:45:07"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("minutes", "drafted", "css_class", "words"),
    [
        (10, True, None, "in 0:20:00"),
        (26, True, "-amber", "in 0:04:00"),
        (31, True, "-red", "OVERDUE by 0:01:00"),
        (14, False, "-amber", "due in 0:01:00"),
        (16, False, "-red", "OVERDUE by 0:01:00"),
    ],
)
async def test_the_escalation_timer_turns_amber_then_red(
    make_app: AppFactory,
    seeded: str,
    clock: FrozenClock,
    journal: Journal,
    minutes: int,
    drafted: bool,
    css_class: str | None,
    words: str,
) -> None:
    clock.advance(minutes=minutes - 1)
    if drafted:
        journal.append(seeded, ev.EventKind.STATUS_UPDATE_SENT, ev.StatusUpdateSent(number=1, text="x"))
    clock.advance(minutes=1)
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.screen.escalation  # type: ignore[attr-defined]
        assert words in panel.render().plain
        for name in ("-amber", "-red"):
            assert panel.has_class(name) == (name == css_class)


async def test_the_clock_moves_every_second(make_app: AppFactory, seeded: str, clock: FrozenClock) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clock.advance(minutes=3)
        header = app.screen.header  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: header.header_view.elapsed == "0:03:00")


async def test_a_failing_engine_says_so_and_keeps_the_last_snapshot(
    make_app: AppFactory, seeded: str, journal: Journal
) -> None:
    def unreachable() -> Evidence:
        raise ConnectionError("Cannot connect to the Docker daemon at unix:///var/run/docker.sock\nmore")

    app = make_app(seeded, source=unreachable)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        source = app.screen.services.query_one("#services-source").render().plain  # type: ignore[attr-defined]
        assert source.startswith(
            "engine unreachable: Cannot connect to the Docker daemon at unix:///var/run/docker.sock"
            " - last seen 0:00:00 ago (snapshot of 05:20:00)"
        )
        assert app.screen.services.has_class("-stale")  # type: ignore[attr-defined]
        assert app.screen.services.table.row_count == len(app.incident.evidence.services)  # type: ignore[union-attr]
        assert app.screen.header.header_view.engine_ok is False  # type: ignore[attr-defined]


async def test_a_failing_triage_is_journaled_and_the_last_triage_stays(
    make_app: AppFactory, seeded: str, journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise ValueError("runbook swarm.toml: bad regex")

    monkeypatch.setattr("maestro.triage.pipeline.rules_triage", broken)
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = app.incident.triage
        await pilot.press("t")
        await settle(pilot)
        assert journal.events(seeded)[-1].payload == ev.TriageFailed(
            engine="rules", reason="runbook swarm.toml: bad regex"
        )
        assert app.incident.triage == before
        assert any("rules triage failed" in n.message for n in app.toasts)
        assert "worker crash-looping" in "\n".join(option_texts(app.screen.checklist))  # type: ignore[attr-defined]


async def test_quitting_does_not_wait_for_a_stuck_engine(make_app: AppFactory, seeded: str) -> None:
    import threading
    import time

    release = threading.Event()

    def stuck() -> Evidence:
        release.wait(30)
        raise TimeoutError("gave up")

    app = make_app(seeded, source=stuck)
    started = time.monotonic()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        app.exit()
    assert time.monotonic() - started < 5
    release.set()


def test_seeded_helper_is_consistent(journal: Journal) -> None:
    incident_id = seed(journal)
    assert kinds(journal, incident_id) == ["incident_opened"]


class WatchedApp(MaestroApp):
    """The app, noting every triage, Claude or poll message that reaches it."""

    CSS_PATH = str(Path(tui.app.__file__).with_name("maestro.tcss"))
    reached: list[str]

    def on_triage_ready(self, message: msg.TriageReady) -> None:
        self.reached.append("triage")

    def on_evidence_polled(self, message: msg.EvidencePolled) -> None:
        self.reached.append("poll")

    def on_claude_answered(self, message: msg.ClaudeAnswered) -> None:
        self.reached.append("claude")


async def test_the_triage_and_the_polls_stay_in_the_incident_screen(
    journal: Journal, config: Config, clock: FrozenClock
) -> None:
    """The description's walk to the triage and a poll's walk to a row cross the app once: when it opens the
    session. Their messages are handled by the incident screen and never reach the app."""
    app = WatchedApp(
        journal=journal, config=config, new_context=demo.CONTEXT, evidence_source=demo_source(clock), clock=clock
    )
    app.reached = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.incident_screen
        assert screen is not None and screen.poller is not None
        await wait_until(pilot, lambda: screen.poller is not None and screen.poller.polls_started >= 2)
        await settle(pilot)
        assert [e.kind.value for e in journal.events(INCIDENT_ID)].count("triage_generated") == 2
        assert screen.latest is not None and screen.query_one("#services-table", DataTable).row_count == len(
            screen.latest.services
        )
    assert app.reached == []
