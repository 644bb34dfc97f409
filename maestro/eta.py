"""The one estimate of time to recovery, from the work still open, checked against the seed's phase budgets.

Every place that shows an ETA or a minutes total (the screen's header and checklist, the status-update
draft, each report) asks `estimate`, so two views of one incident never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from enum import StrEnum

from maestro.incident import Incident
from maestro.model import PHASE_BUDGETS, IncidentStatus, Model, PhaseBudget, Severity, Triage, TriageIssue

RECOVERY_SEVERITIES = (Severity.P0, Severity.P1)
"""Full recovery is the P0 and P1 work; P2 waits until production is restored."""


class EtaState(StrEnum):
    NOT_ESTIMATED = "not estimated"
    WORKING = "working"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class PhaseWork(Model):
    """One fix phase of the recovery sequence: its work against its budget."""

    phase: str
    severity: Severity
    budget: PhaseBudget
    issues: int
    open_issues: int
    minutes: int
    open_minutes: int

    @property
    def over_budget(self) -> bool:
        return self.budget.max_minutes is not None and self.open_minutes > self.budget.max_minutes

    @property
    def people_needed(self) -> int:
        """How many people working in parallel bring the open work inside the budget."""
        if self.budget.max_minutes is None or self.open_minutes == 0:
            return 1
        return max(1, math.ceil(self.open_minutes / self.budget.max_minutes))

    @property
    def advice(self) -> str:
        """Empty when the open work fits the budget; else what the seed's budget asks for."""
        if not self.over_budget:
            return ""
        fixes = f"{self.open_issues} open fix{'es' * (self.open_issues != 1)}"
        return (
            f"{self.severity} work ({self.open_minutes} min, {fixes}) exceeds the seed's {self.budget.label} budget:"
            f" work the fixes in parallel ({self.people_needed} people) or escalate for more hands"
        )


class Eta(Model):
    state: EtaState
    minutes: int | None = None
    """Open P0 + P1 work in minutes (or the open P2 work when the incident has nothing more urgent)."""
    phases: list[PhaseWork] = []

    def phase(self, severity: Severity) -> PhaseWork | None:
        return next((p for p in self.phases if p.severity is severity), None)

    def work(self, phase_id: str) -> PhaseWork | None:
        """The fix work of a recovery-sequence phase (`p0`, `p1`, `p2`); None for assess and post-mortem."""
        return next((p for p in self.phases if p.phase == phase_id), None)

    @property
    def over_budget(self) -> list[PhaseWork]:
        return [p for p in self.phases if p.over_budget]

    @property
    def breakdown(self) -> str:
        """`P0 25 min + P1 30 min`: the open work of each phase that has any."""
        urgent = [p for p in self.phases if p.severity in RECOVERY_SEVERITIES and p.issues]
        counted = urgent or self.phases
        return " + ".join(f"{p.severity} {p.open_minutes} min" for p in counted if p.open_minutes)

    @property
    def text(self) -> str:
        """One phrase for a status update or a header: `55 minutes`, `monitoring`, `resolved`."""
        return self.worded("being assessed", "resolved", "monitoring", f"{self.minutes} minutes")

    @property
    def sentence(self) -> str:
        """The ETA as a report states it."""
        return self.worded(
            "not estimated yet (no triage)",
            "resolved",
            "no fix work open: monitoring for stability",
            f"about {self.minutes} minutes of open work ({self.breakdown})",
        )

    def worded(self, not_estimated: str, resolved: str, monitoring: str, working: str) -> str:
        """The one of four words that fits the state: every view says the same ETA in its own words."""
        if self.state is EtaState.NOT_ESTIMATED:
            return not_estimated
        if self.state is EtaState.RESOLVED:
            return resolved
        if not self.minutes:
            return monitoring
        return working


def estimate(triage: Triage | None, done: Collection[str] = (), status: IncidentStatus = IncidentStatus.OPEN) -> Eta:
    """Time to full recovery from the issues not yet ticked, with each fix phase checked against its budget."""
    if status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        return Eta(state=EtaState.RESOLVED, minutes=0, phases=_phases(triage, done) if triage else [])
    if triage is None:
        return Eta(state=EtaState.NOT_ESTIMATED)
    phases = _phases(triage, done)
    minutes = recovery_minutes(triage.issues, done)
    state = EtaState.MONITORING if status is IncidentStatus.MITIGATED and not minutes else EtaState.WORKING
    return Eta(state=state, minutes=minutes, phases=phases)


def for_incident(incident: Incident) -> Eta:
    return estimate(incident.triage, set(incident.ticked), incident.status)


def recovery_minutes(issues: Iterable[TriageIssue], done: Collection[str] = ()) -> int:
    """Minutes of open P0 and P1 work; when there is none of either at all, the open P2 work."""
    issues = list(issues)
    urgent = [i for i in issues if i.severity in RECOVERY_SEVERITIES]
    counted = urgent if urgent else issues
    return sum(i.time_to_fix_min for i in counted if i.id not in done)


def _phases(triage: Triage, done: Collection[str]) -> list[PhaseWork]:
    phases = []
    for phase_id, budget in PHASE_BUDGETS.items():
        if budget.severity is None:
            continue
        issues = triage.by_severity(budget.severity)
        open_issues = [i for i in issues if i.id not in done]
        phases.append(
            PhaseWork(
                phase=phase_id,
                severity=budget.severity,
                budget=budget,
                issues=len(issues),
                open_issues=len(open_issues),
                minutes=sum(i.time_to_fix_min for i in issues),
                open_minutes=sum(i.time_to_fix_min for i in open_issues),
            )
        )
    return phases
