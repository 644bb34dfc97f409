"""SVG snapshots of the states a person meets, grouped by feature; frozen clock, recorded evidence.

Update with `pytest tests/tui/test_snapshots.py --snapshot-update` and look at the SVGs under __snapshots__.
Every app is the real one on a real journal; the demo evidence (maestro/demo/evidence.json) is the swarm,
a hand-made triage (conftest.hand_triage) the incident's triage, and the fake Messages API is Claude.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from maestro import demo
from maestro import events as ev
from maestro.config import Config
from maestro.journal import Journal
from maestro.model import Evidence, IncidentContext, Signal, SignalKind
from tests.fake_anthropic import FakeAnthropic, http_error, tool_call
from tests.fake_anthropic import fake_anthropic as fake_anthropic
from tests.tui.conftest import INCIDENT_ID, AppFactory, FrozenClock, kinds, on_screen, option_texts, wait_until
from tui.app import MaestroApp
from tui.screens.incident import IncidentScreen

Snap = Callable[..., bool]
GRID = (160, 48)
SMALL = (80, 24)
MEDIUM = (120, 40)
UNREACHABLE = "no Docker engine at unix:///run/docker.sock: the socket does not exist (start dockerd)"


async def ready(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def past_a_second(pilot: Pilot[None]) -> None:
    """Ready, after the app's each-second beat has run once (it journals the escalation rules that fired)."""
    await ready(pilot)
    await pilot.pause(1.2)
    await ready(pilot)


async def steady(pilot: Pilot[None]) -> None:
    """Ready, with every text box's cursor shown without blinking (a blink would make two screens)."""
    await ready(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


def pressing(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Ready, then these keys, then steady."""

    async def run(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press(*keys)
        await steady(pilot)

    return run


def screen_of(app: MaestroApp) -> IncidentScreen:
    screen = app.incident_screen
    assert screen is not None
    return screen


def on_service(service: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Ready, with the services table focused and its cursor on `service`."""

    async def run(pilot: Pilot[None]) -> None:
        await ready(pilot)
        table = screen_of(pilot.app).services.table  # type: ignore[arg-type]
        table.focus()
        table.move_cursor(row=table.get_row_index(service))
        await pilot.pause()

    return run


# --- the six panes, one at a time on a small terminal, and all of them on a big one ----------------------------

PANE_TABS = {"checklist": 0, "recovery": 1, "escalation": 2, "services": 3, "commands": 4, "timeline": 5}


@pytest.mark.parametrize("pane", list(PANE_TABS))
def test_panes_each_pane_at_80x24(
    snap_compare: Snap, make_app: AppFactory, seeded: str, clock: FrozenClock, pane: str
) -> None:
    clock.advance(minutes=12, seconds=30)
    press = ["tab"] * PANE_TABS[pane]
    assert snap_compare(make_app(seeded), press=press, terminal_size=SMALL, run_before=ready)


def test_panes_all_six_in_the_grid(snap_compare: Snap, make_app: AppFactory, seeded: str, clock: FrozenClock) -> None:
    clock.advance(minutes=12, seconds=30)
    assert snap_compare(make_app(seeded), press=["space", "down"], terminal_size=GRID, run_before=ready)


# --- the engine ---------------------------------------------------------------------------------------------------


class EngineThatGoes:
    """Answers with the demo swarm until it is `gone`, then cannot be reached."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock, self.polls, self.gone = clock, 0, False

    def __call__(self) -> Evidence:
        self.polls += 1
        if not self.gone:
            return demo.evidence(self.clock()).model_copy(update={"source": "swarm", "engine": "Docker 27 (API 1.47)"})
        now = self.clock()
        signal = Signal(kind=SignalKind.ENGINE_UNREACHABLE, subject="", detail=UNREACHABLE, observed_at=now)
        return Evidence(collected_at=now, source="swarm", errors=[UNREACHABLE], signals=[signal])


def test_engine_unreachable_keeps_the_stale_snapshot_with_its_age(
    snap_compare: Snap, make_app: AppFactory, seeded: str, clock: FrozenClock
) -> None:
    engine = EngineThatGoes(clock)
    app = make_app(seeded, source=engine, poll_interval_s=0.1)

    async def gone(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: engine.polls >= 1 and on_screen(app).latest is not None)
        panel = screen_of(app).services
        clock.advance(minutes=1, seconds=35)
        engine.gone = True
        await wait_until(pilot, lambda: panel.has_class("-stale"))
        on_screen(app).poller.stop()
        await ready(pilot)

    assert snap_compare(app, terminal_size=GRID, run_before=gone)


def test_engine_none_for_this_session(snap_compare: Snap, make_app: AppFactory, journal: Journal) -> None:
    app = make_app(new_context=demo.CONTEXT, demo_engine=False)
    assert snap_compare(app, terminal_size=MEDIUM, run_before=past_a_second)


# --- services: filter, tasks, logs --------------------------------------------------------------------------------


def test_services_filter_open(snap_compare: Snap, make_app: AppFactory, seeded: str) -> None:
    assert snap_compare(make_app(seeded), terminal_size=MEDIUM, run_before=pressing("slash", *"cach"))


def test_services_tasks_screen(snap_compare: Snap, make_app: AppFactory, seeded: str) -> None:
    assert snap_compare(make_app(seeded), press=["enter"], terminal_size=MEDIUM, run_before=on_service("worker"))


def test_services_logs_screen(snap_compare: Snap, make_app: AppFactory, seeded: str) -> None:
    assert snap_compare(make_app(seeded), press=["l"], terminal_size=MEDIUM, run_before=on_service("worker"))


# --- Claude ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def claude_on(fake_anthropic: FakeAnthropic, config: Config, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-a-secret")
    config.claude = config.claude.model_copy(update={"base_url": fake_anthropic.base_url, "timeout_s": 10})
    return fake_anthropic


def two_titles_then_silence(answer: dict[str, object]) -> dict[str, object]:
    """Stream options that send Claude's answer up to its second issue's title, then hold the stream open."""
    payload = json.dumps(answer)
    second = payload.index('"title"', payload.index('"title"') + 1)
    end = payload.index('",', second + len('"title": "')) + 1
    return {"chunk_size": end, "stall_after_chunks": 1}


def test_claude_streaming(snap_compare: Snap, make_app: AppFactory, journal: Journal, claude_on: FakeAnthropic) -> None:
    from tests import claude_samples as sample

    answer = sample.answer()
    claude_on.script(tool_call(answer, **two_titles_then_silence(answer)))  # type: ignore[arg-type]
    app = make_app(new_context=demo.CONTEXT)

    async def streaming(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: "triage_generated" in kinds(journal, INCIDENT_ID))
        checklist = screen_of(app).checklist
        await wait_until(pilot, lambda: "2 issues so far" in option_texts(checklist)[0], timeout=20)
        await pilot.pause(1.2)

    assert snap_compare(app, terminal_size=GRID, run_before=streaming)


def test_claude_overloaded_keeps_the_rules_triage(
    snap_compare: Snap, make_app: AppFactory, journal: Journal, claude_on: FakeAnthropic
) -> None:
    claude_on.script(*[http_error(529, "overloaded_error", "Overloaded")] * 2)
    app = make_app(new_context=demo.CONTEXT)

    async def failed(pilot: Pilot[None]) -> None:
        await wait_until(pilot, lambda: "triage_failed" in kinds(journal, INCIDENT_ID), timeout=20)
        await past_a_second(pilot)

    assert snap_compare(app, terminal_size=GRID, run_before=failed)


# --- escalation -----------------------------------------------------------------------------------------------------


def test_escalation_due_soon_is_amber(
    snap_compare: Snap, make_app: AppFactory, seeded: str, clock: FrozenClock
) -> None:
    clock.advance(minutes=27)
    assert snap_compare(make_app(seeded), terminal_size=MEDIUM, run_before=ready)


def test_escalation_overdue_is_red(snap_compare: Snap, make_app: AppFactory, seeded: str, clock: FrozenClock) -> None:
    clock.advance(minutes=33, seconds=10)
    assert snap_compare(make_app(seeded), terminal_size=MEDIUM, run_before=ready)


def test_escalation_confirm(snap_compare: Snap, make_app: AppFactory, seeded: str, clock: FrozenClock) -> None:
    clock.advance(minutes=33)
    assert snap_compare(make_app(seeded), press=["e"], terminal_size=MEDIUM, run_before=ready)


# --- the incident's life: intake, severity, notes, status updates, copying, resolving, leaving --------------------


def test_lifecycle_intake_form(snap_compare: Snap, make_app: AppFactory) -> None:
    assert snap_compare(make_app(), terminal_size=MEDIUM, run_before=pressing(*"queue down"))


def test_lifecycle_severity_dialog(snap_compare: Snap, make_app: AppFactory, seeded: str) -> None:
    assert snap_compare(make_app(seeded), press=["s"], terminal_size=MEDIUM, run_before=ready)


def test_lifecycle_note_prompt(snap_compare: Snap, make_app: AppFactory, seeded: str) -> None:
    assert snap_compare(make_app(seeded), terminal_size=MEDIUM, run_before=pressing("n", *"rolled back web"))


def test_lifecycle_status_update(snap_compare: Snap, make_app: AppFactory, seeded: str, clock: FrozenClock) -> None:
    clock.advance(minutes=14)
    assert snap_compare(make_app(seeded), press=["u"], terminal_size=MEDIUM, run_before=ready)


def test_lifecycle_copy_a_destructive_command_asks_first(snap_compare: Snap, make_app: AppFactory, seeded: str) -> None:
    async def flushall(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(make_app(seeded), press=["c"], terminal_size=MEDIUM, run_before=flushall)


def test_lifecycle_issue_card(snap_compare: Snap, make_app: AppFactory, seeded: str) -> None:
    assert snap_compare(make_app(seeded), press=["down", "enter"], terminal_size=MEDIUM, run_before=ready)


def test_lifecycle_resolved_incident(
    snap_compare: Snap, make_app: AppFactory, seeded: str, journal: Journal, clock: FrozenClock
) -> None:
    clock.advance(minutes=41)
    journal.append(seeded, ev.EventKind.RESOLVED, ev.Resolved(resolution="rolled back web to v1"))
    clock.advance(minutes=5)
    assert snap_compare(make_app(seeded), terminal_size=GRID, run_before=ready)


def test_lifecycle_export_before_leaving(snap_compare: Snap, make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    app.reports_root = Path("/var/lib/maestro/reports")
    assert snap_compare(app, press=["q"], terminal_size=MEDIUM, run_before=ready)


# --- finding your way: help and the palette -----------------------------------------------------------------------


def test_help_every_key(snap_compare: Snap, make_app: AppFactory, seeded: str) -> None:
    assert snap_compare(make_app(seeded), press=["question_mark"], terminal_size=GRID, run_before=ready)


def test_help_palette(snap_compare: Snap, make_app: AppFactory, seeded: str) -> None:
    async def searched(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("ctrl+p", *"esc")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
        results = pilot.app.screen.query_one(OptionList)
        await wait_until(pilot, lambda: results.option_count >= 3)
        await pilot.pause(0.3)
        await steady(pilot)

    assert snap_compare(make_app(seeded), terminal_size=MEDIUM, run_before=searched)


def test_hostile_description_stays_literal(snap_compare: Snap, make_app: AppFactory, journal: Journal) -> None:
    told = IncidentContext(description="[bold red]pwned[/] \x1b[31mred\x1b[0m checkout down")
    assert snap_compare(make_app(new_context=told), terminal_size=MEDIUM, run_before=past_a_second)
