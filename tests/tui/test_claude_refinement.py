"""Claude refines the rules triage through the local fake of the Messages API; ticks survive the merge."""

from __future__ import annotations

import pytest

from maestro import demo
from maestro import events as ev
from maestro.config import Config
from maestro.journal import Journal
from maestro.model import Provenance
from tests import claude_samples as sample
from tests.fake_anthropic import FakeAnthropic, http_error, tool_call
from tests.fake_anthropic import fake_anthropic as fake_anthropic
from tests.tui.conftest import INCIDENT_ID, AppFactory, kinds, option_texts, settle, wait_until


@pytest.fixture
def claude_on(fake_anthropic: FakeAnthropic, config: Config, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-a-secret")
    config.claude = config.claude.model_copy(update={"base_url": fake_anthropic.base_url, "timeout_s": 10})
    return fake_anthropic


async def test_claude_refines_the_rules_triage_and_ticks_survive(
    make_app: AppFactory, journal: Journal, claude_on: FakeAnthropic
) -> None:
    claude_on.script(tool_call(sample.answer(), chunk_size=64, chunk_delay_s=0.05))
    app = make_app(new_context=demo.CONTEXT)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: "triage_generated" in kinds(journal, INCIDENT_ID))
        await pilot.pause()
        rules = journal.events(INCIDENT_ID)[-1].payload.triage  # type: ignore[attr-defined]
        await pilot.press("space")
        first = app.incident.ticked[0]
        assert first == rules.issues[0].id
        await pilot.pause(0.1)
        assert "Claude is refining the triage" in option_texts(app.screen.checklist)[0]  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: kinds(journal, INCIDENT_ID).count("triage_generated") == 2, timeout=15)
        await settle(pilot)
        last = journal.events(INCIDENT_ID)[-1]
        assert last.kind is ev.EventKind.TRIAGE_GENERATED
        merged = last.payload.triage  # type: ignore[attr-defined]
        assert merged.engine is Provenance.CLAUDE
        assert merged.issue(first) is not None and app.incident.is_ticked(first)
        shown = "\n".join(option_texts(app.screen.checklist))  # type: ignore[attr-defined]
        assert "API crash-looping since the 2.4.0 deploy" in shown
        assert "Claude is refining" not in shown
        assert app.screen.header.header_view.engine.startswith("triage claude")  # type: ignore[attr-defined]
        flush = next(i for i in merged.issues if i.title == "Redis memory near its limit")
        assert flush.fix[0].danger == "destructive", "danger comes from maestro.safety, not from the model"
    assert len(claude_on.requests) == 1


async def test_a_failing_claude_keeps_the_rules_triage(
    make_app: AppFactory, journal: Journal, claude_on: FakeAnthropic
) -> None:
    claude_on.script(http_error(529, "overloaded_error", "Overloaded"))
    app = make_app(new_context=demo.CONTEXT)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: "triage_failed" in kinds(journal, INCIDENT_ID), timeout=15)
        await settle(pilot)
        events = journal.events(INCIDENT_ID)
        assert [e.kind.value for e in events][-2:] == ["triage_generated", "triage_failed"]
        failed = events[-1].payload
        assert failed.engine == "claude" and "rules triage kept" in failed.reason  # type: ignore[attr-defined]
        assert app.incident.triage.engine is Provenance.RULES  # type: ignore[union-attr]
        assert option_texts(app.screen.checklist)[0] == failed.reason  # type: ignore[attr-defined]


async def test_without_a_key_nothing_is_sent(
    make_app: AppFactory, journal: Journal, fake_anthropic: FakeAnthropic, config: Config
) -> None:
    config.claude = config.claude.model_copy(update={"base_url": fake_anthropic.base_url})
    app = make_app(new_context=demo.CONTEXT)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await settle(pilot)
    assert kinds(journal, INCIDENT_ID)[-1] == "triage_generated"
    assert fake_anthropic.requests == []
