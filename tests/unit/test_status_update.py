"""Status updates: status-page wording decided from ticks and evidence; only a sent update moves the clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest

from maestro import events as ev
from maestro.config import Config
from maestro.escalation import clock
from maestro.journal import Journal
from maestro.model import Evidence, IncidentContext, Severity
from maestro.notify.channel import ChannelKind, NotifyChannel
from maestro.status_update import draft, send
from tests.factories import T0, Stream, evidence, issue, triage
from tests.http_sink import Answer, HttpSink, closed_port_url

FIVE = ["cache", "db", "ghost", "pending", "worker"]


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    with HttpSink() as server:
        yield server


def lines(stream: Stream, minutes: float = 1, evidence: Evidence | None = None) -> list[str]:
    return draft(stream.incident(), stream.at + timedelta(minutes=minutes), evidence).splitlines()


def test_the_draft_follows_the_seed_format() -> None:
    s = Stream()
    issues = [
        issue("a", Severity.P0, minutes=5),
        issue("c", Severity.P0, minutes=8),
        issue("b", Severity.P1, minutes=30),
    ]
    s.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(*issues)), minutes=0)
    s.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="a"))
    text = lines(s, minutes=6.5)
    assert text[0] == "[05:07] Update #1:"
    assert text[1] == "Status: Identified"
    assert text[2] == "Impact: all users"
    assert text[3] == "ETA: 38 minutes"
    assert "a on system" in text[4] and "c on system" in text[4]


def test_nothing_known_yet_is_investigating() -> None:
    s = Stream()
    s.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(issue("a", Severity.P0))), minutes=0)
    assert lines(s)[1] == "Status: Investigating"


def test_five_services_down_is_never_fix_deployed_or_monitoring_even_with_every_p0_ticked() -> None:
    s = Stream()
    s.add(ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence(T0, FIVE)), minutes=0)
    issues = [issue("swarm.service_down", Severity.P0, n) for n in FIVE]
    s.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(*issues)), minutes=0)
    for name in FIVE:
        s.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item=f"swarm.service_down:{name}"))
    live = evidence(s.at + timedelta(minutes=1), FIVE)
    text = lines(s, evidence=live)
    assert text[1] == "Status: Identified"
    assert text[2] == "Impact: all users; 5 services failing (cache, db, ghost, pending, worker)"
    assert "still failing after the fix: cache, db, ghost, pending, worker" in text[4]


def test_fixed_and_measured_healthy_is_monitoring() -> None:
    s = Stream()
    s.add(ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence(T0, ["db"])), minutes=0)
    s.add(
        ev.EventKind.TRIAGE_GENERATED,
        ev.TriageGenerated(triage=triage(issue("swarm.service_down", Severity.P0, "db"))),
        minutes=0,
    )
    s.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="swarm.service_down:db"))
    assert lines(s, evidence=evidence(s.at + timedelta(minutes=1)))[1:4] == [
        "Status: Monitoring",
        "Impact: all users",
        "ETA: monitoring",
    ]


def test_resolved_says_resolved_with_the_resolution() -> None:
    s = Stream()
    s.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(issue("a", Severity.P0))), minutes=0)
    s.add(ev.EventKind.RESOLVED, ev.Resolved(resolution="rolled back api to 1.2"))
    text = lines(s)
    assert (text[1], text[3], text[4]) == ("Status: Resolved", "ETA: -", "Actions: rolled back api to 1.2")


# --- sending ---------------------------------------------------------------------------------------


def open_incident(journal: Journal) -> str:
    incident_id = journal.open_incident(IncidentContext(description="api down"), Severity.P0).incident_id
    tri = triage(issue("a", Severity.P0))
    journal.append(incident_id, ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=tri))
    return incident_id


def test_the_edited_text_is_sent_and_only_then_the_clock_restarts(sink: HttpSink, tmp_path: Path) -> None:
    config = Config(notify=[NotifyChannel(name="incidents", kind=ChannelKind.SLACK, url=sink.url("/slack"))])
    now = T0 + timedelta(minutes=20)
    with Journal.open(tmp_path / "j.sqlite3", clock=lambda: now) as journal:
        incident_id = open_incident(journal)
        incident = journal.incident(incident_id)
        drafted = draft(incident, now)
        journal.append(incident_id, ev.EventKind.STATUS_UPDATE_DRAFTED, ev.StatusUpdateDrafted(number=1, text=drafted))
        incident = journal.incident(incident_id)
        assert clock(incident, config, now).next_update_in == timedelta(minutes=15)
        edited = drafted.replace("Status: Investigating", "Status: Investigating (db team on it)")
        deliveries = send(partial(journal.append, incident_id), incident, edited, ["incidents"], config, now, "ana")
        incident = journal.incident(incident_id)
    assert [d.ok for d in deliveries] == [True]
    assert "db team on it" in sink.bodies("/slack")[0]["text"]
    assert [(u.number, u.channels, u.text) for u in incident.sent_updates] == [(1, ["incidents"], edited)]
    assert clock(incident, config, now).next_update_in == timedelta(minutes=15)
    assert incident.next_update_number == 2


def test_marked_sent_by_hand_with_no_channel_restarts_the_clock(tmp_path: Path) -> None:
    now = T0 + timedelta(minutes=20)
    with Journal.open(tmp_path / "j.sqlite3", clock=lambda: now) as journal:
        incident_id = open_incident(journal)
        record = partial(journal.append, incident_id)
        assert send(record, journal.incident(incident_id), "posted in #incidents", [], Config(), now, "ana") == []
        incident = journal.incident(incident_id)
    assert [(u.channels, u.text) for u in incident.sent_updates] == [([], "posted in #incidents")]
    assert incident.timeline[-1].text == "Status update #1 sent (by hand)"


def test_an_update_no_channel_took_is_not_sent(sink: HttpSink, tmp_path: Path) -> None:
    gone = NotifyChannel(name="incidents", kind=ChannelKind.SLACK, url=closed_port_url(), attempts=1)
    sink.answers(Answer(500), Answer(500))
    flaky = NotifyChannel(name="ops", kind=ChannelKind.WEBHOOK, url=sink.url(), attempts=2)
    config = Config(notify=[gone, flaky])
    now = T0 + timedelta(minutes=20)
    with Journal.open(tmp_path / "j.sqlite3", clock=lambda: now) as journal:
        incident_id = open_incident(journal)
        record = partial(journal.append, incident_id)
        incident = journal.incident(incident_id)
        deliveries = send(record, incident, "text", ["incidents", "ops"], config, now, "ana")
        incident = journal.incident(incident_id)
    assert [d.ok for d in deliveries] == [False, False]
    assert incident.sent_updates == []
    assert [n.channel for n in incident.notifications] == ["incidents", "ops"]
