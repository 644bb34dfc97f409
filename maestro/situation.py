"""Where an incident stands at one moment: the facts the escalation rules, the decision trees and the status
wording are decided from, each defined once here.

- failing: services short of replicas or named by a failure signal, from the freshest evidence (the live poll
  when the screen passes it, else the last journaled capture).
- progress: a checklist item ticked in the last PROGRESS_WINDOW (one P0 status-update cadence), or fewer
  services failing than at the journaled capture before.
- root cause confirmed: a person confirmed it, or a signal measures it (maestro.root_cause). "Completely
  unknown": a triage exists, nothing is confirmed, every issue is the generic "unknown failure" one and no
  service is measured failing.
- broken: open and either not mitigated yet or with services still measured failing (ticking the P0 issues
  mitigates the incident on paper; the evidence has the last word).
- understood and being fixed: root cause confirmed and at least one P0/P1 fix ticked, with the incident open.
- fix deployed: a P0/P1 issue ticked. Still broken after it: its service is failing in evidence taken after the
  tick. Getting worse after it: a service failing now that was not failing when the first fix was ticked.
- data at risk: an open data-corruption issue, or data loss reported by a person. Security breach: a
  security-breach issue, or a person's report. An architectural decision or customer communication being
  needed are only ever reported by a person (ConditionReported).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from maestro import root_cause
from maestro.events import Condition
from maestro.incident import Incident
from maestro.model import Evidence, IncidentStatus, Model, Severity

PROGRESS_WINDOW = timedelta(minutes=15)
DATA_RUNBOOK = "data.corruption"
SECURITY_RUNBOOK = "security.breach"
GENERIC_RUNBOOK = "triage.generic"


class Situation(Model):
    at: datetime
    severity: Severity
    open: bool
    broken: bool
    elapsed: timedelta
    failing: list[str]
    evidence_at: datetime | None = None
    progress: str = ""
    last_progress_at: datetime | None = None
    root_cause_confirmed: bool = False
    root_cause_unknown: bool = False
    fixes_deployed: list[str] = []
    first_fix_at: datetime | None = None
    still_failing_after_fix: list[str] = []
    new_failures_since_fix: list[str] = []
    data_at_risk: str = ""
    data_loss: bool = False
    security_breach: str = ""
    architectural_decision: bool = False
    customer_communication: bool = False

    @property
    def understood_and_being_fixed(self) -> bool:
        return self.open and self.root_cause_confirmed and bool(self.fixes_deployed)


def situation(incident: Incident, now: datetime, evidence: Evidence | None = None) -> Situation:
    """The facts at `now`; `evidence` (a fresher live poll) wins over the incident's journaled capture."""
    evidence = _freshest(evidence, incident.evidence)
    open_ = incident.status not in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)
    end = None if open_ else incident.resolved_at or incident.closed_at
    failing = evidence.failing_services() if evidence else []
    s = Situation(
        at=now,
        severity=incident.severity or Severity.P1,
        open=open_,
        broken=open_ and (incident.status is IncidentStatus.OPEN or bool(failing)),
        elapsed=(end or now) - incident.opened_at,
        failing=failing,
        evidence_at=evidence.collected_at if evidence else None,
        root_cause_confirmed=root_cause.identified_at(incident) is not None,
        data_loss=Condition.DATA_LOSS in incident.conditions,
        architectural_decision=Condition.ARCHITECTURAL_DECISION in incident.conditions,
        customer_communication=Condition.CUSTOMER_COMMUNICATION in incident.conditions,
    )
    _progress(s, incident, now)
    _fixes(s, incident, evidence)
    _risks(s, incident)
    return s


def _freshest(latest: Evidence | None, journaled: Evidence | None) -> Evidence | None:
    if latest is None or journaled is None:
        return latest or journaled
    return latest if latest.collected_at >= journaled.collected_at else journaled


def _progress(s: Situation, incident: Incident, now: datetime) -> None:
    since = now - PROGRESS_WINDOW
    ticks = sorted(incident.ticked_at.items(), key=lambda kv: kv[1])
    s.last_progress_at = ticks[-1][1] if ticks else None
    if ticks and ticks[-1][1] >= since:
        s.progress = f"{_label(incident, ticks[-1][0])} done at {ticks[-1][1]:%H:%M}"
        return
    samples = incident.failing_seen
    for before, after in pairwise(samples):
        if after.at >= since and len(after.services) < len(before.services):
            s.progress = f"failing services down from {len(before.services)} to {len(after.services)}"
            s.last_progress_at = after.at


def _label(incident: Incident, item: str) -> str:
    issue = incident.triage.issue(item) if incident.triage else None
    return issue.title if issue else item


def _fixes(s: Situation, incident: Incident, evidence: Evidence | None) -> None:
    triage = incident.triage
    if triage is None:
        return
    fixed = [i for i in triage.issues if i.severity is not Severity.P2 and i.id in incident.ticked_at]
    s.fixes_deployed = [i.title for i in fixed]
    if not fixed:
        return
    s.first_fix_at = min(incident.ticked_at[i.id] for i in fixed)
    if evidence is not None:
        s.still_failing_after_fix = sorted(
            {i.subject for i in fixed if i.subject in s.failing and evidence.collected_at > incident.ticked_at[i.id]}
        )
    before = [sample for sample in incident.failing_seen if sample.at <= s.first_fix_at]
    if before and s.evidence_at is not None and s.evidence_at > s.first_fix_at:
        s.new_failures_since_fix = sorted(set(s.failing) - set(before[-1].services))


def _risks(s: Situation, incident: Incident) -> None:
    triage = incident.triage
    issues = triage.issues if triage else []
    data = [i for i in issues if i.runbook_id == DATA_RUNBOOK and i.id not in incident.ticked_at]
    if data:
        s.data_at_risk = data[0].title
    elif s.data_loss:
        s.data_at_risk = "data loss reported"
    security = [i for i in issues if i.runbook_id == SECURITY_RUNBOOK]
    if security:
        s.security_breach = security[0].title
    elif Condition.SECURITY_BREACH in incident.conditions:
        s.security_breach = "security breach reported"
    s.root_cause_unknown = (
        triage is not None
        and not s.root_cause_confirmed
        and not s.failing
        and all(i.runbook_id == GENERIC_RUNBOOK for i in issues)
    )
