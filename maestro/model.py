"""Typed shapes of everything maestro knows: severities, evidence, triage, incidents."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Severity(StrEnum):
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"

    @property
    def info(self) -> SeverityInfo:
        return SEVERITIES[self]

    @property
    def rank(self) -> int:
        return int(self.value[1])


class SeverityInfo(Model):
    level: Severity
    label: str
    status_word: str
    definition: str
    response_time: str
    fix_window: str
    escalate_after_min: int | None
    status_update_every_min: int | None
    examples: list[str]


SEVERITIES: dict[Severity, SeverityInfo] = {
    Severity.P0: SeverityInfo(
        level=Severity.P0,
        label="Critical",
        status_word="BLOCKING PRODUCTION",
        definition="Production down, data at risk",
        response_time="Immediate",
        fix_window="Drop everything",
        escalate_after_min=30,
        status_update_every_min=15,
        examples=["API offline", "database locked", "data corruption"],
    ),
    Severity.P1: SeverityInfo(
        level=Severity.P1,
        label="High",
        status_word="DEGRADED",
        definition="Degraded performance, user impact",
        response_time="< 1 hour",
        fix_window="Fix within 1 hour",
        escalate_after_min=60,
        status_update_every_min=30,
        examples=["slow queries", "intermittent errors", "cache failures"],
    ),
    Severity.P2: SeverityInfo(
        level=Severity.P2,
        label="Medium",
        status_word="MINOR",
        definition="Minor issues, limited impact",
        response_time="< 24 hours",
        fix_window="Fix after production is restored",
        escalate_after_min=None,
        status_update_every_min=None,
        examples=["UI bugs", "non-critical errors", "logging issues"],
    ),
}


class Danger(StrEnum):
    """Declared mildest first: the order is the rank."""

    READ_ONLY = "read-only"
    MUTATING = "mutating"
    DESTRUCTIVE = "destructive"

    @property
    def rank(self) -> int:
        return list(Danger).index(self)

    @staticmethod
    def worst(*dangers: Danger) -> Danger:
        return max(dangers, key=lambda d: d.rank)


class Provenance(StrEnum):
    RULES = "rules"
    CLAUDE = "claude"


class Command(Model):
    """A copy-ready shell command. `danger` is always decided by maestro.safety."""

    text: str
    purpose: str = ""
    expected: str = ""
    danger: Danger = Danger.MUTATING


class IssueStatus(StrEnum):
    OPEN = "open"
    FIXED = "fixed"
    DEFERRED = "deferred"


class TriageIssue(Model):
    id: str = Field(description="Stable id: runbook id plus subject, e.g. swarm.crash_loop:worker")
    runbook_id: str
    subject: str = ""
    severity: Severity
    title: str
    summary: str
    impact: str = ""
    symptoms: list[str] = []
    root_cause: str = ""
    evidence: list[str] = []
    fix: list[Command] = []
    verify: list[Command] = []
    rollback: list[Command] = []
    time_to_fix_min: int = 15
    owner: str = "On-call engineer"
    escalate_if: str = ""
    confidence: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
    provenance: Provenance = Provenance.RULES
    measured: list[str] = Field(default=[], description="What the engine measured that supports the issue")
    reported: list[str] = Field(default=[], description="Words of the report that point to the issue")
    hypothesis: bool = Field(default=False, description="Raised from the words alone: nothing measured confirms it")
    check: str = Field(default="", description="Read-only command that would confirm or refute a hypothesis")
    why: str = Field(default="", description="Why the issue ranks where it does, measured facts before words")

    def commands(self) -> list[tuple[str, Command]]:
        return (
            [("fix", c) for c in self.fix]
            + [("verify", c) for c in self.verify]
            + [("rollback", c) for c in self.rollback]
        )


class SystemStatus(StrEnum):
    DOWN = "down"
    DEGRADED = "degraded"
    PARTIAL = "partially available"
    OPERATIONAL = "operational"


class Prevention(Model):
    immediate: list[str] = []
    short_term: list[str] = []
    long_term: list[str] = []


class Triage(Model):
    severity: Severity
    system_status: SystemStatus
    user_impact: str
    primary_cause: str
    contributing_factors: list[str] = []
    root_cause_identified: bool = False
    issues: list[TriageIssue]
    prevention: Prevention = Prevention()
    eta_minutes: int
    engine: Provenance = Provenance.RULES
    generated_at: datetime
    notice: str = ""

    def issue(self, issue_id: str) -> TriageIssue | None:
        return next((i for i in self.issues if i.id == issue_id), None)

    def by_severity(self, severity: Severity) -> list[TriageIssue]:
        return [i for i in self.issues if i.severity == severity]

    def minutes_for(self, severity: Severity) -> int:
        return sum(i.time_to_fix_min for i in self.by_severity(severity))


class PhaseItem(Model):
    id: str
    text: str


class Phase(Model):
    id: str
    title: str
    budget: str
    items: list[PhaseItem]


class PhaseBudget(Model):
    """The seed's time box for one phase of the recovery sequence; None minutes = no clock (deferred, 24h later)."""

    label: str
    min_minutes: int | None = None
    max_minutes: int | None = None
    severity: Severity | None = None


PHASE_BUDGETS: dict[str, PhaseBudget] = {
    "assess": PhaseBudget(label="2 minutes", min_minutes=2, max_minutes=2),
    "p0": PhaseBudget(label="10-15 minutes max", min_minutes=10, max_minutes=15, severity=Severity.P0),
    "p1": PhaseBudget(label="30-60 minutes", min_minutes=30, max_minutes=60, severity=Severity.P1),
    "p2": PhaseBudget(label="deferred", severity=Severity.P2),
    "postmortem": PhaseBudget(label="24h later"),
}


def recovery_sequence(triage: Triage) -> list[Phase]:
    """The seed's order of operations, filled with this triage's issues."""

    def fixes(severity: Severity) -> list[PhaseItem]:
        return [PhaseItem(id=i.id, text=f"Fix: {i.title}") for i in triage.by_severity(severity)]

    return [
        Phase(
            id="assess",
            title="PAUSE: assess situation",
            budget=PHASE_BUDGETS["assess"].label,
            items=[
                PhaseItem(id="assess.alerts", text="Read all alerts"),
                PhaseItem(id="assess.dashboards", text="Check monitoring dashboards"),
                PhaseItem(id="assess.notify", text="Notify team"),
            ],
        ),
        Phase(
            id="p0",
            title="P0 FIXES: production down",
            budget=PHASE_BUDGETS["p0"].label,
            items=[*fixes(Severity.P0), PhaseItem(id="p0.verify", text="Verify production restored")],
        ),
        Phase(
            id="p1",
            title="P1 FIXES: degraded performance",
            budget=PHASE_BUDGETS["p1"].label,
            items=[*fixes(Severity.P1), PhaseItem(id="p1.monitor", text="Monitor for stability")],
        ),
        Phase(
            id="p2",
            title="P2 FIXES: minor issues (deferred)",
            budget=PHASE_BUDGETS["p2"].label,
            items=[
                *fixes(Severity.P2),
                PhaseItem(id="p2.schedule", text="Schedule fixes for next sprint"),
                PhaseItem(id="p2.backlog", text="Document in backlog"),
            ],
        ),
        Phase(
            id="postmortem",
            title="POST-MORTEM: after recovery",
            budget=PHASE_BUDGETS["postmortem"].label,
            items=[
                PhaseItem(id="pm.report", text="Write incident report"),
                PhaseItem(id="pm.prevention", text="Identify prevention measures"),
                PhaseItem(id="pm.runbooks", text="Update runbooks"),
            ],
        ),
    ]


# --- evidence -----------------------------------------------------------------


class SignalKind(StrEnum):
    ENGINE_UNREACHABLE = "engine_unreachable"
    PERMISSION_DENIED = "permission_denied"
    NOT_SWARM_MANAGER = "not_swarm_manager"
    SERVICE_DOWN = "service_down"
    REPLICAS_BELOW_DESIRED = "replicas_below_desired"
    CRASH_LOOP = "crash_loop"
    OOM_KILLED = "oom_killed"
    UNHEALTHY = "unhealthy"
    UNSCHEDULABLE = "unschedulable"
    IMAGE_MISSING = "image_missing"
    UPDATE_PAUSED = "update_paused"
    UPDATE_ROLLING_BACK = "update_rolling_back"
    UPDATE_ROLLED_BACK = "update_rolled_back"
    NODE_DOWN = "node_down"
    NODE_DRAINED = "node_drained"
    MANAGER_UNREACHABLE = "manager_unreachable"
    QUORUM_AT_RISK = "quorum_at_risk"
    RECENT_DEPLOY = "recent_deploy"


FAILURE_SIGNALS = frozenset(
    {
        SignalKind.SERVICE_DOWN,
        SignalKind.REPLICAS_BELOW_DESIRED,
        SignalKind.CRASH_LOOP,
        SignalKind.OOM_KILLED,
        SignalKind.UNHEALTHY,
        SignalKind.UNSCHEDULABLE,
        SignalKind.IMAGE_MISSING,
    }
)
"""Signals that say a service is failing now (a rolled-back update or a recent deploy alone do not)."""


class Signal(Model):
    kind: SignalKind
    subject: str = Field(description="Service or node name the signal is about; empty for the engine")
    detail: str
    observed_at: datetime
    data: dict[str, str] = Field(
        default={}, description="Facts for command placeholders: exit_code, image, node, memory_limit, error"
    )


class NodeInfo(Model):
    id: str
    hostname: str
    role: str
    availability: str
    state: str
    addr: str = ""
    leader: bool = False
    reachability: str = ""


FAILED_TASK_STATES = frozenset({"failed", "rejected", "orphaned"})
"""Task states that end a task with its work undone: it crashed, could not start, or lost its node."""


class TaskInfo(Model):
    id: str
    service: str
    slot: int | None = None
    node: str = ""
    desired_state: str
    state: str
    message: str = ""
    error: str = ""
    exit_code: int | None = None
    container_id: str = ""
    timestamp: datetime | None = None

    @property
    def failed(self) -> bool:
        return self.state in FAILED_TASK_STATES

    @property
    def in_trouble(self) -> bool:
        """Failed, or carrying an error the engine reported."""
        return self.failed or bool(self.error)


class ServiceState(StrEnum):
    """What the services table says of a service; declared worst first, so the order is the rank."""

    DOWN = "DOWN"
    DEGRADED = "DEGRADED"
    UPDATE = "UPDATE"
    ERRORS = "ERRORS"
    OK = "ok"
    IDLE = "idle"

    @property
    def rank(self) -> int:
        return list(ServiceState).index(self)

    @property
    def troubled(self) -> bool:
        return self.rank < ServiceState.OK.rank


TROUBLED_UPDATE_STATES = ("paused", "rollback_started", "rollback_paused", "rollback_completed")


class ServiceInfo(Model):
    id: str
    name: str
    image: str
    mode: str = "replicated"
    desired: int
    running: int
    update_state: str = ""
    update_message: str = ""
    updated_at: datetime | None = None
    memory_limit: int | None = None
    constraints: list[str] = []
    last_error: str = ""
    restarts: int = 0

    @property
    def state(self) -> ServiceState:
        """Nothing wanted: idle; nothing running: DOWN; fewer than wanted: DEGRADED; then update, then errors."""
        if self.desired == 0:
            return ServiceState.IDLE
        if self.running == 0:
            return ServiceState.DOWN
        if self.running < self.desired:
            return ServiceState.DEGRADED
        if self.update_state in TROUBLED_UPDATE_STATES:
            return ServiceState.UPDATE
        if self.restarts or self.last_error:
            return ServiceState.ERRORS
        return ServiceState.OK


class LogLine(Model):
    service: str
    at: datetime | None = None
    text: str


class Evidence(Model):
    collected_at: datetime
    source: str = Field(description="swarm, demo, or none")
    engine: str = ""
    errors: list[str] = []
    services: list[ServiceInfo] = []
    nodes: list[NodeInfo] = []
    tasks: list[TaskInfo] = []
    signals: list[Signal] = []
    logs: list[LogLine] = []

    def signals_for(self, subject: str) -> list[Signal]:
        return [s for s in self.signals if s.subject == subject]

    def failing_services(self) -> list[str]:
        """Services short of their desired replicas or named by a failure signal, sorted by name."""
        short = {s.name for s in self.services if s.desired > 0 and s.running < s.desired}
        signalled = {s.subject for s in self.signals if s.kind in FAILURE_SIGNALS and s.subject}
        return sorted(short | signalled)

    @property
    def engine_unusable(self) -> str:
        """Why this poll could not see the swarm at all (engine gone, refusing us, no manager); else ''.

        Such evidence is no snapshot of the services: the last one that saw them stays the one to show.
        """
        return self.errors[0] if self.errors and not self.services else ""


# --- incident context and escalation ---------------------------------------


class IncidentContext(Model):
    description: Annotated[str, Field(min_length=1)]
    what_broke: str = ""
    when: str = ""
    began_at: datetime | None = Field(default=None, description="When it began, read from `when` or the description")
    user_impact: str = ""
    error_messages: str = ""
    recent_changes: str = ""

    def text(self) -> str:
        """Every free-text field, for matching."""
        return "\n".join(
            v
            for v in (
                self.description,
                self.what_broke,
                self.user_impact,
                self.error_messages,
                self.recent_changes,
            )
            if v
        )


class IncidentStatus(StrEnum):
    OPEN = "open"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"
    CLOSED = "closed"


class EscalationContact(Model):
    role: str
    name: str = ""
    contact: str = ""
    escalate_if: list[str] = []
    after_minutes: dict[Severity, int] = Field(
        default={}, description="Escalate to this contact when an incident of that severity is open this long"
    )
    notify: str = Field(default="", description="The [[notify]] channel that reaches this contact")

    @property
    def label(self) -> str:
        """Role and name: `Team lead (Bo)`."""
        return f"{self.role} ({self.name})" if self.name else self.role

    @property
    def label_with_contact(self) -> str:
        """Role, name and how to reach them: `Team lead (Bo) - +1 555 0100`."""
        return f"{self.label} - {self.contact}" if self.contact else self.label


class TimelineEntry(Model):
    seq: int
    at: datetime
    actor: str
    kind: str
    text: str
