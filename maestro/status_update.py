"""Status updates in the seed's format, worded with the status-page states people already know.

The state comes from the situation, never from a tick alone: "Monitoring" needs the fix in AND no service
measured failing; with services still down the update says "Identified" (cause known, fix under way).
Drafting records nothing that moves the clock: only `send` (to channels, or marked sent by hand) does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from maestro import eta
from maestro import events as ev
from maestro.incident import Incident
from maestro.model import Evidence, IncidentStatus, Severity
from maestro.situation import Situation, situation

if TYPE_CHECKING:
    from maestro.config import Config
    from maestro.notify.send import Delivery, Record


class UpdateStatus(StrEnum):
    """The status-page states (Statuspage, incident.io): what a reader outside the team expects to see."""

    INVESTIGATING = "Investigating"
    IDENTIFIED = "Identified"
    MONITORING = "Monitoring"
    RESOLVED = "Resolved"


def update_status(incident: Incident, s: Situation) -> UpdateStatus:
    if incident.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        return UpdateStatus.RESOLVED
    triage = incident.triage
    urgent = [i for i in triage.issues if i.severity is not Severity.P2] if triage else []
    fixed_all = bool(urgent) and all(i.id in incident.ticked_at for i in urgent)
    if (incident.status is IncidentStatus.MITIGATED or fixed_all) and not s.failing:
        return UpdateStatus.MONITORING
    if s.root_cause_confirmed or s.fixes_deployed:
        return UpdateStatus.IDENTIFIED
    return UpdateStatus.INVESTIGATING


def draft(incident: Incident, now: datetime, evidence: Evidence | None = None) -> str:
    """The next update's text, for the person to edit before it is sent."""
    s = situation(incident, now, evidence)
    status = update_status(incident, s)
    lines = [
        f"[{now:%H:%M}] Update #{incident.next_update_number}:",
        f"Status: {status}",
        f"Impact: {_impact(incident, s)}",
        f"ETA: {_eta(incident, status)}",
        f"Actions: {_actions(incident, s)}",
    ]
    return "\n".join(lines)


def _impact(incident: Incident, s: Situation) -> str:
    triage = incident.triage
    words = incident.context.user_impact or (triage.user_impact if triage else "") or "being assessed"
    if s.failing and s.open:
        n = len(s.failing)
        return f"{words}; {n} service{'s' * (n != 1)} failing ({', '.join(s.failing[:6])}{', ...' * (n > 6)})"
    return words


def _eta(incident: Incident, status: UpdateStatus) -> str:
    if status is UpdateStatus.RESOLVED:
        return "-"
    return eta.for_incident(incident).text


def _actions(incident: Incident, s: Situation) -> str:
    triage = incident.triage
    if incident.resolution:
        return incident.resolution
    if triage is None:
        return "Assessing the situation"
    done = [i.title for i in triage.issues if i.id in incident.ticked_at]
    todo = [i.title for i in triage.issues if i.id not in incident.ticked_at]
    parts = []
    if done:
        parts.append("done: " + "; ".join(done[:3]))
    if s.still_failing_after_fix:
        parts.append("still failing after the fix: " + ", ".join(s.still_failing_after_fix))
    if todo:
        parts.append("working on: " + todo[0])
    return ". ".join(parts) or "Assessing the situation"


def send(
    record: Record,
    incident: Incident,
    text: str,
    channels: Sequence[str],
    config: Config,
    now: datetime,
    who: str,
    *,
    env: Mapping[str, str] | None = None,
) -> list[Delivery]:
    """Send the (edited) update to the named channels; with no channel it is marked sent by hand.

    The update counts as sent (and its clock restarts) when at least one channel took it. Once the incident is
    resolved the update goes out as a resolution (PagerDuty resolves its alert).
    """
    from maestro.notify.payloads import NoticeKind
    from maestro.notify.send import notify_incident

    number = incident.next_update_number
    finished = incident.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)
    kind = NoticeKind.RESOLVED if finished else NoticeKind.STATUS_UPDATE
    deliveries = notify_incident(record, incident, kind, text, channels, config, now, who, env=env)
    reached = [d.channel for d in deliveries if d.ok]
    if channels and not reached:
        return deliveries
    from maestro.redact import redact

    sent = ev.StatusUpdateSent(number=number, text=redact(text), channels=reached)
    record(ev.EventKind.STATUS_UPDATE_SENT, sent)
    return deliveries
