"""Claude in the screen, against the local fake of the Messages API: progress, merge, cancel, every failure.

The rules triage is on screen first; Claude's streams in with its issues counted as they arrive, merges
keeping every tick, or ends as one line (notification, checklist notice, timeline) with the rules triage kept.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from textual.pilot import Pilot

from maestro import demo
from maestro import events as ev
from maestro.config import Config
from maestro.journal import Journal
from maestro.model import Provenance, Triage
from maestro.triage.claude import CANCELLED
from maestro.triage.pipeline import rules_triage
from tests import claude_samples as sample
from tests.fake_anthropic import FakeAnthropic, Reply, http_error, slow, stream_error, tool_call
from tests.fake_anthropic import fake_anthropic as fake_anthropic
from tests.tui.conftest import INCIDENT_ID, AppFactory, FrozenClock, kinds, option_texts, settle, wait_until
from tui import actions
from tui.app import MaestroApp

KEY = "test-key-not-a-secret"
SLOW = {"chunk_size": 48, "chunk_delay_s": 0.15}
"""A stream that takes a few seconds, so the screen can be looked at while it arrives."""


@pytest.fixture
def claude_on(fake_anthropic: FakeAnthropic, config: Config, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    config.claude = config.claude.model_copy(update={"base_url": fake_anthropic.base_url, "timeout_s": 10})
    return fake_anthropic


def the_rules_triage(clock: FrozenClock) -> Triage:
    """What the app's rules triage will be: the same engine on the same demo evidence at the same time."""
    return rules_triage(demo.CONTEXT, demo.evidence(clock()), Config(), clock())


def refining(rules: Triage) -> dict[str, Any]:
    """Claude's answer: the second rules issue refined, the others left out, one issue of its own."""
    answer = sample.answer()
    refined, new = answer["issues"][0], answer["issues"][1]
    refined.update(
        matches_draft_id=rules.issues[1].id,
        runbook_id=rules.issues[1].runbook_id,
        subject=rules.issues[1].subject,
        severity=str(rules.issues[1].severity),
        title="web 2.0 shipped without DATABASE_URL",
    )
    answer["issues"] = [refined, new]
    return answer


def notice(app: MaestroApp) -> str:
    shown = option_texts(app.screen.checklist) if app.incident_screen else []  # type: ignore[attr-defined]
    return shown[0] if shown else ""


def engine(app: MaestroApp) -> str:
    return app.screen.header.header_view.engine  # type: ignore[attr-defined]


def messages(app: MaestroApp) -> list[str]:
    return [n.message for n in app.toasts]


def footer_keys(app: MaestroApp) -> set[str]:
    return {binding.binding.action for binding in app.active_bindings.values() if binding.enabled}


async def claude_streaming(pilot: Pilot[None], app: MaestroApp) -> None:
    await wait_until(pilot, lambda: notice(app).startswith("Claude is refining the triage"), timeout=10)


async def test_progress_then_merge_keeps_every_tick(
    make_app: AppFactory, journal: Journal, claude_on: FakeAnthropic, clock: FrozenClock
) -> None:
    rules = the_rules_triage(clock)
    claude_on.script(tool_call(refining(rules), **SLOW))
    app = make_app(new_context=demo.CONTEXT)
    async with app.run_test(size=(160, 48)) as pilot:
        await claude_streaming(pilot, app)
        assert app.incident.triage == rules, "the rules triage is on screen while Claude streams"  # type: ignore[union-attr]
        await pilot.press("space", "down", "space")
        ticked = list(app.incident.ticked)  # type: ignore[union-attr]
        assert ticked == [rules.issues[0].id, rules.issues[1].id]

        await wait_until(pilot, lambda: "1 issue so far: web 2.0 shipped" in notice(app), timeout=10)
        assert notice(app).endswith("(esc cancels)")
        assert engine(app).startswith("triage rules · claude: 1 issue so far…")
        assert "cancel_claude" in footer_keys(app)
        await wait_until(pilot, lambda: "2 issues so far" in notice(app), timeout=10)
        assert "Database not answering on 5432" in notice(app)

        await wait_until(pilot, lambda: kinds(journal, INCIDENT_ID).count("triage_generated") == 2, timeout=15)
        await settle(pilot)
        merged_event = journal.events(INCIDENT_ID)[-1]
        merged = merged_event.payload.triage  # type: ignore[attr-defined]
        kept = len(rules.issues) - 1
        assert merged_event.payload.summary == f"+1 issue; 1 issue refined; {kept} rules issues kept"  # type: ignore[attr-defined]
        assert merged.engine is Provenance.CLAUDE
        for item in ticked:
            assert app.incident.is_ticked(item) and merged.issue(item) is not None  # type: ignore[union-attr]
        assert merged.issue(rules.issues[1].id).title == "web 2.0 shipped without DATABASE_URL"
        shown = option_texts(app.screen.checklist)  # type: ignore[attr-defined]
        assert "[x] web 2.0 shipped without DATABASE_URL" in "\n".join(shown)
        assert not any(line.startswith("Claude is refining") for line in shown)
        assert engine(app).startswith("triage claude · ")
        assert "cancel_claude" not in footer_keys(app)
        timeline = app.incident.timeline[-1].text  # type: ignore[union-attr]
        assert timeline.endswith(f"({merged_event.payload.summary})")  # type: ignore[attr-defined]
        assert f"+1 issue; 1 issue refined; {kept} rules issues kept" in messages(app)
    assert len(claude_on.requests) == 1


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def invalid(answer: dict[str, Any]) -> dict[str, Any]:
    del answer["issues"][1]["title"]
    return answer


FAILURES: list[Any] = [
    pytest.param([http_error(401, "authentication_error", "invalid x-api-key")], "HTTP 401 invalid API key", id="401"),
    pytest.param([http_error(403, "permission_error")], "HTTP 403 permission denied", id="403"),
    pytest.param(
        [http_error(429, "rate_limit_error", headers={"retry-after": "1"})] * 2,
        "HTTP 429 rate limited, retry after 1 s",
        id="429",
    ),
    pytest.param([http_error(529, "overloaded_error", "Overloaded")] * 2, "HTTP 529 overloaded", id="529"),
    pytest.param([http_error(500, "api_error")] * 2, "HTTP 500 server error", id="500"),
    pytest.param([http_error(503, "api_error")] * 2, "HTTP 503 server error", id="503"),
    pytest.param([slow(5)], "no answer within 0.5 s", id="timeout"),
    pytest.param([], "cannot connect to http://127.0.0.1:", id="connection-refused"),
    pytest.param([stream_error(sample.answer(), after_chunks=3)], "stream error: overloaded_error", id="error-event"),
    pytest.param([tool_call('{"severity": }')] * 2, "invalid JSON", id="invalid-json"),
    pytest.param([tool_call(invalid(sample.answer()))] * 2, "issues.1.title: Field required", id="schema-mismatch"),
]


@pytest.mark.parametrize(("replies", "words"), FAILURES)
async def test_every_failure_keeps_the_rules_triage_and_says_so_in_one_line(
    make_app: AppFactory,
    journal: Journal,
    claude_on: FakeAnthropic,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
    replies: list[Reply],
    words: str,
) -> None:
    if replies:
        claude_on.script(*replies)
    else:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{closed_port()}")
    if words.startswith("no answer"):
        config.claude = config.claude.model_copy(update={"timeout_s": 0.5})
    app = make_app(new_context=demo.CONTEXT)
    retries_seen: list[str] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: "triage_generated" in kinds(journal, INCIDENT_ID))
        await pilot.pause()
        await pilot.press("space")

        def failed() -> bool:
            if "retrying in" in notice(app):
                retries_seen.append(notice(app))
            return "triage_failed" in kinds(journal, INCIDENT_ID)

        await wait_until(pilot, failed, timeout=15)
        await settle(pilot)
        events = journal.events(INCIDENT_ID)
        assert [kind for kind in kinds(journal, INCIDENT_ID) if kind != "item_ticked"][-2:] == [
            "triage_generated",
            "triage_failed",
        ]
        failure = next(e.payload for e in events if e.kind is ev.EventKind.TRIAGE_FAILED)
        assert failure.engine == "claude"  # type: ignore[attr-defined]
        reason = failure.reason  # type: ignore[attr-defined]
        assert words in reason and reason.endswith(": rules triage kept") and "\n" not in reason
        rules = [e.payload for e in events if e.kind is ev.EventKind.TRIAGE_GENERATED][-1]
        assert app.incident.triage == rules.triage  # type: ignore[attr-defined,union-attr]
        assert app.incident.triage.engine is Provenance.RULES  # type: ignore[union-attr]
        assert app.incident.ticked == [rules.triage.issues[0].id]  # type: ignore[attr-defined,union-attr]
        assert notice(app) == reason
        assert messages(app).count(reason) == 1
        assert [entry.text for entry in app.incident.timeline].count(reason) == 1  # type: ignore[union-attr]
        assert engine(app).startswith("triage rules · ")
        assert "cancel_claude" not in footer_keys(app)
        assert app.is_running
    if words.startswith("HTTP 429"):
        assert retries_seen and "retrying in 1 s" in retries_seen[0]


async def test_esc_cancels_claude_and_the_timeline_says_so(
    make_app: AppFactory, journal: Journal, claude_on: FakeAnthropic, clock: FrozenClock
) -> None:
    claude_on.script(tool_call(refining(the_rules_triage(clock)), chunk_size=16, chunk_delay_s=0.2))
    app = make_app(new_context=demo.CONTEXT)
    async with app.run_test(size=(160, 48)) as pilot:
        await claude_streaming(pilot, app)
        rules = app.incident.triage  # type: ignore[union-attr]
        await pilot.press("escape")
        await pilot.pause()
        last = journal.events(INCIDENT_ID)[-1]
        assert last.payload == ev.TriageFailed(engine="claude", reason=CANCELLED)
        assert CANCELLED == "Claude triage cancelled: rules triage kept"
        assert notice(app) == CANCELLED
        assert CANCELLED in messages(app)
        assert engine(app).startswith("triage rules · ")
        await wait_until(pilot, lambda: claude_on.disconnects >= 1, timeout=5)
        await pilot.pause(0.5)
        assert kinds(journal, INCIDENT_ID).count("triage_generated") == 2, "the description's, then the evidence's"
        assert app.incident.triage == rules  # type: ignore[union-attr]


async def test_esc_goes_to_a_dialog_or_the_filter_first(
    make_app: AppFactory, journal: Journal, claude_on: FakeAnthropic, clock: FrozenClock
) -> None:
    claude_on.script(tool_call(refining(the_rules_triage(clock)), chunk_size=16, chunk_delay_s=0.1))
    app = make_app(new_context=demo.CONTEXT)
    async with app.run_test(size=(160, 48)) as pilot:
        await claude_streaming(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "TextPrompt"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.incident_screen
        await pilot.press("slash")
        await pilot.pause()
        assert app.screen.services.has_class("-filtering")  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.services.has_class("-filtering")  # type: ignore[attr-defined]
        assert "triage_failed" not in kinds(journal, INCIDENT_ID)
        assert notice(app).startswith("Claude is refining the triage")
        await wait_until(pilot, lambda: kinds(journal, INCIDENT_ID).count("triage_generated") == 2, timeout=20)


async def test_the_palette_offers_cancel_only_while_claude_streams(
    make_app: AppFactory, journal: Journal, claude_on: FakeAnthropic, clock: FrozenClock
) -> None:
    claude_on.script(tool_call(refining(the_rules_triage(clock)), chunk_size=16, chunk_delay_s=0.2))
    app = make_app(new_context=demo.CONTEXT)
    async with app.run_test(size=(160, 48)) as pilot:
        titles = [a.description for a in actions.for_palette() if app.palette_offers(a)]
        assert "Cancel Claude triage (the rules triage stays)" not in titles
        await claude_streaming(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"cancel claude")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "triage_failed" in kinds(journal, INCIDENT_ID))
        assert journal.events(INCIDENT_ID)[-1].payload == ev.TriageFailed(engine="claude", reason=CANCELLED)


async def test_t_runs_the_rules_triage_then_claude_again(
    make_app: AppFactory, journal: Journal, claude_on: FakeAnthropic, clock: FrozenClock
) -> None:
    answer = refining(the_rules_triage(clock))
    claude_on.script(tool_call(answer), tool_call(answer))
    app = make_app(new_context=demo.CONTEXT)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: kinds(journal, INCIDENT_ID).count("triage_generated") == 3, timeout=15)
        await pilot.press("space")
        ticked = app.incident.ticked[0]  # type: ignore[union-attr]
        await pilot.press("t")
        await wait_until(pilot, lambda: kinds(journal, INCIDENT_ID).count("triage_generated") == 5, timeout=15)
        await settle(pilot)
        engines = [
            e.payload.triage.engine  # type: ignore[attr-defined]
            for e in journal.events(INCIDENT_ID)
            if e.kind is ev.EventKind.TRIAGE_GENERATED
        ]
        # the description's triage, the evidence's, Claude's; then `t`: the rules again and Claude again
        assert engines == [Provenance.RULES, Provenance.RULES, Provenance.CLAUDE, Provenance.RULES, Provenance.CLAUDE]
        assert app.incident.is_ticked(ticked)  # type: ignore[union-attr]
    assert len(claude_on.requests) == 2


async def test_quitting_while_claude_streams_does_not_wait(
    make_app: AppFactory, journal: Journal, claude_on: FakeAnthropic, clock: FrozenClock
) -> None:
    claude_on.script(tool_call(refining(the_rules_triage(clock)), chunk_size=8, chunk_delay_s=0.5))
    app = make_app(new_context=demo.CONTEXT)
    async with app.run_test(size=(160, 48)) as pilot:
        await claude_streaming(pilot, app)
        started = time.monotonic()
        app.exit()
    assert time.monotonic() - started < 2
    deadline = time.monotonic() + 5
    while claude_on.disconnects == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert claude_on.disconnects >= 1, "the stream is closed, not left running"
    assert kinds(journal, INCIDENT_ID)[-1] == "triage_generated"


async def test_without_a_key_nothing_is_sent_and_nothing_is_said(
    make_app: AppFactory, journal: Journal, fake_anthropic: FakeAnthropic, config: Config
) -> None:
    config.claude = config.claude.model_copy(update={"base_url": fake_anthropic.base_url})
    app = make_app(new_context=demo.CONTEXT)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert kinds(journal, INCIDENT_ID)[-1] == "triage_generated"
        assert engine(app).startswith("triage rules · ")
        assert not notice(app).startswith("Claude")
        assert not [m for m in messages(app) if "Claude" in m]
        assert "cancel_claude" not in footer_keys(app)
    assert fake_anthropic.requests == []
