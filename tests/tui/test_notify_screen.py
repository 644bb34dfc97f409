"""The screen sends: status updates (edited, channels chosen, confirmed), escalations and resolutions, to a
local HTTP server, in a worker; the escalation pane shows the rule that fired and both decision trees."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import SelectionList
from textual.worker import WorkerState

from maestro import events as ev
from maestro.config import Config
from maestro.journal import Journal
from maestro.model import EscalationContact, Severity
from maestro.notify.channel import ChannelKind, NotifyChannel
from tests.http_sink import Answer, HttpSink, closed_port_url
from tests.tui.conftest import AppFactory, FrozenClock, hand_triage, seed, settle, wait_until
from tui.app import MaestroApp
from tui.screens.conditions import ConditionsDialog
from tui.screens.dialogs import ConfirmDialog, TextPrompt
from tui.screens.status_update import StatusUpdateDialog

RULE = "Escalate now → Infrastructure Manager: multiple services failing (cache, db, ghost, pending, worker)"


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    with HttpSink() as server:
        yield server


@pytest.fixture
def config(sink: HttpSink) -> Config:
    chain = [
        EscalationContact(role="On-Call Engineer"),
        EscalationContact(role="Team Lead", after_minutes={Severity.P0: 30, Severity.P1: 60}),
        EscalationContact(role="Infrastructure Manager", name="Sam", notify="ops-webhook"),
        EscalationContact(role="CTO", after_minutes={Severity.P0: 240}),
    ]
    channels = [
        NotifyChannel(name="incidents", kind=ChannelKind.SLACK, url=sink.url("/slack")),
        NotifyChannel(name="ops-webhook", kind=ChannelKind.WEBHOOK, url=sink.url("/hook")),
        NotifyChannel(name="pager", kind=ChannelKind.PAGERDUTY, url=sink.url("/pd"), routing_key="r" * 32),
    ]
    return Config(escalation=chain, notify=channels)


def toasts(app: MaestroApp) -> list[str]:
    return [n.message for n in app.toasts]


def pane_text(app: MaestroApp) -> str:
    screen = app.incident_screen
    assert screen is not None
    return screen.escalation.render().plain  # type: ignore[attr-defined]


async def test_the_escalation_pane_shows_the_rule_and_both_trees_and_the_firing_is_journaled_once(
    make_app: AppFactory, seeded: str, clock: FrozenClock
) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        text = pane_text(app)
        assert RULE in " ".join(text.split())
        assert "\nRoll back?     Continue fixing: open 0 min\n" in text
        assert "\nEscalate?      No escalation yet: open 0 min; Team Lead in 30 min\n" in text
        assert app.screen.header.header_view.next_escalation == "NOW → Infrastructure Manager"  # type: ignore[attr-defined]

        def fired() -> list[str]:
            events = app.journal.events(seeded)
            return [e.payload.rule for e in events if e.kind is ev.EventKind.ESCALATION_RULE_FIRED]  # type: ignore[attr-defined]

        await pilot.pause(1.2)  # one tick of the screen sees the rule hold from now on
        clock.advance(seconds=90)
        await pilot.pause(1.2)
        assert fired() == [], "journaled once it has held for two minutes"
        clock.advance(seconds=31)
        await wait_until(pilot, lambda: fired() == ["multiple_services"])
        clock.advance(seconds=5)
        await pilot.pause(1.2)
        assert fired() == ["multiple_services"]
        assert app.incident is not None and app.incident.timeline[-1].text.startswith("Escalation rule: multiple")


async def test_u_edit_choose_confirm_sends_the_edited_update(make_app: AppFactory, seeded: str, sink: HttpSink) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        dialog = app.screen
        assert isinstance(dialog, StatusUpdateDialog)
        channels = dialog.query_one(SelectionList)
        assert channels.selected == ["incidents", "ops-webhook"], "a status update does not page by default"
        await pilot.press(*" db team on it")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question == "Send this update to incidents, ops-webhook?"
        await pilot.press("y")
        await settle(pilot)
        await wait_until(pilot, lambda: bool(app.incident and app.incident.sent_updates))
        assert app.incident is not None
        (sent,) = app.incident.sent_updates
        assert sent.text.endswith("db team on it") and sent.channels == ["incidents", "ops-webhook"]
        assert sink.bodies("/slack")[0]["text"].endswith("db team on it")
        assert sink.bodies("/hook")[0]["text"] == sent.text and sink.bodies("/pd") == []
        timeline = [entry.text for entry in app.incident.timeline[-3:]]
        assert "Status update #1 sent (incidents, ops-webhook)" in timeline
        assert "incidents (slack): sent (HTTP 200)\nops-webhook (webhook): sent (HTTP 200)" in toasts(app)


async def test_e_notifies_the_contacts_channel(make_app: AppFactory, seeded: str, sink: HttpSink) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Notifies: ops-webhook (webhook)" in app.screen.detail
        await pilot.press("y")
        await settle(pilot)
        await wait_until(pilot, lambda: bool(app.incident and app.incident.notifications))
        (body,) = sink.bodies("/hook")
        assert body["kind"] == "escalation"
        assert body["text"].startswith("Escalation to Infrastructure Manager (Sam): multiple services failing")
        assert app.incident is not None
        assert [e.role for e in app.incident.escalations] == ["Infrastructure Manager"]
        assert app.incident.timeline[-1].text == "Sent escalation to ops-webhook"


async def test_resolving_notifies_every_channel_and_resolves_the_pager(
    make_app: AppFactory, seeded: str, sink: HttpSink
) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("r", "y", *"rolled back web", "enter")  # y: resolve although a P0 issue is open
        await settle(pilot)
        await wait_until(pilot, lambda: len(sink.received) == 3)
        assert sink.bodies("/slack")[0]["text"].splitlines()[2] == "Status: Resolved"
        assert sink.bodies("/pd")[0]["event_action"] == "resolve"
        await wait_until(pilot, lambda: bool(app.incident and app.incident.sent_updates))


async def test_a_dead_channel_fails_in_one_line_and_never_blocks_the_screen(
    make_app: AppFactory, seeded: str, sink: HttpSink, config: Config
) -> None:
    config.notify[0] = NotifyChannel(name="incidents", kind=ChannelKind.SLACK, url=closed_port_url(), attempts=1)
    config.notify[1] = config.notify[1].model_copy(update={"timeout_s": 4.0, "attempts": 1})
    sink.answers(Answer(delay_s=6))
    app = make_app(seeded)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("u", "ctrl+s", "y")

        def sending() -> bool:
            return [w.state for w in app.workers if w.group == "notify"] == [WorkerState.RUNNING]

        await wait_until(pilot, sending)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt), "the screen answers keys while the update is being sent"
        assert sending()
        await pilot.press("escape")
        await settle(pilot)
        await wait_until(pilot, lambda: len(toasts(app)) > 0)
        assert toasts(app)[-1] == (
            "incidents (slack): failed: connection refused\nops-webhook (webhook): failed: no answer within 4.0 s"
        )
        assert app.incident is not None and app.incident.sent_updates == []
        failed = [n for n in app.incident.notifications if not n.ok]
        assert [n.channel for n in failed] == ["incidents", "ops-webhook"]


async def test_a_reported_data_loss_escalates_now_to_the_cto(
    make_app: AppFactory, journal: Journal, clock: FrozenClock
) -> None:
    app = make_app(seed(journal, triage=hand_triage()), demo_engine=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert "Escalate now" not in pane_text(app)
        await pilot.press("exclamation_mark")
        assert isinstance(app.screen, ConditionsDialog)
        await pilot.press("down", "down", "space", "ctrl+s")
        await settle(pilot)
        assert app.incident is not None and app.incident.conditions == [ev.Condition.DATA_LOSS]
        assert "Escalate now → CTO: data loss occurred (reported) (+1 more)" in " ".join(pane_text(app).split())
        await pilot.press("exclamation_mark", "down", "down", "space", "ctrl+s")
        await settle(pilot)
        assert app.incident.conditions == []
        assert app.incident.timeline[-1].text == "Condition withdrawn: data loss"
