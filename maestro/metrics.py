"""Incident metrics (time to acknowledge, mitigate, resolve; counts) computed from folded state."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import ConfigDict

from maestro.incident import Incident
from maestro.model import Model, Severity


class Metrics(Model):
    """Durations are None until the incident reaches that point; JSON carries them as seconds."""

    model_config = ConfigDict(extra="forbid", ser_json_temporal="seconds")

    time_to_detect: timedelta | None = None
    """From when it began (as reported) to the incident being opened."""
    time_to_acknowledge: timedelta | None = None
    time_to_mitigate: timedelta | None = None
    time_to_resolve: timedelta | None = None
    duration: timedelta | None = None
    issues_by_severity: dict[Severity, int]
    fixed_by_severity: dict[Severity, int]
    issues_total: int
    issues_fixed: int
    escalations: int
    status_updates: int
    notes: int


def metrics(incident: Incident) -> Metrics:
    triage = incident.triage
    issues = triage.issues if triage else []
    end = incident.closed_at or incident.resolved_at
    return Metrics(
        time_to_detect=_since(incident.context.began_at, incident.opened_at) if incident.context.began_at else None,
        time_to_acknowledge=_since(incident.opened_at, incident.acknowledged_at),
        time_to_mitigate=_since(incident.opened_at, incident.mitigated_at),
        time_to_resolve=_since(incident.opened_at, incident.resolved_at),
        duration=_since(incident.opened_at, end),
        issues_by_severity={s: sum(i.severity == s for i in issues) for s in Severity},
        fixed_by_severity={s: sum(i.severity == s and i.id in incident.ticked for i in issues) for s in Severity},
        issues_total=len(issues),
        issues_fixed=sum(i.id in incident.ticked for i in issues),
        escalations=len(incident.escalations),
        status_updates=len(incident.status_updates),
        notes=len(incident.notes),
    )


def _since(start: datetime, end: datetime | None) -> timedelta | None:
    return None if end is None else max(end - start, timedelta(0))


def format_duration(value: timedelta | None, missing: str = "not reached") -> str:
    """`45 s`, `12 min`, `2 h 05 min`, `1 d 3 h`."""
    if value is None:
        return missing
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, _ = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"
