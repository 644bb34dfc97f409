"""Incident state as a pure fold of journal events.

Folding is incremental: `advance` copies the incident once, shallowly (its own lists and dicts, every
model in them shared), then applies the new events to that copy in place. A key press therefore costs
the same at event 10 and at event 4,000, and every incident handed out stays as it was: views may keep
any of them. Each event kind has its branch in `_apply`, which sets fields and may grow the incident's
own lists and dicts; it never changes a model that is already in the incident (evidence, triage, a
record): it puts a new one in its place.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from maestro import events as ev
from maestro.model import (
    EscalationContact,
    Evidence,
    IncidentContext,
    IncidentStatus,
    Model,
    Phase,
    Severity,
    TimelineEntry,
    Triage,
    TriageIssue,
    recovery_sequence,
)


class EscalationRecord(ev.Escalated):
    at: datetime
    actor: str


class StatusUpdateRecord(Model):
    """A drafted update; `sent_at` is set once people received it (sent to channels or posted by hand)."""

    at: datetime
    number: int
    text: str
    sent_at: datetime | None = None
    channels: list[str] = []


class RuleFiringRecord(ev.EscalationRuleFired):
    at: datetime


class NotificationRecord(ev.NotificationSent):
    at: datetime
    actor: str


class FailingSample(Model):
    """The failing services of one journaled evidence capture, kept only when the set changed."""

    at: datetime
    services: list[str]


class NoteRecord(Model):
    at: datetime
    actor: str
    text: str


class RootCauseRecord(Model):
    issue_id: str
    at: datetime
    actor: str
    note: str = ""


class ExportRecord(Model):
    at: datetime
    folder: str
    files: list[str]


class Incident(Model):
    id: str
    context: IncidentContext
    opened_at: datetime
    opened_by: str
    status: IncidentStatus = IncidentStatus.OPEN
    severity: Severity | None = None
    severity_set_by_person: bool = False
    triage: Triage | None = None
    triage_notice: str = ""
    evidence: Evidence | None = None
    ticked: list[str] = []
    ticked_at: dict[str, datetime] = {}
    phases_done: list[str] = []
    escalations: list[EscalationRecord] = []
    status_updates: list[StatusUpdateRecord] = []
    notes: list[NoteRecord] = []
    resolution: str = ""
    root_cause_identified_at: datetime | None = None
    root_causes_confirmed: list[RootCauseRecord] = []
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    exports: list[ExportRecord] = []
    rule_firings: list[RuleFiringRecord] = []
    notifications: list[NotificationRecord] = []
    conditions: list[ev.Condition] = []
    failing_seen: list[FailingSample] = []
    timeline: list[TimelineEntry] = []
    last_seq: int = 0

    @property
    def escalation_level(self) -> int:
        return self.escalations[-1].level if self.escalations else 0

    @property
    def exported(self) -> bool:
        """True when the last export came after every other change of substance."""
        if not self.exports:
            return False
        last_export = self.exports[-1].at
        return all(e.at <= last_export for e in self.timeline if e.kind not in _NOT_SUBSTANTIVE)

    @property
    def sent_updates(self) -> list[StatusUpdateRecord]:
        return [u for u in self.status_updates if u.sent_at is not None]

    @property
    def next_update_number(self) -> int:
        return len(self.sent_updates) + 1

    def phases(self) -> list[Phase]:
        """The recovery sequence of the triage: the same list as long as the triage is the same object."""
        if self.triage is None:
            return []
        global _last_phases
        if _last_phases is not None and _last_phases[0] is self.triage:
            return _last_phases[1]
        phases = recovery_sequence(self.triage)
        _last_phases = (self.triage, phases)
        return phases

    def is_ticked(self, item_id: str) -> bool:
        return item_id in self.ticked

    def ticks_carried_to(self, triage: Triage) -> list[ev.ItemTicked]:
        """Ticks that a new triage would drop because it names the issue more precisely.

        An issue ticked while only the description was known (`app.config_error`) comes back as
        `app.config_error:web` once the engine has answered; when it is the one issue of its runbook there,
        the person's tick belongs to it. Returned as ticks to journal, so the journal stays the one truth.
        """
        if self.triage is None:
            return []
        carried: list[ev.ItemTicked] = []
        for old in self.triage.issues:
            if old.id not in self.ticked or (named := _named_now(old.id, old.runbook_id, triage)) is None:
                continue
            if named.id not in self.ticked:
                carried.append(ev.ItemTicked(item=named.id, label=named.title))
        return carried

    def tick_on_screen(self, tick: ev.ItemTicked) -> ev.ItemTicked:
        """The tick of an issue the person saw, on the issue that stands for it now.

        A press can reach the journal just after a newer triage named the issue more precisely (the screen
        still showed `app.config_error`, the journal already holds `app.config_error:web`): the tick is
        the named issue's, by the rule of ticks_carried_to.
        """
        if self.triage is None or self.triage.issue(tick.item) is not None:
            return tick
        named = _named_now(tick.item, tick.item.split(":", 1)[0], self.triage)
        return tick if named is None else ev.ItemTicked(item=named.id, label=named.title)


def _named_now(item: str, runbook_id: str, triage: Triage) -> TriageIssue | None:
    """The one issue of `runbook_id` in `triage` when `item` is no longer one of its issues."""
    if any(issue.id == item for issue in triage.issues):
        return None
    same = [issue for issue in triage.issues if issue.runbook_id == runbook_id]
    return same[0] if len(same) == 1 else None


_last_phases: tuple[Triage, list[Phase]] | None = None

_NOT_SUBSTANTIVE = {
    ev.EventKind.REPORTS_EXPORTED,
    ev.EventKind.COMMAND_COPIED,
    ev.EventKind.EVIDENCE_CAPTURED,
    ev.EventKind.SWARM_EVENT,
    ev.EventKind.INCIDENT_CLOSED,
}

_ACKNOWLEDGING = {
    ev.EventKind.ITEM_TICKED,
    ev.EventKind.PHASE_TICKED,
    ev.EventKind.ESCALATED,
    ev.EventKind.NOTE_ADDED,
    ev.EventKind.STATUS_UPDATE_DRAFTED,
    ev.EventKind.STATUS_UPDATE_SENT,
    ev.EventKind.CONDITION_REPORTED,
    ev.EventKind.SEVERITY_CHANGED,
    ev.EventKind.COMMAND_COPIED,
    ev.EventKind.ROOT_CAUSE_CONFIRMED,
    ev.EventKind.RESOLVED,
}


class FoldError(ValueError):
    """The event stream does not describe an incident (e.g. no incident_opened first)."""


def fold(events: Iterable[ev.Event]) -> Incident:
    return advance(None, events)


def apply(incident: Incident | None, event: ev.Event) -> Incident:
    """Return the incident with one more event applied; the input is not modified."""
    return advance(incident, (event,))


def advance(incident: Incident | None, events: Iterable[ev.Event]) -> Incident:
    """`incident` (None: nothing yet) with `events` applied; the input is not modified.

    Events at or before `incident.last_seq` are skipped; with nothing new the input itself comes back.
    """
    folded: Incident | None = None
    for event in events:
        if folded is None:
            if incident is None:
                folded = _open(event)
                continue
            if event.seq <= incident.last_seq:
                continue
            folded = _own_copy(incident)
        _step(folded, event)
    if folded is not None:
        return folded
    if incident is None:
        raise FoldError("no events")
    return incident


def _own_copy(incident: Incident) -> Incident:
    """A copy with lists and dicts of its own; the models inside them are shared with `incident`."""
    copy = incident.model_copy()
    for name, value in incident.__dict__.items():
        if isinstance(value, list | dict):
            copy.__dict__[name] = value.copy()
    return copy


def _open(event: ev.Event) -> Incident:
    p = event.payload
    if not isinstance(p, ev.IncidentOpened):
        raise FoldError(f"incident {event.incident_id} starts with {event.kind}, not incident_opened")
    incident = Incident(
        id=event.incident_id,
        context=p.context,
        opened_at=event.at,
        opened_by=event.actor,
        severity=p.severity,
        severity_set_by_person=p.severity is not None,
    )
    return _with_entry(incident, event, f"Incident opened: {p.context.description}")


def _step(incident: Incident, event: ev.Event) -> None:
    """Apply one event to an incident this fold owns (see _own_copy)."""
    if event.seq <= incident.last_seq:
        return
    text = _apply(incident, event)
    if event.kind in _ACKNOWLEDGING and incident.acknowledged_at is None:
        incident.acknowledged_at = event.at
    _update_mitigation(incident, event.at)
    _with_entry(incident, event, text)


def _apply(i: Incident, event: ev.Event) -> str:
    p = event.payload
    match p:
        case ev.ContextUpdated():
            i.context = p.context
            return "Context updated"
        case ev.EvidenceCaptured():
            i.evidence = p.evidence
            failing = p.evidence.failing_services()
            if not i.failing_seen or i.failing_seen[-1].services != failing:
                i.failing_seen.append(FailingSample(at=event.at, services=failing))
            n = len(p.evidence.signals)
            return f"Evidence captured from {p.evidence.source}: {n} signal{'s' * (n != 1)}"
        case ev.TriageGenerated():
            i.triage = p.triage
            i.triage_notice = p.triage.notice
            if not i.severity_set_by_person:
                i.severity = p.triage.severity
            if p.triage.root_cause_identified and i.root_cause_identified_at is None:
                i.root_cause_identified_at = event.at
            head = f"Triage generated by {p.triage.engine}: {p.triage.severity}, {len(p.triage.issues)} issues"
            return f"{head} ({p.summary})" if p.summary else head
        case ev.TriageFailed():
            i.triage_notice = p.reason
            return p.reason
        case ev.ItemTicked() if event.kind == ev.EventKind.ITEM_TICKED:
            if p.item not in i.ticked:
                i.ticked.append(p.item)
                i.ticked_at[p.item] = event.at
            return f"Done: {p.label or p.item}"
        case ev.ItemTicked():
            if p.item in i.ticked:
                i.ticked.remove(p.item)
                i.ticked_at.pop(p.item, None)
            return f"Reopened: {p.label or p.item}"
        case ev.PhaseTicked() if event.kind == ev.EventKind.PHASE_TICKED:
            if p.phase not in i.phases_done:
                i.phases_done.append(p.phase)
            return f"Phase done: {p.label or p.phase}"
        case ev.PhaseTicked():
            if p.phase in i.phases_done:
                i.phases_done.remove(p.phase)
            return f"Phase reopened: {p.label or p.phase}"
        case ev.SeverityChanged():
            before = i.severity
            i.severity = p.severity
            i.severity_set_by_person = True
            reason = f": {p.reason}" if p.reason else ""
            return f"Severity changed {before or '-'} -> {p.severity}{reason}"
        case ev.Escalated():
            i.escalations.append(EscalationRecord(at=event.at, actor=event.actor, **p.model_dump()))
            who = EscalationContact(role=p.role, name=p.name).label
            return f"Escalated to {who}" + (f": {p.reason}" if p.reason else "")
        case ev.StatusUpdateDrafted():
            i.status_updates = [u for u in i.status_updates if u.sent_at is not None or u.number != p.number]
            i.status_updates.append(StatusUpdateRecord(at=event.at, number=p.number, text=p.text))
            return f"Status update #{p.number} drafted"
        case ev.StatusUpdateSent():
            draft = next((u for u in i.status_updates if u.number == p.number and u.sent_at is None), None)
            drafted_at = draft.at if draft else event.at
            sent = StatusUpdateRecord(
                at=drafted_at, number=p.number, text=p.text, sent_at=event.at, channels=list(p.channels)
            )
            i.status_updates = [u for u in i.status_updates if u is not draft] + [sent]
            where = ", ".join(p.channels) if p.channels else "by hand"
            return f"Status update #{p.number} sent ({where})"
        case ev.EscalationRuleFired():
            i.rule_firings.append(RuleFiringRecord(at=event.at, **p.model_dump()))
            return f"Escalation rule: {p.reason} -> {p.role}"
        case ev.NotificationSent():
            i.notifications.append(NotificationRecord(at=event.at, actor=event.actor, **p.model_dump()))
            what = p.notice.replace("_", " ")
            return f"Sent {what} to {p.channel}" if p.ok else f"Sending {what} to {p.channel} failed: {p.detail}"
        case ev.ConditionReported():
            if p.present and p.condition not in i.conditions:
                i.conditions.append(p.condition)
            elif not p.present and p.condition in i.conditions:
                i.conditions.remove(p.condition)
            said = "reported" if p.present else "withdrawn"
            return f"Condition {said}: {p.condition.value.replace('_', ' ')}" + (f" ({p.note})" if p.note else "")
        case ev.NoteAdded():
            i.notes.append(NoteRecord(at=event.at, actor=event.actor, text=p.text))
            return f"Note: {p.text}"
        case ev.CommandCopied():
            return f"Copied ({p.danger}): {p.command.splitlines()[0] if p.command else ''}"
        case ev.SwarmEvent():
            return f"{p.subject}: {p.text}"
        case ev.RootCauseConfirmed():
            i.root_causes_confirmed = [r for r in i.root_causes_confirmed if r.issue_id != p.issue_id]
            if p.confirmed:
                record = RootCauseRecord(issue_id=p.issue_id, at=event.at, actor=event.actor, note=p.note)
                i.root_causes_confirmed.append(record)
            issue = i.triage.issue(p.issue_id) if i.triage else None
            return f"Root cause {'confirmed' if p.confirmed else 'withdrawn'}: {issue.title if issue else p.issue_id}"
        case ev.Resolved():
            i.status = IncidentStatus.RESOLVED
            i.resolution = p.resolution
            i.resolved_at = event.at
            return f"Resolved: {p.resolution}"
        case ev.ReportsExported():
            i.exports.append(ExportRecord(at=event.at, folder=p.folder, files=p.files))
            return f"Reports exported to {p.folder}"
        case ev.IncidentClosed():
            i.status = IncidentStatus.CLOSED
            i.closed_at = event.at
            return "Incident closed"
        case ev.IncidentOpened():
            return "Incident reopened"
    raise FoldError(f"unhandled event kind {event.kind}")


def _update_mitigation(i: Incident, at: datetime) -> None:
    """Mitigated = every P0 issue ticked (or production verified) while still open."""
    if i.mitigated_at is not None or i.triage is None or i.status is not IncidentStatus.OPEN:
        if i.mitigated_at is None and i.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
            i.mitigated_at = i.resolved_at or at
        return
    p0 = [issue.id for issue in i.triage.by_severity(Severity.P0)]
    verified = "p0.verify" in i.ticked or "p0" in i.phases_done
    if verified or (p0 and all(item in i.ticked for item in p0)):
        i.mitigated_at = at
        i.status = IncidentStatus.MITIGATED


def _with_entry(i: Incident, event: ev.Event, text: str) -> Incident:
    entry = TimelineEntry(seq=event.seq, at=event.at, actor=event.actor, kind=event.kind, text=text)
    i.timeline.append(entry)
    i.last_seq = event.seq
    return i
