"""Which candidate causes count as the incident's root cause: confirmed by a person, or backed by a measurement.

A triage ranks hypotheses; a word match is not an identification. A cause is identified when a person
confirms it (a journal event) or when the collected evidence holds a signal that measures the cause
itself (an OOM kill, a missing image, an unschedulable task), not only its symptom (a service down).
"""

from __future__ import annotations

from datetime import datetime

from maestro.incident import Incident
from maestro.model import Model, Signal, SignalKind, TriageIssue

CAUSAL_SIGNALS = frozenset(
    {
        SignalKind.OOM_KILLED,
        SignalKind.IMAGE_MISSING,
        SignalKind.UNSCHEDULABLE,
        SignalKind.UPDATE_PAUSED,
        SignalKind.UPDATE_ROLLING_BACK,
        SignalKind.UPDATE_ROLLED_BACK,
        SignalKind.NODE_DOWN,
        SignalKind.NODE_DRAINED,
        SignalKind.MANAGER_UNREACHABLE,
        SignalKind.QUORUM_AT_RISK,
    }
)
"""Signals that measure a cause; service down, crash loops and failing health checks are symptoms."""


class Cause(Model):
    issue: TriageIssue
    at: datetime
    confirmed_by: str = ""
    note: str = ""
    signals: list[Signal] = []

    @property
    def basis(self) -> str:
        """Short: `confirmed by ana@node1` or `measured: oom_killed on cache`."""
        if self.confirmed_by:
            return f"confirmed by {self.confirmed_by}"
        return "measured: " + ", ".join(f"{s.kind} on {s.subject}" for s in self.signals)

    @property
    def how(self) -> str:
        if self.confirmed_by:
            return f"confirmed by {self.confirmed_by}" + (f": {self.note}" if self.note else "")
        return "measured: " + "; ".join(f"{s.kind} on {s.subject}: {s.detail}" for s in self.signals)


def causes(incident: Incident) -> list[Cause]:
    """Confirmed causes in the order people confirmed them, then the evidence-backed ones in triage order."""
    triage = incident.triage
    if triage is None:
        return []
    found: list[Cause] = []
    for record in incident.root_causes_confirmed:
        issue = triage.issue(record.issue_id)
        if issue is not None:
            found.append(
                Cause(
                    issue=issue,
                    at=record.at,
                    confirmed_by=record.actor,
                    note=record.note,
                    signals=measured(incident, issue),
                )
            )
    confirmed = {c.issue.id for c in found}
    for issue in triage.issues:
        if issue.id not in confirmed and (signals := measured(incident, issue)):
            found.append(Cause(issue=issue, at=triage.generated_at, signals=signals))
    return found


def identified_at(incident: Incident) -> datetime | None:
    return min((c.at for c in causes(incident)), default=None)


def measured(incident: Incident, issue: TriageIssue) -> list[Signal]:
    """The collected signals that measure this issue's cause and that the issue cites."""
    evidence = incident.evidence
    if evidence is None or not issue.subject:
        return []
    cited = " | ".join(issue.evidence)
    return [
        s
        for s in evidence.signals_for(issue.subject)
        if s.kind in CAUSAL_SIGNALS and (f"signal {s.kind} on {s.subject}" in cited or f"{s.kind}:{s.subject}" in cited)
    ]
