"""What each pane shows, as pure functions of the incident, the latest evidence, the Claude run, config and now.

The screen's twin of maestro.report's view: no widget and no app here, so every pane's content can be
checked without a terminal. Loaded after the first frame (it needs the core); the emergency set and the
command checks load with the first command deck, once the triage is on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from maestro import eta, root_cause
from maestro.config import Config
from maestro.decision_trees import evaluate as evaluate_trees
from maestro.escalation import Advice, advise
from maestro.escalation import clock as escalation_clock
from maestro.incident import Incident
from maestro.model import Evidence, IncidentStatus, ServiceState, Severity, Triage, TriageIssue
from maestro.pane_views import (
    ChecklistEntry,
    ChecklistGroup,
    ChecklistView,
    DeckCommand,
    DeckView,
    HeaderView,
    ServiceRows,
    TimerView,
)
from maestro.text import hms
from maestro.triage.claude_run import ClaudeRun

NO_ENGINE = "no engine for this session"


@dataclass(frozen=True)
class Scene:
    """Everything the panes are drawn from, at one moment."""

    incident: Incident
    config: Config
    now: datetime
    latest: Evidence | None = None
    """The last evidence a poll returned, newer than the journaled snapshot."""
    engine_problem: str = ""
    """Why the engine could not be read ('' when it could, or when the session has no engine)."""
    has_engine: bool = True
    """False when the session reads no engine at all (--no-docker): the journaled snapshot is all there is."""
    claude: ClaudeRun | None = None
    """The Claude triage in flight, if any."""
    not_saving: str = ""
    """Why actions are not saved now (full disk, read-only filesystem); '' while they are."""
    latest_rows: ServiceRows | None = None
    """The service table's rows of `latest`, worked out by the poll worker."""

    @property
    def evidence(self) -> Evidence | None:
        """The newest evidence there is: the latest poll, else the journaled snapshot."""
        return self.latest or self.incident.evidence

    @property
    def claude_streaming(self) -> bool:
        return self.claude is not None and self.claude.on_screen

    @cached_property
    def advice(self) -> Advice:
        """What the seed's escalation rules say now, from the newest evidence (worked out once per scene)."""
        return advise(self.incident, self.config, self.now, self.evidence)


def checklist_notice(scene: Scene) -> str:
    """Claude's progress while it streams, else the triage's own notice."""
    return (scene.claude.notice() if scene.claude else "") or scene.incident.triage_notice


def checklist_view(scene: Scene) -> ChecklistView:
    """The triage's issues by severity, each group headed by its open work, ticked and root-cause marks on."""
    incident, notice = scene.incident, checklist_notice(scene)
    triage = incident.triage
    if triage is None:
        return ChecklistView(notice)
    headings, causes, ticked = checklist_headings(incident), root_causes(incident), set(incident.ticked)
    groups = []
    for severity in Severity:
        issues = triage.by_severity(severity)
        count = f"({len(issues)} issue{'s' * (len(issues) != 1)})"
        entries = tuple(
            ChecklistEntry(
                issue.id,
                issue.severity.value,
                issue.title,
                issue.summary,
                issue.severity.info.status_word,
                issue.time_to_fix_min,
                issue.owner,
                issue.id in ticked,
                causes.get(issue.id, ""),
            )
            for issue in issues
        )
        groups.append(ChecklistGroup(severity.value, headings.get(severity, count), entries))
    return ChecklistView(notice, tuple(groups), triaged=True)


def before_resolving(scene: Scene) -> list[str]:
    """What speaks against resolving now: P0 issues still open, services down. Empty when nothing does."""
    incident = scene.incident
    reasons = []
    if incident.triage is not None:
        open_p0 = [i.title for i in incident.triage.by_severity(Severity.P0) if not incident.is_ticked(i.id)]
        if open_p0:
            reasons.append(f"{len(open_p0)} P0 issue{'s' * (len(open_p0) != 1)} still open: {', '.join(open_p0)}")
    evidence = scene.evidence
    down = [s.name for s in (evidence.services if evidence else []) if s.state is ServiceState.DOWN]
    if down:
        reasons.append(f"{len(down)} service{'s' * (len(down) != 1)} down: {', '.join(down)}")
    return reasons


def recovery_total(incident: Incident) -> str:
    """The open work against the seed's phase budgets, from the one estimate (maestro.eta)."""
    estimate = eta.for_incident(incident)
    over = [
        f"{p.severity} over its {p.budget.label} budget: {p.people_needed} people or escalate"
        for p in estimate.over_budget
    ]
    working = " · ".join([f"Open work: {estimate.breakdown} = {estimate.minutes} min", *over])
    return estimate.worded("", "Resolved: no recovery work left", "No fix work open: monitoring for stability", working)


def checklist_headings(incident: Incident) -> dict[Severity, str]:
    """Each severity group's issues and open minutes, flagged when the open work exceeds the seed's budget."""
    headings: dict[Severity, str] = {}
    for work in eta.for_incident(incident).phases:
        count = f"{work.issues} issue{'s' * (work.issues != 1)}"
        minutes = (
            f"{work.open_minutes} of {work.minutes} min open"
            if work.open_minutes != work.minutes
            else f"{work.minutes} min"
        )
        over = (
            f", over the {work.budget.label} budget"
            if work.over_budget and incident.status is not IncidentStatus.RESOLVED
            else ""
        )
        headings[work.severity] = f"({count}, {minutes}{over})"
    return headings


def root_causes(incident: Incident) -> dict[str, str]:
    """Issue id -> how its cause is known: `confirmed` by a person or `measured` by a causal signal."""
    return {c.issue.id: "confirmed" if c.confirmed_by else "measured" for c in root_cause.causes(incident)}


_last_deck: tuple[object, str | None, str, DeckView] | None = None
"""The last deck worked out: its triage (the same object until a new triage), selected issue, Redis service."""
_last_redis: tuple[object, str] | None = None
"""The last evidence looked at for a Redis service, and what was found."""


def deck_view(scene: Scene, selected_issue: str | None) -> DeckView:
    """The selected issue's commands, then the emergency set for its subject; every label checked locally.

    The same triage, issue and Redis service give the same deck (the same object), so a redraw that changes
    neither checks no command again.
    """
    global _last_deck
    triage = scene.incident.triage
    redis = _redis_service(scene.evidence)
    if _last_deck is not None and _last_deck[0] is triage and _last_deck[1:3] == (selected_issue, redis):
        return _last_deck[3]
    view = _deck(triage, selected_issue, redis)
    _last_deck = (triage, selected_issue, redis, view)
    return view


def _redis_service(evidence: Evidence | None) -> str:
    global _last_redis
    from maestro.emergency import service_like

    if _last_redis is None or _last_redis[0] is not evidence:
        _last_redis = (evidence, service_like(evidence, "redis"))
    return _last_redis[1]


def _deck(triage: Triage | None, selected_issue: str | None, redis: str) -> DeckView:
    from maestro.emergency import emergency_sections
    from maestro.safety import checked

    issue = triage.issue(selected_issue) if triage and selected_issue else None
    entries = [DeckCommand(section, checked(c), issue.id) for section, c in issue.commands()] if issue else []
    for section in emergency_sections([issue.subject] if issue and issue.subject else [], redis):
        entries += [DeckCommand(f"emergency: {section.title.lower()}", checked(c)) for c in section.commands]
    heading = f"Commands for: {issue.title}" if issue else "No issue selected: emergency commands"
    return DeckView(heading, tuple(entries))


def checked_issue(issue: TriageIssue) -> TriageIssue:
    """The issue with every command's danger checked locally, for the issue card."""
    from maestro.safety import checked

    return issue.model_copy(
        update={
            "fix": [checked(c) for c in issue.fix],
            "verify": [checked(c) for c in issue.verify],
            "rollback": [checked(c) for c in issue.rollback],
        }
    )


def timer_view(scene: Scene) -> TimerView:
    incident = scene.incident
    state = escalation_clock(incident, scene.config, scene.now)
    advice = scene.advice
    trees = evaluate_trees(incident, scene.config, scene.now, scene.evidence)
    sent = incident.sent_updates
    return TimerView(
        incident=f"{incident.id} opened {incident.opened_at:%H:%M} by {incident.opened_by}",
        severity=incident.severity,
        elapsed_s=state.elapsed.total_seconds(),
        running=state.running,
        current=state.current.label_with_contact,
        next_contact=state.next_contact.label_with_contact if state.next_contact else "",
        next_escalation_s=_seconds(state.next_escalation_in),
        next_update_s=_seconds(state.next_update_in),
        update_every_min=state.severity.info.status_update_every_min,
        last_update=sent[-1].text if sent else "",
        advice=advice.headline(),
        escalate_now=advice.top is not None,
        trees=tuple((_short_question(answer.tree), f"{answer.answer}: {answer.because}") for answer in trees),
    )


def header_view(scene: Scene) -> HeaderView:
    incident, claude = scene.incident, scene.claude
    state = escalation_clock(incident, scene.config, scene.now)
    next_s = _seconds(state.next_escalation_in)
    top = scene.advice.top
    if top is not None:
        next_escalation = f"NOW → {top.role}"
    elif next_s is None or state.next_contact is None:
        next_escalation = "none due"
    elif next_s <= 0:
        next_escalation = f"{state.next_contact.role} OVERDUE {hms(-next_s)}"
    else:
        next_escalation = f"{state.next_contact.role} {hms(next_s)}"
    triage_engine = incident.triage.engine.value if incident.triage else "pending"
    claude_long, claude_short = (f" · {claude.engine()}", f"+{claude.engine(short=True)}") if claude else ("", "")
    evidence = scene.evidence
    source = evidence.source if evidence else "no evidence"
    if scene.engine_problem:
        source = "engine not connected"
    return HeaderView(
        title=incident.context.description,
        severity=incident.severity,
        status=incident.status.value,
        elapsed=hms(state.elapsed.total_seconds()),
        eta=eta.for_incident(incident).text,
        next_escalation=next_escalation,
        escalation_due=state.overdue or top is not None,
        engine=f"triage {triage_engine}{claude_long} · {source}",
        engine_short=f"{triage_engine}{claude_short}·{'no engine' if scene.engine_problem else source}",
        engine_ok=not scene.engine_problem,
    )


def _short_question(tree: str) -> str:
    """ "Should I roll back?" -> "Roll back?" """
    return tree.removeprefix("Should I ").capitalize()


def _seconds(delta: timedelta | None) -> float | None:
    return delta.total_seconds() if delta is not None else None
