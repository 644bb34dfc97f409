"""The escalation clock and status-update drafts, computed from folded state and a clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from maestro.config import Config
from maestro.incident import Incident
from maestro.model import EscalationContact, IncidentStatus, Model, Severity


class ClockState(Model):
    elapsed: timedelta
    severity: Severity
    level: int
    current: EscalationContact
    next_contact: EscalationContact | None = None
    next_level: int | None = None
    next_escalation_in: timedelta | None = None
    next_update_in: timedelta | None = None
    running: bool = True

    @property
    def overdue(self) -> bool:
        return self.next_escalation_in is not None and self.next_escalation_in <= timedelta(0)


def clock(incident: Incident, config: Config, now: datetime) -> ClockState:
    """Where the incident stands against the chain: elapsed, next escalation, next status update."""
    severity = incident.severity or Severity.P1
    end = incident.resolved_at or incident.closed_at
    running = incident.status not in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)
    elapsed = (end if end and not running else now) - incident.opened_at
    chain = config.escalation
    level = min(incident.escalation_level, len(chain) - 1)
    state = ClockState(elapsed=elapsed, severity=severity, level=level, current=chain[level], running=running)
    if not running:
        return state
    for index in range(level + 1, len(chain)):
        after = chain[index].after_minutes.get(severity)
        if after is not None:
            state.next_contact = chain[index]
            state.next_level = index
            state.next_escalation_in = timedelta(minutes=after) - elapsed
            break
    cadence = severity.info.status_update_every_min
    if cadence is not None:
        last = incident.status_updates[-1].at if incident.status_updates else incident.opened_at
        state.next_update_in = last + timedelta(minutes=cadence) - now
    return state


def next_escalation(incident: Incident, config: Config) -> tuple[int, EscalationContact] | None:
    """The contact one step up the chain from the current level, whatever the clock says."""
    level = incident.escalation_level + 1
    if level >= len(config.escalation):
        return None
    return level, config.escalation[level]


def status_update(incident: Incident, now: datetime) -> str:
    """A status update in the brief's format, ready to paste into a channel."""
    number = len(incident.status_updates) + 1
    triage = incident.triage
    if incident.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        status = "Resolved"
    elif incident.status is IncidentStatus.MITIGATED:
        status = "Monitoring"
    elif incident.ticked:
        status = "Fix Deployed" if triage and any(i.id in incident.ticked for i in triage.issues) else "Investigating"
    else:
        status = "Investigating"
    impact = incident.context.user_impact or (triage.user_impact if triage else "") or "being assessed"
    if triage and incident.status in (IncidentStatus.OPEN, IncidentStatus.MITIGATED):
        remaining = sum(
            i.time_to_fix_min
            for i in triage.issues
            if i.severity in (Severity.P0, Severity.P1) and i.id not in incident.ticked
        )
        eta = f"{remaining} minutes" if remaining else "monitoring"
    else:
        eta = "being assessed" if incident.status is IncidentStatus.OPEN else "-"
    actions = _actions(incident)
    return f"[{now:%H:%M}] Update #{number}:\nStatus: {status}\nImpact: {impact}\nETA: {eta}\nActions: {actions}"


def _actions(incident: Incident) -> str:
    triage = incident.triage
    if incident.resolution:
        return incident.resolution
    if triage is None:
        return "Assessing the situation"
    done = [i.title for i in triage.issues if i.id in incident.ticked]
    todo = [i.title for i in triage.issues if i.id not in incident.ticked]
    parts = []
    if done:
        parts.append("done: " + "; ".join(done[:3]))
    if todo:
        parts.append("working on: " + todo[0])
    return ". ".join(parts) or "Assessing the situation"
