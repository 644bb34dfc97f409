"""Small builders for tests: events, triages and incidents made by hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import count

from maestro import events as ev
from maestro.incident import Incident, fold
from maestro.model import (
    Command,
    Evidence,
    IncidentContext,
    Prevention,
    ServiceInfo,
    Severity,
    Signal,
    SignalKind,
    SystemStatus,
    Triage,
    TriageIssue,
)

T0 = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)


def issue(runbook: str, severity: Severity, subject: str = "", minutes: int = 10) -> TriageIssue:
    issue_id = f"{runbook}:{subject}" if subject else runbook
    return TriageIssue(
        id=issue_id,
        runbook_id=runbook,
        subject=subject,
        severity=severity,
        title=f"{runbook} on {subject or 'system'}",
        summary=f"{runbook} summary",
        fix=[Command(text=f"docker service update --force {subject or 'api'}", purpose="restart")],
        verify=[Command(text=f"docker service ps {subject or 'api'}", purpose="check", expected="running")],
        rollback=[Command(text=f"docker service update --rollback {subject or 'api'}", purpose="revert")],
        time_to_fix_min=minutes,
    )


def triage(*issues: TriageIssue, severity: Severity = Severity.P0) -> Triage:
    return Triage(
        severity=severity,
        system_status=SystemStatus.DOWN,
        user_impact="all users",
        primary_cause="bad deploy",
        issues=list(issues),
        prevention=Prevention(immediate=["add monitoring"]),
        eta_minutes=sum(i.time_to_fix_min for i in issues),
        generated_at=T0,
    )


class Stream:
    """Builds a list of events for one incident, one minute apart unless told otherwise."""

    def __init__(
        self, description: str = "API returns 500s", incident_id: str = "INC-1", context: IncidentContext | None = None
    ) -> None:
        """Opened at T0 with `context`, or with a context holding only `description`."""
        self.incident_id = incident_id
        self.seq = count(1)
        self.at = T0
        self.events: list[ev.Event] = []
        opened = ev.IncidentOpened(context=context or IncidentContext(description=description))
        self.add(ev.EventKind.INCIDENT_OPENED, opened, 0)

    def add(self, kind: ev.EventKind, payload: ev.Payload, minutes: float = 1, actor: str = "ana@node1") -> ev.Event:
        """`minutes` after the previous event."""
        return self._append(self.at + timedelta(minutes=minutes), kind, payload, actor)

    def add_at(self, minute: float, kind: ev.EventKind, payload: ev.Payload, actor: str = "ana@node1") -> ev.Event:
        """At `minute` minutes after T0: for a stream written as a timeline."""
        return self._append(T0 + timedelta(minutes=minute), kind, payload, actor)

    def _append(self, at: datetime, kind: ev.EventKind, payload: ev.Payload, actor: str) -> ev.Event:
        self.at = at
        event = ev.Event(
            seq=next(self.seq), incident_id=self.incident_id, at=at, actor=actor, kind=kind, payload=payload
        )
        self.events.append(event)
        return event

    def incident(self) -> Incident:
        return fold(self.events)


def evidence(at: datetime, failing: Sequence[str] = (), healthy: Sequence[str] = ("api",)) -> Evidence:
    """A swarm where each `failing` service has 0 of 1 replicas (with its service_down signal)."""
    services = [ServiceInfo(id=f"id-{n}", name=n, image=f"{n}:1", desired=1, running=0) for n in failing]
    services += [ServiceInfo(id=f"id-{n}", name=n, image=f"{n}:1", desired=1, running=1) for n in healthy]
    signals = [
        Signal(kind=SignalKind.SERVICE_DOWN, subject=n, detail="0 of 1 replicas running", observed_at=at)
        for n in failing
    ]
    return Evidence(collected_at=at, source="swarm", services=services, signals=signals)


MOMENTS = ("open", "mitigated", "resolved")


def recorded_incident(moment: str) -> tuple[Incident, datetime]:
    """The demo incident on a frozen clock, journaled up to one moment of its life, and the time to report at.

    open: triaged, alerts read, one P0 fixed, an update drafted. mitigated: every P0 fixed, a cause
    confirmed, the Team Lead escalated to, update #1 sent to Slack, notes for the post-mortem. resolved: one
    P1 fixed, closed out with a resolution.
    """
    from maestro import demo, start_time
    from maestro.triage import rules

    stream = Stream(description=demo.CONTEXT.description, incident_id="INC-20261126-0500")
    context = start_time.dated(demo.CONTEXT, T0)
    stream.events[0] = stream.events[0].model_copy(update={"payload": ev.IncidentOpened(context=context)})
    evidence = demo.evidence(T0 + timedelta(minutes=1))
    stream.add(ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence))
    found = rules.triage(context, evidence, now=T0 + timedelta(minutes=2))
    stream.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=found, summary="rules"))
    p0 = found.by_severity(Severity.P0)
    stream.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="assess.alerts", label="Read all alerts"))
    stream.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item=p0[0].id, label=p0[0].title), 3)
    stream.add(ev.EventKind.STATUS_UPDATE_DRAFTED, ev.StatusUpdateDrafted(number=1, text="[05:08] Update #1"), 2)
    if moment in ("mitigated", "resolved"):
        stream.add(ev.EventKind.ROOT_CAUSE_CONFIRMED, ev.RootCauseConfirmed(issue_id=p0[0].id, note="env diff"), 2)
        stream.add(ev.EventKind.ESCALATED, ev.Escalated(level=1, role="Team Lead", reason="7 P0 issues"), 1)
        sent = ev.StatusUpdateSent(number=1, text="[05:12] Update #1: web config fixed", channels=["#incidents"])
        stream.add(ev.EventKind.STATUS_UPDATE_SENT, sent, 1)
        delivered = ev.NotificationSent(
            channel="#incidents", channel_kind="slack", notice="status_update", ok=True, attempts=1, detail="200 OK"
        )
        stream.add(ev.EventKind.NOTIFICATION_SENT, delivered, 0)
        for item in p0[1:]:
            stream.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item=item.id, label=item.title), 2)
        stream.add(ev.EventKind.NOTE_ADDED, ev.NoteAdded(text="detection: no alert on web's failed rollout"), 1)
        stream.add(ev.EventKind.NOTE_ADDED, ev.NoteAdded(text="went well: the rollback was one command"), 1)
    if moment == "resolved":
        cache = found.by_severity(Severity.P1)[0]
        stream.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item=cache.id, label=cache.title), 5)
        resolution = "web rolled back to v1 with DATABASE_URL restored; worker, db, ghost and pending fixed"
        stream.add(ev.EventKind.RESOLVED, ev.Resolved(resolution=resolution), 10)
    return stream.incident(), stream.at + timedelta(minutes=1)
