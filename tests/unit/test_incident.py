from __future__ import annotations

from datetime import timedelta

import pytest

from maestro import events as ev
from maestro.incident import FoldError, apply, fold
from maestro.model import IncidentStatus, Severity
from tests.factories import T0, Stream, issue, triage


def full_stream() -> Stream:
    s = Stream()
    s.add(
        ev.EventKind.TRIAGE_GENERATED,
        ev.TriageGenerated(
            triage=triage(
                issue("swarm.crash_loop", Severity.P0, "worker"),
                issue("redis.oom", Severity.P1, "cache"),
            )
        ),
        minutes=0.5,
    )
    s.add(ev.EventKind.NOTE_ADDED, ev.NoteAdded(text="looking at worker logs"), minutes=2)
    s.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="swarm.crash_loop:worker", label="crash loop"), minutes=5)
    s.add(ev.EventKind.ESCALATED, ev.Escalated(level=1, role="Team Lead", name="Dana"))
    s.add(ev.EventKind.RESOLVED, ev.Resolved(resolution="rolled back web"), minutes=10)
    return s


def test_fold_derives_state_and_times() -> None:
    incident = full_stream().incident()
    assert incident.severity is Severity.P0
    assert incident.ticked == ["swarm.crash_loop:worker"]
    assert incident.escalation_level == 1
    assert incident.status is IncidentStatus.RESOLVED
    assert incident.acknowledged_at == T0 + timedelta(minutes=2.5)
    assert incident.mitigated_at == T0 + timedelta(minutes=7.5)
    assert incident.resolved_at == T0 + timedelta(minutes=18.5)
    assert [e.kind for e in incident.timeline][:2] == ["incident_opened", "triage_generated"]


def test_apply_one_by_one_equals_fold_and_never_mutates_input() -> None:
    events = full_stream().events
    incident = None
    snapshots = []
    for event in events:
        incident = apply(incident, event)
        snapshots.append(incident.model_dump_json())
    assert incident == fold(events)
    assert len(set(snapshots)) == len(events)


def test_apply_ignores_an_event_already_seen() -> None:
    s = full_stream()
    incident = s.incident()
    assert apply(incident, s.events[2]) == incident


def test_untick_and_person_set_severity_survive_a_new_triage() -> None:
    s = Stream()
    s.add(ev.EventKind.SEVERITY_CHANGED, ev.SeverityChanged(severity=Severity.P1, reason="only admins hit"))
    s.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="assess.alerts"))
    s.add(ev.EventKind.ITEM_UNTICKED, ev.ItemTicked(item="assess.alerts"))
    s.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(issue("x", Severity.P0))))
    incident = s.incident()
    assert incident.severity is Severity.P1
    assert incident.ticked == []
    assert incident.status is IncidentStatus.OPEN


def test_exported_is_false_after_a_later_change() -> None:
    s = full_stream()
    s.add(ev.EventKind.REPORTS_EXPORTED, ev.ReportsExported(folder="/tmp/r", files=["a.md"]))
    assert s.incident().exported
    s.add(ev.EventKind.NOTE_ADDED, ev.NoteAdded(text="one more thing"))
    assert not s.incident().exported


def test_stream_must_start_with_incident_opened() -> None:
    s = full_stream()
    with pytest.raises(FoldError):
        fold(s.events[1:])
    with pytest.raises(FoldError):
        fold([])


def test_recovery_sequence_lists_issues_under_their_phase() -> None:
    phases = full_stream().incident().phases()
    assert [p.id for p in phases] == ["assess", "p0", "p1", "p2", "postmortem"]
    assert phases[1].items[0].id == "swarm.crash_loop:worker"
    assert phases[2].items[0].id == "redis.oom:cache"


def test_a_root_cause_is_confirmed_once_and_can_be_withdrawn() -> None:
    stream = Stream()
    stream.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(issue("rb.oom", Severity.P0, "api"))))
    stream.add(ev.EventKind.ROOT_CAUSE_CONFIRMED, ev.RootCauseConfirmed(issue_id="rb.oom:api", note="heap grows"))
    stream.add(ev.EventKind.ROOT_CAUSE_CONFIRMED, ev.RootCauseConfirmed(issue_id="rb.oom:api"), actor="bo@node2")
    confirmed = stream.incident()
    assert [(r.issue_id, r.actor, r.note) for r in confirmed.root_causes_confirmed] == [("rb.oom:api", "bo@node2", "")]
    assert confirmed.timeline[-1].text == "Root cause confirmed: rb.oom on api"
    stream.add(ev.EventKind.ROOT_CAUSE_CONFIRMED, ev.RootCauseConfirmed(issue_id="rb.oom:api", confirmed=False))
    withdrawn = stream.incident()
    assert withdrawn.root_causes_confirmed == []
    assert withdrawn.timeline[-1].text == "Root cause withdrawn: rb.oom on api"
