"""Journal event kinds and their validated payloads."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from maestro.model import Danger, Evidence, IncidentContext, Severity, Triage


class EventKind(StrEnum):
    INCIDENT_OPENED = "incident_opened"
    CONTEXT_UPDATED = "context_updated"
    EVIDENCE_CAPTURED = "evidence_captured"
    TRIAGE_GENERATED = "triage_generated"
    TRIAGE_FAILED = "triage_failed"
    ITEM_TICKED = "item_ticked"
    ITEM_UNTICKED = "item_unticked"
    PHASE_TICKED = "phase_ticked"
    PHASE_UNTICKED = "phase_unticked"
    SEVERITY_CHANGED = "severity_changed"
    ESCALATED = "escalated"
    STATUS_UPDATE_DRAFTED = "status_update_drafted"
    NOTE_ADDED = "note_added"
    COMMAND_COPIED = "command_copied"
    SWARM_EVENT = "swarm_event"
    ROOT_CAUSE_CONFIRMED = "root_cause_confirmed"
    RESOLVED = "resolved"
    REPORTS_EXPORTED = "reports_exported"
    INCIDENT_CLOSED = "incident_closed"
    ESCALATION_RULE_FIRED = "escalation_rule_fired"
    STATUS_UPDATE_SENT = "status_update_sent"
    NOTIFICATION_SENT = "notification_sent"
    CONDITION_REPORTED = "condition_reported"


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncidentOpened(Payload):
    context: IncidentContext
    severity: Severity | None = None


class ContextUpdated(Payload):
    context: IncidentContext


class EvidenceCaptured(Payload):
    evidence: Evidence


class TriageGenerated(Payload):
    triage: Triage
    summary: str = ""


class TriageFailed(Payload):
    engine: str
    reason: str


class ItemTicked(Payload):
    item: str
    label: str = ""


class PhaseTicked(Payload):
    phase: str
    label: str = ""


class SeverityChanged(Payload):
    severity: Severity
    reason: str = ""


class Escalated(Payload):
    level: int
    role: str
    name: str = ""
    contact: str = ""
    reason: str = ""


class StatusUpdateDrafted(Payload):
    number: int
    text: str


class NoteAdded(Payload):
    text: str


class CommandCopied(Payload):
    command: str
    danger: Danger
    issue_id: str = ""


class SwarmEvent(Payload):
    subject: str
    text: str


class RootCauseConfirmed(Payload):
    """A person confirms (or, with confirmed=False, withdraws) an issue's root cause as the incident's."""

    issue_id: str
    confirmed: bool = True
    note: str = ""


class Resolved(Payload):
    resolution: str


class ReportsExported(Payload):
    folder: str
    files: list[str]


class IncidentClosed(Payload):
    pass


class EscalationRuleFired(Payload):
    """An escalation rule became true; journaled once per rule and incident (Journal.append_once on `rule`)."""

    rule: str
    level: int
    role: str
    reason: str


class StatusUpdateSent(Payload):
    """The text people received (after the person's edits); `channels` empty when it was posted by hand."""

    number: int
    text: str
    channels: list[str] = []


class NotificationSent(Payload):
    """One delivery to one channel: the channel's name, never its URL or key."""

    channel: str
    channel_kind: str
    notice: str
    ok: bool
    attempts: int
    detail: str


class Condition(StrEnum):
    """What only a person can tell: the seed's escalation conditions that no measurement shows."""

    ARCHITECTURAL_DECISION = "architectural_decision"
    CUSTOMER_COMMUNICATION = "customer_communication"
    DATA_LOSS = "data_loss"
    SECURITY_BREACH = "security_breach"


class ConditionReported(Payload):
    condition: Condition
    present: bool = True
    note: str = ""


PAYLOADS: dict[EventKind, type[Payload]] = {
    EventKind.INCIDENT_OPENED: IncidentOpened,
    EventKind.CONTEXT_UPDATED: ContextUpdated,
    EventKind.EVIDENCE_CAPTURED: EvidenceCaptured,
    EventKind.TRIAGE_GENERATED: TriageGenerated,
    EventKind.TRIAGE_FAILED: TriageFailed,
    EventKind.ITEM_TICKED: ItemTicked,
    EventKind.ITEM_UNTICKED: ItemTicked,
    EventKind.PHASE_TICKED: PhaseTicked,
    EventKind.PHASE_UNTICKED: PhaseTicked,
    EventKind.SEVERITY_CHANGED: SeverityChanged,
    EventKind.ESCALATED: Escalated,
    EventKind.STATUS_UPDATE_DRAFTED: StatusUpdateDrafted,
    EventKind.NOTE_ADDED: NoteAdded,
    EventKind.COMMAND_COPIED: CommandCopied,
    EventKind.SWARM_EVENT: SwarmEvent,
    EventKind.ROOT_CAUSE_CONFIRMED: RootCauseConfirmed,
    EventKind.RESOLVED: Resolved,
    EventKind.REPORTS_EXPORTED: ReportsExported,
    EventKind.INCIDENT_CLOSED: IncidentClosed,
    EventKind.ESCALATION_RULE_FIRED: EscalationRuleFired,
    EventKind.STATUS_UPDATE_SENT: StatusUpdateSent,
    EventKind.NOTIFICATION_SENT: NotificationSent,
    EventKind.CONDITION_REPORTED: ConditionReported,
}


class Event(BaseModel):
    """One row of the journal. `payload` has been validated against PAYLOADS[kind]."""

    model_config = ConfigDict(extra="forbid")

    seq: int
    incident_id: str
    at: datetime
    actor: str
    kind: EventKind
    payload: Payload

    @classmethod
    def from_row(
        cls, seq: int, incident_id: str, at: datetime, actor: str, kind: str, payload: dict[str, Any]
    ) -> Event:
        event_kind = EventKind(kind)
        return cls(
            seq=seq,
            incident_id=incident_id,
            at=at,
            actor=actor,
            kind=event_kind,
            payload=PAYLOADS[event_kind].model_validate(payload),
        )
