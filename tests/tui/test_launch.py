"""The command draws the panes first and opens the session (config, journal, incident) right after.

Pilot tests drive MaestroApp(request=...) in process; the pty tests run the real `maestro-tui` command
on a pseudo-terminal, as a person would: what is on the terminal, what is loaded when, the exit code.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Input

from bench.ptyrun import PtyProgram
from maestro import demo
from maestro.config import Config
from maestro.events import EventKind, TriageGenerated
from maestro.incident_ahead import IncidentAhead
from maestro.journal import Journal
from maestro.model import IncidentContext, Provenance
from maestro.session import Session, SessionRequest, open_session
from maestro.triage.pipeline import rules_triage
from maestro.utc import utc_now
from tests import claude_samples as sample
from tests.fake_anthropic import FakeAnthropic, tool_call
from tests.fake_anthropic import fake_anthropic as fake_anthropic
from tests.tui.conftest import INCIDENT_ID, FrozenClock, kinds, option_texts, settle, wait_until
from tui.app import MaestroApp
from tui.screens.incident import IncidentScreen
from tui.screens.intake import IntakeScreen

DEPLOY_500S = "API returns 500s since the deploy"

COMMAND = """
import sys
from tui.cli import main

raise SystemExit(main(sys.argv[1:]))
"""

SPY = """
import json
import sys
from pathlib import Path

from textual.drivers import linux_driver

report = Path(sys.argv.pop(1))
MARKER = sys.argv.pop(1)
write = linux_driver.LinuxDriver.write


def spy(driver, data):
    if MARKER in data and not report.exists():
        report.write_text(json.dumps(sorted(sys.modules)))
    write(driver, data)


linux_driver.LinuxDriver.write = spy
from tui.cli import main

raise SystemExit(main(sys.argv[1:]))
"""
"""The command, writing down which modules are loaded when a marker (argument 2) first reaches the terminal."""


TERMINAL_CODES = re.compile(r"\x1b\[[0-9;?<>=]*[A-Za-z]")
"""Mode switches the app writes as it leaves the alternate screen."""


def no_config(tmp_path: Path) -> dict[str, str | None]:
    return {"MAESTRO_CONFIG": str(tmp_path / "no-config.toml"), "ANTHROPIC_API_KEY": None}


def one_line_exit(program: PtyProgram) -> str:
    """The exit code must be 2 and the last thing on the terminal one line, after the screen is gone."""
    assert program.wait() == 2
    tail = program.output.rsplit(b"\x1b[?1049l", 1)[-1].decode()
    lines = [line for line in TERMINAL_CODES.sub("", tail).splitlines() if line.strip()]
    assert "Traceback" not in program.output.decode(errors="replace")
    assert len(lines) == 1, lines
    return lines[0]


def test_the_panes_are_on_the_terminal_before_the_core_is_loaded(tmp_path: Path) -> None:
    report = tmp_path / "modules.json"
    journal = tmp_path / "journal.sqlite3"
    program = PtyProgram(SPY, str(report), "Checklist", "--demo", "--journal", str(journal), env=no_config(tmp_path))
    try:
        program.read_until(b"Checklist")
        program.read_until(b"Crash loop")
    finally:
        program.stop()
    loaded = set(json.loads(report.read_text()))
    assert "textual" in loaded and "tui.app" in loaded
    assert not loaded & {"pydantic", "maestro.model", "maestro.journal", "maestro.config", "sqlite3"}
    with Journal.open(journal) as opened:
        assert kinds(opened, opened.incidents()[0].id)[-1] == "triage_generated"


@pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="needs fork, 2 cores")
def test_a_new_incidents_triage_reaches_the_terminal_before_the_screens_process_loads_the_core(tmp_path: Path) -> None:
    """The second process opened, triaged and journaled it: the checklist is drawn from its view, and the screen
    then resumes that one incident (no second one is opened)."""
    report = tmp_path / "modules.json"
    journal = tmp_path / "journal.sqlite3"
    env = no_config(tmp_path) | {"DOCKER_HOST": f"unix://{tmp_path}/nobody-listens.sock"}
    program = PtyProgram(SPY, str(report), "P0 CRITICAL", "--journal", str(journal), DEPLOY_500S, env=env)
    try:
        program.read_until(b"P0 CRITICAL")
        program.read_until(DEPLOY_500S.encode())  # the header, once the session is open
    finally:
        program.stop()
    loaded = set(json.loads(report.read_text()))
    assert not loaded & {"pydantic", "maestro.model", "maestro.journal", "sqlite3"}
    with Journal.open(journal) as opened:
        [incident] = opened.incidents()
        assert kinds(opened, incident.id)[:2] == ["incident_opened", "triage_generated"]


@pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="needs fork, 2 cores")
def test_a_resumed_incidents_checklist_reaches_the_terminal_before_the_screens_process_loads_the_core(
    tmp_path: Path,
) -> None:
    """The second process reads the incident the session will resume; nothing is written for it."""
    journal = tmp_path / "journal.sqlite3"
    with Journal.open(journal) as opened:
        incident_id = opened.open_incident(IncidentContext(description=DEPLOY_500S)).incident_id
        triage = rules_triage(IncidentContext(description=DEPLOY_500S), None, Config(), utc_now())
        opened.append(incident_id, EventKind.TRIAGE_GENERATED, TriageGenerated(triage=triage))
        before = kinds(opened, incident_id)
    report = tmp_path / "modules.json"
    program = PtyProgram(
        SPY, str(report), "P0 CRITICAL", "--journal", str(journal), "--no-docker", env=no_config(tmp_path)
    )
    try:
        program.read_until(b"P0 CRITICAL")
        program.read_until(f"Resumed {incident_id}".encode())
    finally:
        program.stop()
    assert not set(json.loads(report.read_text())) & {"pydantic", "maestro.model", "maestro.journal", "sqlite3"}
    with Journal.open(journal) as opened:
        assert [s.id for s in opened.incidents()] == [incident_id]
        assert kinds(opened, incident_id)[: len(before)] == before


def test_a_bad_config_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("poll_interval_s = 'fast'\n")
    args = ("--demo", "--journal", str(tmp_path / "j.sqlite3"), "--config", str(config))
    program = PtyProgram(COMMAND, *args, env=no_config(tmp_path))
    try:
        line = one_line_exit(program)
    finally:
        program.stop()
    assert line.startswith(f"maestro-tui: config {config}") and "poll_interval_s" in line


def test_a_corrupt_journal_is_one_line_and_left_untouched(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    journal.write_bytes(b"this is not a database at all" * 100)
    before = journal.read_bytes()
    program = PtyProgram(COMMAND, "--demo", "--journal", str(journal), env=no_config(tmp_path))
    try:
        line = one_line_exit(program)
    finally:
        program.stop()
    assert line.startswith(f"maestro-tui: journal {journal}")
    assert journal.read_bytes() == before


def test_an_unknown_incident_is_one_line(tmp_path: Path) -> None:
    args = ("--incident", "INC-nope", "--journal", str(tmp_path / "j.sqlite3"), "--no-docker")
    program = PtyProgram(COMMAND, *args, env=no_config(tmp_path))
    try:
        line = one_line_exit(program)
    finally:
        program.stop()
    assert line.startswith("maestro-tui: ") and "INC-nope" in line


# --- in process -------------------------------------------------------------------


async def test_the_session_opens_after_the_panes_are_up_and_says_what_it_resumed(
    journal: Journal, journal_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    incident_id = journal.open_incident(demo.CONTEXT).incident_id
    seen: list[bool] = []

    def watched(request: SessionRequest) -> Session:
        seen.append(isinstance(app.screen, IncidentScreen) and app.screen.is_mounted)
        return open_session(request)

    monkeypatch.setattr("tui.app.open_session", watched)
    app = MaestroApp(request=SessionRequest(journal_path=journal_path, use_docker=False), clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert seen == [True]
        assert app.incident is not None and app.incident.id == incident_id
        assert len([s for s in app.screen_stack if isinstance(s, IncidentScreen)]) == 1
        assert any(n.message.startswith(f"Resumed {incident_id}") for n in app.toasts)
        assert "triage_generated" in kinds(journal, incident_id)


async def test_a_session_that_cannot_open_ends_the_app_with_its_reason(clock: FrozenClock, tmp_path: Path) -> None:
    config = tmp_path / "maestro.toml"
    config.write_text("x = 1\n")
    app = MaestroApp(request=SessionRequest(config_path=config, journal_path=tmp_path / "j.sqlite3"), clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
    assert app.return_code == 2
    assert str(config) in app.open_error and "unknown key `x` (line 1)" in app.open_error


async def test_with_no_incident_to_resume_the_intake_form_comes_over_the_panes(
    journal: Journal, journal_path: Path, clock: FrozenClock
) -> None:
    app = MaestroApp(request=SessionRequest(journal_path=journal_path, use_docker=False), clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, IntakeScreen) and isinstance(app.focused, Input))
        await pilot.press(*"queue down", "ctrl+s")
        await wait_until(pilot, lambda: "triage_generated" in kinds(journal, INCIDENT_ID))
        await settle(pilot)
        assert isinstance(app.screen, IncidentScreen)
        assert len([s for s in app.screen_stack if isinstance(s, IncidentScreen)]) == 1
        assert app.incident is not None and app.incident.context.description == "queue down"


class HeldOpen(MaestroApp):
    """Opens the session only when the test says so: what is on screen before that can be looked at."""

    CSS_PATH = str(Path(__file__).parents[2] / "tui" / "maestro.tcss")
    held = True

    def _open_or_resume(self, context: IncidentContext | None = None) -> None:
        if not self.held:
            super()._open_or_resume(context)


def ahead_of(request: SessionRequest) -> SessionRequest:
    ahead = IncidentAhead.start(request)
    assert ahead is not None, "needs fork and a second core"
    return replace(request, ahead=ahead)


@pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="needs fork, 2 cores")
async def test_the_checklist_the_second_process_journaled_is_drawn_before_the_session_opens_then_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo incident, opened and triaged in the child: its checklist is on screen while the session is still
    to open; then the screen resumes that incident (no second one), the first evidence refines its triage, and a
    tick pressed on the early checklist is journaled once the incident is open."""
    monkeypatch.setenv("MAESTRO_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setattr("tui.app.AHEAD_WAIT_S", 60.0)  # however loaded the machine, the child's work is taken
    journal_path = tmp_path / "demo.sqlite3"
    request = ahead_of(SessionRequest(journal_path=journal_path, demo=True))
    app = HeldOpen(request=request)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.incident_screen
        assert screen is not None
        await wait_until(pilot, lambda: any("P0 CRITICAL" in line for line in option_texts(screen.checklist)), 60)
        assert app.incident is None, "the session is not open yet"
        early = screen.checklist.issue_id
        assert early is not None
        await pilot.press("space")
        app.held = False
        app._open_or_resume()
        await wait_until(pilot, lambda: "Crash loop (worker)" in "\n".join(option_texts(screen.checklist)), 20)
        await settle(pilot)
        incident = app.incident
        assert incident is not None and incident.is_ticked(early)
    assert request.ahead is not None and request.ahead.done
    journal = Journal.open(journal_path, actor="t@n")
    assert [s.id for s in journal.incidents()] == [incident.id]
    made = kinds(journal, incident.id)
    assert made[:2] == ["incident_opened", "triage_generated"], "the child's triage is journaled first"
    assert made.count("triage_generated") >= 2, "the first evidence refined it"
    assert "item_ticked" in made


async def test_before_the_session_opens_the_checklist_says_the_triage_is_running(tmp_path: Path) -> None:
    app = HeldOpen(
        request=SessionRequest(journal_path=tmp_path / "j.sqlite3", description="api down", use_docker=False)
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = app.incident_screen
        assert screen is not None and app.incident is None
        assert option_texts(screen.checklist) == ["Triage is running..."]


@pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="needs fork, 2 cores")
async def test_with_a_key_claude_refines_the_triage_the_second_process_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_anthropic: FakeAnthropic
) -> None:
    """No engine to wait for: the child's journaled triage is the one Claude is asked about, once, and merged."""
    monkeypatch.setenv("MAESTRO_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-a-secret")
    fake_anthropic.script(tool_call(sample.answer()))
    journal_path = tmp_path / "j.sqlite3"
    request = ahead_of(SessionRequest(journal_path=journal_path, description=DEPLOY_500S, use_docker=False))
    app = MaestroApp(request=request)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.incident is not None and app.incident.triage is not None, 60)
        await wait_until(pilot, lambda: app.incident.triage.engine is Provenance.CLAUDE, 20)  # type: ignore[union-attr]
        await settle(pilot)
    assert len(fake_anthropic.requests) == 1
    assert DEPLOY_500S in str(fake_anthropic.requests[0])
    journal = Journal.open(journal_path, actor="t@n")
    [incident] = journal.incidents()
    assert kinds(journal, incident.id)[:3] == ["incident_opened", "triage_generated", "triage_generated"]
