"""The new incident opened, triaged and journaled by a forked child: what it writes is in the journal, and its
checklist is the one the screen would draw."""

from __future__ import annotations

import os
import select
import time
from pathlib import Path

import pytest

from maestro.config import Config
from maestro.events import EventKind, ItemTicked
from maestro.incident_ahead import IncidentAhead, OpenedAhead
from maestro.journal import Journal
from maestro.screen_view import Scene, checklist_view
from maestro.session import SessionRequest

DESCRIPTION = "API returns 500s since the deploy; logs show database connection timeout"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="needs fork, 2 cores")


def finished(request: SessionRequest, timeout_s: float = 20.0) -> IncidentAhead:
    """The child started for `request`, once it has written all it will."""
    ahead = IncidentAhead.start(request)
    assert ahead is not None
    deadline = time.monotonic() + timeout_s
    while not ahead.read():
        assert time.monotonic() < deadline, "the child did not finish"
        select.select([ahead.fileno()], [], [], 0.5)
    return ahead


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture(autouse=True)
def no_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The forked child reads the environment it was forked with: no config file unless a test names one."""
    monkeypatch.setenv("MAESTRO_CONFIG", str(tmp_path / "absent.toml"))


def request(tmp_path: Path, **fields: object) -> SessionRequest:
    made: dict[str, object] = {
        "journal_path": tmp_path / "journal.sqlite3",
        "description": DESCRIPTION,
        "use_docker": False,
    }
    return SessionRequest(**(made | fields))  # type: ignore[arg-type]


def test_the_child_journals_the_incident_and_its_triage_and_sends_the_checklist_drawn_from_them(
    tmp_path: Path,
) -> None:
    ahead = finished(request(tmp_path))
    opened = ahead.outcome()
    ahead.stop()
    assert gone(ahead.pid)
    assert opened is not None and opened.checklist is not None
    journal = Journal.open(tmp_path / "journal.sqlite3", actor="test@node")
    assert [summary.id for summary in journal.incidents()] == [opened.incident_id]
    incident = journal.incident(opened.incident_id)
    assert incident.context.description == DESCRIPTION
    assert incident.triage is not None and incident.triage.engine == "rules"
    assert opened.checklist == checklist_view(Scene(incident, Config(), incident.opened_at))
    p0 = next(group for group in opened.checklist.groups if group.severity == "P0")
    assert [entry.id for entry in p0.entries] == [i.id for i in incident.triage.issues if i.severity == "P0"]


def test_the_config_file_the_command_names_is_the_one_the_child_reads(tmp_path: Path) -> None:
    path = tmp_path / "maestro.toml"
    path.write_text('[service_aliases]\n"shop front" = "web"\n', encoding="utf-8")
    ahead = finished(request(tmp_path, config_path=path, description="the shop front is throwing 500 errors"))
    opened = ahead.outcome()
    ahead.stop()
    assert opened is not None and opened.checklist is not None
    assert opened.checklist.entry("app.http_errors:web") is not None


def test_an_incident_the_session_resumes_is_read_not_opened_again(tmp_path: Path) -> None:
    demo_journal = tmp_path / "demo.sqlite3"
    first = finished(request(tmp_path, journal_path=demo_journal, description=None, demo=True))
    opened = first.outcome()
    first.stop()
    assert opened is not None and not opened.resumed
    journal = Journal.open(demo_journal, actor="t@n")
    journal.append(
        opened.incident_id,
        EventKind.ITEM_TICKED,
        ItemTicked(item=journal.incident(opened.incident_id).triage.issues[0].id),
    )  # type: ignore[union-attr]
    again = finished(request(tmp_path, journal_path=demo_journal, description=None, demo=True))
    resumed = again.outcome()
    again.stop()
    assert resumed is not None and resumed.resumed and resumed.incident_id == opened.incident_id
    assert [s.id for s in journal.incidents()] == [opened.incident_id], "the demo's open incident is not opened again"
    incident = journal.incident(opened.incident_id)
    assert resumed.checklist == checklist_view(Scene(incident, Config(), incident.opened_at))
    assert resumed.checklist is not None and any(e.done for g in resumed.checklist.groups for e in g.entries)
    by_id = finished(request(tmp_path, journal_path=demo_journal, description=None, incident=opened.incident_id[:12]))
    assert (by_id.outcome() or OpenedAhead("")).incident_id == opened.incident_id
    by_id.stop()


def test_a_child_with_nothing_to_open_or_that_fails_says_nothing(tmp_path: Path) -> None:
    nothing = finished(request(tmp_path, description=None))
    assert nothing.outcome() is None, "no incident to resume: the intake form asks for one"
    nothing.stop()

    broken = tmp_path / "broken.toml"
    broken.write_text("not = [toml", encoding="utf-8")
    failed = finished(request(tmp_path, config_path=broken))
    assert failed.outcome() is None
    failed.stop()
    path = tmp_path / "journal.sqlite3"
    assert not path.exists() or not Journal.open(path, actor="t@n").incidents()


def test_a_child_stopped_while_it_works_is_gone_and_what_it_said_so_far_is_kept(tmp_path: Path) -> None:
    ahead = IncidentAhead.start(request(tmp_path))
    assert ahead is not None
    ahead.stop()
    assert gone(ahead.pid)
    opened = ahead.outcome()
    journal = (
        Journal.open(tmp_path / "journal.sqlite3", actor="t@n") if (tmp_path / "journal.sqlite3").exists() else None
    )
    if opened is not None:  # it had opened the incident: the screen resumes that one
        assert journal is not None and [s.id for s in journal.incidents()] == [opened.incident_id]
    ahead.stop()  # again: nothing left to do
