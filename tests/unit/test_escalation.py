from __future__ import annotations

from datetime import timedelta

from maestro import events as ev
from maestro.config import Config
from maestro.escalation import clock, next_escalation, status_update
from maestro.model import Severity
from tests.factories import T0, Stream, issue, triage


def p0_incident() -> Stream:
    s = Stream()
    s.add(
        ev.EventKind.TRIAGE_GENERATED,
        ev.TriageGenerated(triage=triage(issue("a", Severity.P0, minutes=5), issue("b", Severity.P1, minutes=30))),
        minutes=0,
    )
    return s


def test_p0_escalates_to_team_lead_after_30_minutes_and_updates_every_15() -> None:
    incident = p0_incident().incident()
    state = clock(incident, Config(), T0 + timedelta(minutes=20))
    assert state.elapsed == timedelta(minutes=20)
    assert state.next_contact is not None and state.next_contact.role == "Team Lead"
    assert state.next_escalation_in == timedelta(minutes=10)
    assert state.next_update_in == timedelta(minutes=-5)
    assert not state.overdue
    assert clock(incident, Config(), T0 + timedelta(minutes=31)).overdue


def test_after_escalating_the_clock_points_at_the_next_level() -> None:
    s = p0_incident()
    s.add(ev.EventKind.ESCALATED, ev.Escalated(level=1, role="Team Lead"), minutes=31)
    s.add(ev.EventKind.STATUS_UPDATE_DRAFTED, ev.StatusUpdateDrafted(number=1, text="x"), minutes=1)
    state = clock(s.incident(), Config(), T0 + timedelta(minutes=40))
    assert state.next_contact is not None and state.next_contact.role == "Infrastructure Manager"
    assert state.next_escalation_in == timedelta(minutes=20)
    assert state.next_update_in == timedelta(minutes=7)
    level, contact = next_escalation(s.incident(), Config()) or (0, None)
    assert (level, contact.role if contact else None) == (2, "Infrastructure Manager")


def test_p2_has_no_escalation_clock_and_a_resolved_incident_stops() -> None:
    s = p0_incident()
    s.add(ev.EventKind.SEVERITY_CHANGED, ev.SeverityChanged(severity=Severity.P2))
    state = clock(s.incident(), Config(), T0 + timedelta(hours=5))
    assert state.next_contact is None and state.next_update_in is None
    s.add(ev.EventKind.RESOLVED, ev.Resolved(resolution="fixed"), minutes=9)
    stopped = clock(s.incident(), Config(), T0 + timedelta(hours=5))
    assert stopped.elapsed == timedelta(minutes=10) and not stopped.running


def test_status_update_follows_the_brief_format() -> None:
    s = Stream()
    issues = [
        issue("a", Severity.P0, minutes=5),
        issue("c", Severity.P0, minutes=8),
        issue("b", Severity.P1, minutes=30),
    ]
    s.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(*issues)), minutes=0)
    s.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="a"))
    text = status_update(s.incident(), T0 + timedelta(minutes=7, seconds=30))
    lines = text.splitlines()
    assert lines[0] == "[05:07] Update #1:"
    assert lines[1] == "Status: Fix Deployed"
    assert lines[3] == "ETA: 38 minutes"
    assert "a on system" in lines[4] and "c on system" in lines[4]


def test_status_update_after_p0_fixed_says_monitoring_with_p1_eta() -> None:
    s = p0_incident()
    s.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="a"))
    lines = status_update(s.incident(), T0 + timedelta(minutes=2)).splitlines()
    assert lines[1:4] == ["Status: Monitoring", "Impact: all users", "ETA: 30 minutes"]
