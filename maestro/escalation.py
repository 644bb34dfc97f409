"""Escalation: the seed's rules as data, a pure evaluator over the incident's situation, and the clock.

The seed's "Escalate immediately if" list and each contact's conditions become RULES (who, the seed's words,
whether progress holds it back); the chain's timers (P0 30 min, P1 1 h, P0 4 h) come from the config's
`after_minutes`, so a team can move them. The facts the rules read ("progress", "understood", "failing") are
defined in maestro.situation. Nothing fires for a P2 ("handle during business hours"); progress or an understood
issue that is being fixed holds back only the rules marked `held_by_progress`: a data, security or time rule
fires whatever the progress.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from maestro import events as ev
from maestro.config import Config
from maestro.incident import Incident
from maestro.model import EscalationContact, Evidence, IncidentStatus, Model, Severity
from maestro.situation import Situation, situation
from maestro.status_update import draft as status_update

if TYPE_CHECKING:
    from maestro.notify.send import Delivery, Record

__all__ = [
    "Advice",
    "ClockState",
    "Firing",
    "advise",
    "clock",
    "escalate",
    "next_escalation",
    "record_firings",
    "status_update",
]


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
        sent = [u.sent_at for u in incident.sent_updates if u.sent_at is not None]
        last = sent[-1] if sent else incident.opened_at
        state.next_update_in = last + timedelta(minutes=cadence) - now
    return state


def next_escalation(incident: Incident, config: Config) -> tuple[int, EscalationContact] | None:
    """The contact one step up the chain from the current level, whatever the clock says."""
    level = incident.escalation_level + 1
    if level >= len(config.escalation):
        return None
    return level, config.escalation[level]


# --- the rules ---------------------------------------------------------------------------------------


class Rule(Model):
    id: str
    seed: str
    role: str
    default_level: int
    immediate: bool
    held_by_progress: bool


RULES: list[Rule] = [
    Rule(
        id="data_loss_or_corruption",
        seed="Data loss or corruption detected",
        role="Infrastructure Manager",
        default_level=2,
        immediate=True,
        held_by_progress=False,
    ),
    Rule(
        id="data_loss",
        seed="Data loss occurred",
        role="CTO",
        default_level=3,
        immediate=True,
        held_by_progress=False,
    ),
    Rule(
        id="security_breach",
        seed="Security breach suspected",
        role="CTO",
        default_level=3,
        immediate=True,
        held_by_progress=False,
    ),
    Rule(
        id="multiple_services",
        seed="Multiple services failing simultaneously",
        role="Infrastructure Manager",
        default_level=2,
        immediate=True,
        held_by_progress=True,
    ),
    Rule(
        id="root_cause_unknown",
        seed="Root cause completely unknown",
        role="Team Lead",
        default_level=1,
        immediate=True,
        held_by_progress=True,
    ),
    Rule(
        id="architectural_decision",
        seed="P0 needs an architectural decision",
        role="Team Lead",
        default_level=1,
        immediate=False,
        held_by_progress=False,
    ),
    Rule(
        id="customer_communication",
        seed="Customer communication needed",
        role="Infrastructure Manager",
        default_level=2,
        immediate=False,
        held_by_progress=False,
    ),
]
"""Seed rules decided from facts. The time rules ("P0 not resolved in 30 minutes", "P1 not resolved in 1 hour",
"Major outage (> 4 hours)") are the chain's `after_minutes` timers, evaluated in `_timers`."""


def _services(names: list[str]) -> str:
    return ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")


_CHECKS: dict[str, Callable[[Situation], str]] = {
    "data_loss_or_corruption": lambda s: (
        f"data loss or corruption detected ({s.data_at_risk})" if s.data_at_risk else ""
    ),
    "data_loss": lambda s: "data loss occurred (reported)" if s.data_loss else "",
    "security_breach": lambda s: f"security breach suspected ({s.security_breach})" if s.security_breach else "",
    "multiple_services": lambda s: (
        f"multiple services failing ({_services(s.failing)})" if len(s.failing) >= 2 and s.broken else ""
    ),
    "root_cause_unknown": lambda s: "root cause completely unknown" if s.root_cause_unknown and s.broken else "",
    "architectural_decision": lambda s: (
        "P0 needs an architectural decision" if s.architectural_decision and s.severity is Severity.P0 else ""
    ),
    "customer_communication": lambda s: "customer communication needed" if s.customer_communication else "",
}


class Firing(Model):
    rule: str
    level: int
    role: str
    reason: str
    immediate: bool = True

    def payload(self) -> ev.EscalationRuleFired:
        return ev.EscalationRuleFired(rule=self.rule, level=self.level, role=self.role, reason=self.reason)


class NextTimer(Model):
    level: int
    role: str
    due_in: timedelta
    reason: str


class Advice(Model):
    """What the rules say now: escalate (to whom, why), already escalated, held back (why), or the next timer."""

    current_level: int
    escalate_now: list[Firing] = []
    already: list[Firing] = []
    held: list[Firing] = []
    hold_reason: str = ""
    next_timer: NextTimer | None = None

    @property
    def fired(self) -> list[Firing]:
        """Every rule that is true now and not held back: these are journaled, once each."""
        return self.escalate_now + self.already

    @property
    def top(self) -> Firing | None:
        return self.escalate_now[0] if self.escalate_now else None

    def headline(self) -> str:
        if top := self.top:
            more = f" (+{len(self.escalate_now) - 1} more)" if len(self.escalate_now) > 1 else ""
            return f"Escalate now → {top.role}: {top.reason}{more}"
        if self.held:
            return f"Hold escalation: {self.hold_reason}"
        if self.next_timer is not None:
            t = self.next_timer
            return f"Next: {t.role} in {_hms(t.due_in)} ({t.reason})"
        if self.hold_reason:
            return f"No escalation: {self.hold_reason}"
        return "No escalation due"


def _hms(value: timedelta) -> str:
    seconds = max(0, int(value.total_seconds()))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _minutes(value: int) -> str:
    return f"{value // 60} hour{'s' * (value >= 120)}" if value % 60 == 0 else f"{value} minutes"


def level_of(config: Config, role: str, default: int) -> int:
    """The chain position of `role` (by name, any case), else the seed's position clamped to the chain."""
    wanted = role.casefold()
    for index, contact in enumerate(config.escalation):
        if contact.role.casefold() == wanted:
            return index
    return min(default, len(config.escalation) - 1)


def advise(incident: Incident, config: Config, now: datetime, evidence: Evidence | None = None) -> Advice:
    """Evaluate every rule against the incident at `now`. Pure: reads state, writes nothing."""
    s = situation(incident, now, evidence)
    advice = Advice(current_level=min(incident.escalation_level, len(config.escalation) - 1))
    if not s.open:
        advice.hold_reason = "incident resolved"
        return advice
    if s.severity is Severity.P2:
        advice.hold_reason = "P2: handle during business hours"
        return advice
    firings = [*_timers(s, config), *_rule_firings(s, config)]
    holding = _holding(s)
    for firing in sorted(firings, key=lambda f: -f.level):
        rule = next((r for r in RULES if r.id == firing.rule), None)
        if holding and rule is not None and rule.held_by_progress:
            advice.held.append(firing)
        elif firing.level > advice.current_level:
            advice.escalate_now.append(firing)
        else:
            advice.already.append(firing)
    if advice.held:
        advice.hold_reason = holding
    advice.next_timer = _next_timer(s, config, advice.current_level)
    return advice


def _holding(s: Situation) -> str:
    if s.understood_and_being_fixed:
        return f"issue understood and being fixed ({s.fixes_deployed[0]})"
    if s.progress:
        return f"progress being made ({s.progress})"
    return ""


def _rule_firings(s: Situation, config: Config) -> list[Firing]:
    out = []
    for rule in RULES:
        reason = _CHECKS[rule.id](s)
        if reason:
            level = level_of(config, rule.role, rule.default_level)
            out.append(Firing(rule=rule.id, level=level, role=config.escalation[level].role, reason=reason))
    return out


def _timers(s: Situation, config: Config) -> list[Firing]:
    out = []
    for level, contact in enumerate(config.escalation):
        after = contact.after_minutes.get(s.severity)
        if after is not None and s.elapsed >= timedelta(minutes=after):
            out.append(
                Firing(
                    rule=f"open_{s.severity.value}_{after}min",
                    level=level,
                    role=contact.role,
                    reason=f"{s.severity} not resolved in {_minutes(after)} (open {_hms(s.elapsed)})",
                    immediate=s.severity is Severity.P0,
                )
            )
    return out


def _next_timer(s: Situation, config: Config, current: int) -> NextTimer | None:
    for level in range(current + 1, len(config.escalation)):
        contact = config.escalation[level]
        after = contact.after_minutes.get(s.severity)
        if after is not None and s.elapsed < timedelta(minutes=after):
            reason = f"{s.severity} not resolved in {_minutes(after)}"
            return NextTimer(level=level, role=contact.role, due_in=timedelta(minutes=after) - s.elapsed, reason=reason)
    return None


def escalate(
    record: Record,
    incident: Incident,
    level: int,
    reason: str,
    config: Config,
    now: datetime,
    who: str,
    *,
    env: Mapping[str, str] | None = None,
) -> list[Delivery]:
    """Record the escalation, then tell the contact through their [[notify]] channel when the config names one."""
    from maestro.notify.payloads import NoticeKind
    from maestro.notify.send import notify_incident

    contact = config.escalation[level]
    payload = ev.Escalated(level=level, role=contact.role, name=contact.name, contact=contact.contact, reason=reason)
    record(ev.EventKind.ESCALATED, payload)
    if not contact.notify:
        return []
    text = escalation_text(incident, contact, reason, now)
    return notify_incident(record, incident, NoticeKind.ESCALATION, text, [contact.notify], config, now, who, env=env)


def escalation_text(incident: Incident, contact: EscalationContact, reason: str, now: datetime) -> str:
    who = f"{contact.role} ({contact.name})" if contact.name else contact.role
    severity = incident.severity or "severity not set"
    lines = [
        f"Escalation to {who}: {reason}",
        f"Incident: {incident.context.description}",
        f"{severity}, {incident.status.value}, open {_hms(now - incident.opened_at)}",
    ]
    return "\n".join(lines)


RULE_HOLD = timedelta(minutes=2)


class Sustained:
    """The firings that have held for `hold`: a rule true for one poll (a service restarting for a moment) is
    shown at once but journaled only once it holds. Kept by the process that watches; a restart starts over."""

    def __init__(self, hold: timedelta = RULE_HOLD) -> None:
        self.hold = hold
        self._since: dict[str, datetime] = {}

    def update(self, firings: Iterable[Firing], now: datetime) -> list[Firing]:
        current = {f.rule: f for f in firings}
        self._since = {rule: self._since.get(rule, now) for rule in current}
        return [f for rule, f in current.items() if now - self._since[rule] >= self.hold]


RecordOnce = Callable[[ev.EventKind, ev.Payload, str], object]
"""Journals an event unless one with the same value in the named field is there: `partial(journal.append_once,
incident_id)`, or the screen's recorder. Truthy when it wrote."""


def record_firings(record_once: RecordOnce, incident: Incident, firings: Iterable[Firing]) -> list[Firing]:
    """Journal each fired rule once per incident, whichever process sees it first; returns those written now."""
    recorded = {r.rule for r in incident.rule_firings}
    return [
        firing
        for firing in firings
        if firing.rule not in recorded and record_once(ev.EventKind.ESCALATION_RULE_FIRED, firing.payload(), "rule")
    ]
