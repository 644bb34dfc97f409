from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from maestro import events as ev
from maestro.incident import FoldError, advance, apply, fold
from maestro.journal import Journal
from maestro.model import Danger, Evidence, IncidentContext, IncidentStatus, Severity
from maestro.recorder import Recorder
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


# --- incremental fold == full fold, over random event sequences ---------------------------------------

ITEMS = ("swarm.crash_loop:worker", "redis.oom:cache", "assess.alerts", "p0.verify")
PHASES = ("assess", "p0", "p1")


def random_payload(kind: ev.EventKind, rng: random.Random) -> ev.Payload:
    """A payload of `kind` with random content: every kind the fold knows must be here."""
    k = ev.EventKind
    severity = rng.choice(list(Severity))
    match kind:
        case k.INCIDENT_OPENED:
            return ev.IncidentOpened(context=IncidentContext(description=f"reopened {rng.random()}"))
        case k.CONTEXT_UPDATED:
            return ev.ContextUpdated(context=IncidentContext(description="d", user_impact=f"{rng.random()}"))
        case k.EVIDENCE_CAPTURED:
            return ev.EvidenceCaptured(evidence=Evidence(collected_at=T0, source="swarm"))
        case k.TRIAGE_GENERATED:
            issues = [issue("swarm.crash_loop", Severity.P0, "worker"), issue("redis.oom", severity, "cache")]
            made = triage(*rng.sample(issues, rng.randint(0, 2)), severity=severity)
            return ev.TriageGenerated(triage=made.model_copy(update={"root_cause_identified": rng.random() < 0.3}))
        case k.TRIAGE_FAILED:
            return ev.TriageFailed(engine="claude", reason=f"timeout {rng.random()}")
        case k.ITEM_TICKED | k.ITEM_UNTICKED:
            return ev.ItemTicked(item=rng.choice(ITEMS), label=rng.choice(("", "label")))
        case k.PHASE_TICKED | k.PHASE_UNTICKED:
            return ev.PhaseTicked(phase=rng.choice(PHASES))
        case k.SEVERITY_CHANGED:
            return ev.SeverityChanged(severity=severity, reason=rng.choice(("", "why")))
        case k.ESCALATED:
            return ev.Escalated(level=rng.randint(1, 3), role="Team Lead", name=rng.choice(("", "Dana")))
        case k.STATUS_UPDATE_DRAFTED:
            return ev.StatusUpdateDrafted(number=rng.randint(1, 9), text="update")
        case k.NOTE_ADDED:
            return ev.NoteAdded(text=f"note {rng.random()}")
        case k.COMMAND_COPIED:
            return ev.CommandCopied(command="docker service ls", danger=rng.choice(list(Danger)))
        case k.SWARM_EVENT:
            return ev.SwarmEvent(subject="worker", text="task died")
        case k.ROOT_CAUSE_CONFIRMED:
            return ev.RootCauseConfirmed(issue_id=rng.choice(ITEMS[:2]), confirmed=rng.random() < 0.7)
        case k.RESOLVED:
            return ev.Resolved(resolution="rolled back")
        case k.REPORTS_EXPORTED:
            return ev.ReportsExported(folder="/r", files=["a.md"])
        case k.INCIDENT_CLOSED:
            return ev.IncidentClosed()
        case k.ESCALATION_RULE_FIRED:
            return ev.EscalationRuleFired(
                rule=rng.choice(("a", "b")), level=2, role="Infrastructure Manager", reason="r"
            )
        case k.STATUS_UPDATE_SENT:
            return ev.StatusUpdateSent(number=rng.randint(1, 9), text="sent", channels=rng.choice(([], ["slack"])))
        case k.NOTIFICATION_SENT:
            ok = rng.random() < 0.5
            return ev.NotificationSent(
                channel="slack", channel_kind="slack", notice="escalation", ok=ok, attempts=1, detail=""
            )
        case k.CONDITION_REPORTED:
            return ev.ConditionReported(condition=rng.choice(list(ev.Condition)), present=rng.random() < 0.7)
    raise AssertionError(f"random_payload has no payload for {kind}: add one")


def random_stream(seed: int) -> list[ev.Event]:
    rng = random.Random(seed)
    s = Stream()
    for _ in range(rng.randint(1, 60)):
        kind = rng.choice(list(ev.EventKind))
        s.add(kind, random_payload(kind, rng), minutes=rng.uniform(0, 3), actor=rng.choice(("ana@n1", "bo@n2")))
    return s.events


def test_every_event_kind_has_a_random_payload() -> None:
    rng = random.Random(0)
    for kind in ev.EventKind:
        assert type(random_payload(kind, rng)) is ev.PAYLOADS[kind]


@pytest.mark.parametrize("seed", range(40))
def test_incremental_fold_equals_the_full_fold(seed: int) -> None:
    events = random_stream(seed)
    rng = random.Random(seed)
    full = fold(events)
    incident = None
    snapshots = []
    for n, event in enumerate(events, start=1):
        incident = apply(incident, event)
        snapshots.append((incident, incident.model_dump_json()))
        assert incident == fold(events[:n]), f"after {n} of {len(events)} events"
    assert incident == full
    cuts = sorted(rng.sample(range(1, len(events) + 1), min(3, len(events))))
    chunked = None
    for start, end in zip([0, *cuts], [*cuts, len(events)], strict=True):
        # each chunk also re-delivers an event already folded, which must change nothing
        chunked = advance(chunked, [*events[max(start - 1, 0) : start], *events[start:end]])
    assert chunked == full
    for snapshot, dumped in snapshots:
        assert snapshot.model_dump_json() == dumped, "a later event changed an incident handed out earlier"


def test_advance_with_nothing_new_returns_the_same_incident() -> None:
    events = full_stream().events
    incident = fold(events)
    assert advance(incident, events) is incident
    assert advance(incident, []) is incident


DESCRIBED = triage(issue("app.config_error", Severity.P0), issue("swarm.crash_loop", Severity.P0))
"""The triage of the description alone."""
MEASURED = triage(
    issue("app.config_error", Severity.P0, "web"),
    issue("swarm.crash_loop", Severity.P0, "worker"),
    issue("swarm.crash_loop", Severity.P0, "cache"),
)
"""The same once the engine answered: one config issue (on web), two crash loops."""


@contextmanager
def recording(tmp_path: Path) -> Iterator[tuple[Journal, Recorder, str]]:
    with Journal.open(tmp_path / "journal.sqlite3", actor="ana@node1") as journal:
        opened = journal.open_incident(IncidentContext(description="API returns 500s since the deploy"))
        recorder = Recorder(journal, journal.incident(opened.incident_id), lambda: None, lambda text: None)
        yield journal, recorder, opened.incident_id


def test_a_tick_given_before_the_engine_answered_carries_to_the_issue_it_names(tmp_path: Path) -> None:
    with recording(tmp_path) as (journal, recorder, incident_id):
        assert recorder.record_triage(ev.TriageGenerated(triage=DESCRIBED))
        assert recorder.toggle(ev.ItemTicked(item="app.config_error", label="config"))
        assert recorder.toggle(ev.ItemTicked(item="swarm.crash_loop", label="crash loop"))
        assert recorder.record_triage(ev.TriageGenerated(triage=MEASURED))
        incident = journal.incident(incident_id)
        # one issue of its runbook: the tick follows it; two: nobody can tell which one was meant
        assert incident.is_ticked("app.config_error:web")
        assert not incident.is_ticked("swarm.crash_loop:worker")
        assert not incident.is_ticked("swarm.crash_loop:cache")
        assert recorder.toggle(ev.ItemTicked(item="app.config_error:web", label="config"))
        assert not journal.incident(incident_id).is_ticked("app.config_error:web")


def test_a_tick_pressed_on_an_issue_a_newer_triage_just_named_lands_on_the_named_issue(tmp_path: Path) -> None:
    """The screen still showed the description's issue when the press was journaled after the engine's triage."""
    with recording(tmp_path) as (journal, recorder, incident_id):
        assert recorder.record_triage(ev.TriageGenerated(triage=DESCRIBED))
        assert recorder.record_triage(ev.TriageGenerated(triage=MEASURED))
        assert recorder.toggle(ev.ItemTicked(item="app.config_error", label="config"))
        assert recorder.toggle(ev.ItemTicked(item="swarm.crash_loop", label="crash loop"))
        assert recorder.toggle(ev.ItemTicked(item="assess.alerts", label="Read all alerts"))
        incident = journal.incident(incident_id)
        assert incident.ticked == ["app.config_error:web", "swarm.crash_loop", "assess.alerts"]
        assert recorder.toggle(ev.ItemTicked(item="app.config_error", label="config"))
        assert not journal.incident(incident_id).is_ticked("app.config_error:web")
