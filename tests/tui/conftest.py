"""A real journal in a temp folder, a frozen clock, the demo evidence, and an app factory."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import OptionList

from maestro import demo
from maestro import events as ev
from maestro.collect.source import EvidenceSource, demo_source
from maestro.config import Config
from maestro.journal import Journal
from maestro.model import (
    Command,
    Danger,
    Evidence,
    IncidentContext,
    Prevention,
    Severity,
    SystemStatus,
    Triage,
    TriageIssue,
)
from tui.app import MaestroApp
from tui.screens.incident import IncidentScreen

OPENED = datetime(2026, 11, 26, 5, 20, tzinfo=UTC)
ACTOR = "ana@node1"
INCIDENT_ID = "INC-20261126-0520-beef"


class FrozenClock:
    """Stands still until a test moves it."""

    def __init__(self, now: datetime = OPENED) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def _issue(
    issue_id: str, severity: Severity, title: str, fix: list[Command], rollback: list[Command] | None = None
) -> TriageIssue:
    runbook, _, subject = issue_id.partition(":")
    return TriageIssue(
        id=issue_id,
        runbook_id=runbook,
        subject=subject,
        severity=severity,
        title=title,
        summary=f"{title}: one-line summary",
        symptoms=[f"{subject} keeps failing"],
        root_cause=f"root cause of {title}",
        evidence=[f"signal about {subject}"],
        fix=fix,
        verify=[Command(text=f"docker service ps {subject}", purpose="see the tasks", danger=Danger.READ_ONLY)],
        rollback=rollback or [],
        time_to_fix_min=5,
        owner="On-call engineer",
        escalate_if="Not resolved in 10 minutes",
    )


def hand_triage() -> Triage:
    """A triage made by hand, so the tests do not depend on what the runbooks say today."""
    return Triage(
        severity=Severity.P0,
        system_status=SystemStatus.DEGRADED,
        user_impact="checkout fails for most users",
        primary_cause="web v2 deploy without DATABASE_URL",
        issues=[
            _issue(
                "swarm.crash_loop:worker",
                Severity.P0,
                "worker crash-looping",
                [Command(text="docker service update --force worker", purpose="restart", danger=Danger.MUTATING)],
                [Command(text="docker service rollback worker", purpose="revert", danger=Danger.MUTATING)],
            ),
            _issue(
                "swarm.oom_killed:cache",
                Severity.P1,
                "cache OOM-killed",
                [
                    Command(
                        text="docker exec $(docker ps -q -f name=redis) redis-cli FLUSHALL",
                        purpose="free memory",
                        danger=Danger.DESTRUCTIVE,
                    )
                ],
            ),
            _issue(
                "swarm.unschedulable:pending",
                Severity.P2,
                "pending cannot be scheduled",
                [Command(text="docker node ls", purpose="list nodes", danger=Danger.READ_ONLY)],
            ),
        ],
        prevention=Prevention(immediate=["alert on crash loops"]),
        eta_minutes=15,
        generated_at=OPENED,
    )


def seed(
    journal: Journal,
    *,
    context: IncidentContext = demo.CONTEXT,
    triage: Triage | None = None,
    evidence: Evidence | None = None,
) -> str:
    """An incident as a triage run would leave it: opened, evidence captured, triage generated."""
    incident_id = journal.open_incident(context).incident_id
    if evidence is not None:
        journal.append(incident_id, ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence))
    if triage is not None:
        journal.append(incident_id, ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage))
    return incident_id


@pytest.fixture(autouse=True)
def fixed_incident_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("maestro.journal._new_incident_id", lambda at: INCIDENT_ID)


@pytest.fixture(autouse=True)
def no_claude(monkeypatch: pytest.MonkeyPatch) -> None:
    """Claude stays off unless a test points it at the local fake API."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite3"


@pytest.fixture
def journal(journal_path: Path, clock: FrozenClock) -> Iterator[Journal]:
    with Journal.open(journal_path, clock=clock, actor=ACTOR) as opened:
        yield opened


@pytest.fixture
def config() -> Config:
    return Config()


@pytest.fixture
def seeded(journal: Journal, clock: FrozenClock) -> str:
    """The demo incident with a hand-made triage and the demo evidence, already journaled."""
    return seed(journal, triage=hand_triage(), evidence=demo.evidence(clock()))


AppFactory = Callable[..., MaestroApp]


@pytest.fixture
def make_app(journal: Journal, config: Config, clock: FrozenClock, tmp_path: Path) -> AppFactory:
    def make(
        incident_id: str | None = None,
        *,
        new_context: IncidentContext | None = None,
        demo_engine: bool = True,
        source: EvidenceSource | None = None,
        poll_interval_s: float | None = None,
    ) -> MaestroApp:
        """The app on the test journal; evidence from `source`, else the demo snapshot unless demo_engine=False."""
        app = MaestroApp(
            journal=journal,
            config=config
            if poll_interval_s is None
            else config.model_copy(update={"poll_interval_s": poll_interval_s}),
            incident_id=incident_id,
            evidence_source=source or (demo_source(clock) if demo_engine else None),
            clock=clock,
            new_context=new_context,
        )
        app.reports_root = tmp_path / "reports"
        return app

    return make


def on_screen(app: MaestroApp) -> IncidentScreen:
    """The app's incident screen (the test fails when there is none)."""
    screen = app.incident_screen
    assert screen is not None, "no incident screen"
    return screen


def kinds(journal: Journal, incident_id: str) -> list[str]:
    """The incident's event kinds, but the escalation rules' firings: those come on the clock's own time."""
    fired = ev.EventKind.ESCALATION_RULE_FIRED
    return [event.kind.value for event in journal.events(incident_id) if event.kind is not fired]


async def settle(pilot: Pilot[None]) -> None:
    """Let the workers finish and the screen catch up."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def option_texts(option_list: OptionList) -> list[str]:
    prompts = [option.prompt for option in option_list.options]
    return [prompt.plain if isinstance(prompt, Text) else str(prompt) for prompt in prompts]


def highlight(option_list: OptionList, option_id: str) -> None:
    option_list.highlighted = option_list.get_option_index(option_id)


_SVG_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" clip-path="url\(#[^)]*-line-(\d+)\)">(.*?)</text>'
)


def svg_text(svg: str) -> str:
    """The characters of a Textual SVG screenshot, one line per screen row."""
    rows: dict[int, list[tuple[float, str]]] = {}
    for match in _SVG_TEXT.finditer(svg):
        rows.setdefault(int(match.group(2)), []).append((float(match.group(1)), html.unescape(match.group(3))))
    return "\n".join("".join(text for _, text in sorted(rows[line])).replace("\xa0", " ") for line in sorted(rows))


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Pause until `condition` holds; fail after `timeout` seconds (a loaded machine can be slow)."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition(), f"not true after {timeout} s"
