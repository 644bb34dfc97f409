"""The seed's five reports as Markdown, one self-contained HTML file and one JSON file, from folded state."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import shlex
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from maestro import decision_trees, escalation, root_cause, safety
from maestro.config import Config
from maestro.emergency import IMAGE, REDIS_SERVICE, emergency_sections, repository_of, service_like
from maestro.eta import Eta, EtaState
from maestro.eta import for_incident as eta_for
from maestro.events import EventKind, Payload, ReportsExported
from maestro.incident import Incident
from maestro.metrics import Metrics, format_duration, metrics
from maestro.model import (
    SEVERITIES,
    Command,
    Danger,
    IncidentContext,
    IncidentStatus,
    Model,
    Severity,
    SignalKind,
    Triage,
    TriageIssue,
)
from maestro.redact import redact_obj
from maestro.report_html import markdown_to_html
from maestro.text import literal

HTML_FILE = "incident-reports.html"
JSON_FILE = "incident.json"
JSON_FORMAT = "maestro-tui.incident/1"
NOT_RECORDED = "not recorded"
SERVICE_PLACEHOLDER = "<SERVICE>"


class ReportDef(Model):
    number: int
    name: str
    title: str

    @property
    def filename(self) -> str:
        return f"{self.number:02d}-{self.name}.md"

    @property
    def template(self) -> str:
        return f"{self.name}.md.j2"


REPORTS: tuple[ReportDef, ...] = (
    ReportDef(number=1, name="executive-summary", title="Executive Summary"),
    ReportDef(number=2, name="priority-list", title="Triage Priority List"),
    ReportDef(number=3, name="recovery-guide", title="Recovery Guide"),
    ReportDef(number=4, name="quick-reference", title="Quick Reference"),
    ReportDef(number=5, name="incident-report", title="Incident Report (Post-Mortem)"),
)


class ReportError(Exception):
    """Reports cannot be produced; the message is one line a person can act on."""


class ReportBundle(Model):
    """The machine-readable export: the folded incident (redacted) and its metrics."""

    format: str = JSON_FORMAT
    generated_at: datetime
    incident: Incident
    metrics: Metrics


class IssueRow(Model):
    number: int
    issue: TriageIssue
    status: str
    fixed_at: datetime | None = None


class Milestone(Model):
    label: str
    at: datetime | None = None
    note: str = ""
    """Said beside the time."""
    missing: str = ""
    """Said instead of the time when there is none."""


class ActionItem(Model):
    text: str
    owner: str
    priority: str
    source: str


class Lessons(Model):
    went_well: list[str] = []
    went_wrong: list[str] = []
    lucky: list[str] = []
    detection: list[str] = []
    other: list[str] = []


def report(name: str) -> ReportDef:
    for definition in REPORTS:
        if name in (definition.name, definition.filename):
            return definition
    known = ", ".join(r.name for r in REPORTS)
    raise ReportError(f"no report named {name!r}; choose one of: {known}")


def render(name: str, incident: Incident, config: Config, *, now: datetime) -> str:
    """One report as Markdown."""
    return _render(report(name), _view(incident, config, now))


def render_triage(context: IncidentContext, triage: Triage, config: Config, *, now: datetime) -> str:
    """The priority list for a triage that has no incident yet (the headless `triage` command)."""
    incident = Incident(
        id="triage", context=context, opened_at=now, opened_by="", severity=triage.severity, triage=triage
    )
    return render("priority-list", incident, config, now=now)


def export(incident: Incident, config: Config, out_dir: Path, *, now: datetime) -> list[Path]:
    """Write the five Markdown reports, one HTML file with all of them, and the incident as JSON.

    Files are written 0600 into a folder created 0700; a symbolic link planted where a report goes is
    refused, never followed.
    """
    view = _view(incident, config, now)
    texts = {r.name: _render(r, view) for r in REPORTS}
    html = literal(
        _environment()
        .get_template("reports.html.j2")
        .render(
            incident=view["incident"],
            now=now,
            reports=[(r, Markup(markdown_to_html(texts[r.name]))) for r in REPORTS],
        )
    )
    bundle = ReportBundle(generated_at=now, incident=view["incident"], metrics=view["metrics"])
    outputs = [(r.filename, texts[r.name]) for r in REPORTS]
    outputs += [(HTML_FILE, html), (JSON_FILE, bundle.model_dump_json(indent=2) + "\n")]
    _write_private(out_dir, outputs)
    return [out_dir / name for name, _ in outputs]


def export_and_record(
    incident: Incident,
    config: Config,
    out_dir: Path,
    *,
    now: datetime,
    record: Callable[[EventKind, Payload], object],
) -> list[Path]:
    """Write every report, then have `record` journal it: the folder and the file names (not full paths).

    The command and the screen both export through here, so the timeline says the same thing either way.
    """
    files = export(incident, config, out_dir, now=now)
    record(EventKind.REPORTS_EXPORTED, ReportsExported(folder=str(out_dir), files=[f.name for f in files]))
    return files


def _render(definition: ReportDef, view: dict[str, Any]) -> str:
    return literal(_tidy(_environment().get_template(definition.template).render(view)))


def _write_private(out_dir: Path, outputs: list[tuple[str, str]]) -> None:
    """Each file goes to a fresh 0600 temporary name (O_EXCL, O_NOFOLLOW) and is renamed into place."""
    try:
        _make_private_dir(out_dir)
        folder = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        raise ReportError(f"cannot write reports to {out_dir} ({exc.strerror or exc}); pass --out DIR") from None
    try:
        for name, text in outputs:
            _refuse_link(out_dir, name, folder)
            temporary = f".{name}.{secrets.token_hex(6)}.tmp"
            try:
                fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=folder)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    os.fchmod(handle.fileno(), 0o600)
                    handle.write(text)
                os.rename(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    os.unlink(temporary, dir_fd=folder)
                raise ReportError(f"cannot write {out_dir / name} ({exc.strerror or exc}); pass --out DIR") from None
    finally:
        os.close(folder)


def _make_private_dir(out_dir: Path) -> None:
    if out_dir.is_symlink():
        raise ReportError(f"refusing to write reports into {out_dir}: it is a symbolic link; pass --out DIR")
    missing = [p for p in (out_dir, *out_dir.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700)


def _refuse_link(out_dir: Path, name: str, folder: int) -> None:
    try:
        mode = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode) or not stat.S_ISREG(mode):
        kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
        raise ReportError(f"refusing to write {out_dir / name}: it is {kind}; remove it or pass --out DIR")


# --- the view the templates see ---------------------------------------------------


def _view(incident: Incident, config: Config, now: datetime) -> dict[str, Any]:
    """Everything a template may show, built from the redacted incident and config."""
    safe = redact_obj(incident)
    safe_config = redact_obj(config)
    triage = safe.triage
    rows = _issue_rows(safe)
    services = _affected_services(safe)
    redis_service = service_like(safe.evidence, "redis")
    eta = eta_for(safe)
    causes = root_cause.causes(safe)
    trees = decision_trees.evaluate(safe, safe_config, now)
    return {
        "incident": safe,
        "context": safe.context,
        "triage": triage,
        "config": safe_config,
        "metrics": metrics(incident),
        "now": now,
        "severity": SEVERITIES[safe.severity] if safe.severity else None,
        "severities": list(SEVERITIES.values()),
        "rows": {s: [r for r in rows if r.issue.severity is s] for s in Severity},
        "phases": safe.phases(),
        "eta": eta,
        "causes": causes,
        "primary_cause": _primary_cause(safe, causes),
        "root_cause_line": _root_cause_line(safe, causes),
        "hypotheses": _hypotheses(safe, causes),
        "system_status": _system_status(safe),
        "actions_taken": _actions_taken(safe),
        "recovery_status": _recovery_status(safe),
        "milestones": _milestones(safe, eta),
        "lessons": _lessons(safe),
        "prevention": _prevention(safe),
        "actions": _action_items(safe),
        "next_steps": _next_steps(safe, safe_config, now, eta, trees),
        "trees": trees,
        "services": services,
        "failing": [s for s in safe.evidence.services if s.running < s.desired] if safe.evidence else [],
        "logs": _log_excerpts(safe),
        "recent_deploys": [s for s in safe.evidence.signals if s.kind is SignalKind.RECENT_DEPLOY]
        if safe.evidence
        else [],
        "repositories": {
            s.name: _shell_word(repository_of(s.image)) for s in (safe.evidence.services if safe.evidence else [])
        },
        "emergency": emergency_sections(
            services, redis_service, {s.name: s.image for s in safe.evidence.services} if safe.evidence else {}
        ),
        "redis_service": redis_service or REDIS_SERVICE,
        "oom_services": _signal_subjects(safe, SignalKind.OOM_KILLED),
        "traefik_service": service_like(safe.evidence, "traefik"),
        "down_nodes": _signal_subjects(safe, SignalKind.NODE_DOWN),
        "status_update_draft": escalation.status_update(safe, now),
        "notified_at": _notified_at(safe),
        "is_over": safe.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED),
    }


def _issue_rows(incident: Incident) -> list[IssueRow]:
    if incident.triage is None:
        return []
    issues = sorted(incident.triage.issues, key=lambda i: i.severity.rank)
    rows = []
    for number, issue in enumerate(issues, start=1):
        first_p0 = issue.severity is Severity.P0 and number == 1
        status = "CRITICAL" if issue.severity is Severity.P0 and not first_p0 else issue.severity.info.status_word
        rows.append(IssueRow(number=number, issue=issue, status=status, fixed_at=incident.ticked_at.get(issue.id)))
    return rows


def _notified_at(incident: Incident) -> datetime | None:
    """When people first heard: a notification delivered, or an update sent (or posted by hand). Drafts do not count."""
    delivered = [n.at for n in incident.notifications if n.ok]
    sent = [u.sent_at for u in incident.sent_updates if u.sent_at is not None]
    return min([*delivered, *sent], default=None)


def _primary_cause(incident: Incident, causes: list[root_cause.Cause]) -> str:
    """A person's confirmation first, then the triage's own primary cause if measured, else marked unconfirmed."""
    triage = incident.triage
    if triage is None:
        return ""
    confirmed = [c for c in causes if c.confirmed_by]
    top = triage.issues[0] if triage.issues else None
    backed = next((c for c in causes if top is not None and c.issue.id == top.id), None)
    chosen = confirmed[0] if confirmed else backed
    if chosen is not None:
        return f"{chosen.issue.root_cause or chosen.issue.title} ({chosen.basis})"
    return f"{triage.primary_cause} (not confirmed)"


def _root_cause_line(incident: Incident, causes: list[root_cause.Cause]) -> str:
    """Yes only for a cause a person confirmed or a signal measured; a measured cause of a side issue is partial."""
    if not causes:
        return "No - investigating"
    confirmed = [c for c in causes if c.confirmed_by]
    if confirmed:
        more = len(causes) - 1
        extra = f" (and {more} more cause{'s' * (more != 1)} confirmed or measured)" if more else ""
        return f"Yes - confirmed by {confirmed[0].confirmed_by}: {confirmed[0].issue.title}{extra}"
    top = incident.triage.issues[0].id if incident.triage and incident.triage.issues else ""
    titles = "; ".join(c.issue.title for c in causes)
    if any(c.issue.id == top for c in causes):
        return f"Yes - measured: {titles}"
    return f"Partly - measured for: {titles}; the primary cause is not confirmed"


def _system_status(incident: Incident) -> str:
    """What the system's state is now, as far as the journal knows, never the triage's word after a fix."""
    triage = incident.triage
    if incident.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        return f"Restored (incident resolved {_utc(incident.resolved_at or incident.closed_at)})"
    if incident.status is IncidentStatus.MITIGATED:
        open_p1 = [i for i in triage.by_severity(Severity.P1) if i.id not in incident.ticked] if triage else []
        restored = f"Production restored {_utc(incident.mitigated_at)}"
        if open_p1:
            return f"{restored}; degraded until {len(open_p1)} P1 fix(es) are done"
        return f"{restored}; monitoring for stability"
    if triage is None:
        return "being assessed"
    return f"{triage.system_status.capitalize()} (at triage, {_utc(triage.generated_at)})"


class ActionTaken(Model):
    at: datetime
    text: str


def _actions_taken(incident: Incident) -> list[ActionTaken]:
    """What was done, in order: ticked fixes and checks, escalations, updates; open work is elsewhere."""
    labels = {item.id: item.text for phase in incident.phases() for item in phase.items}
    taken = [
        ActionTaken(at=at, text=labels.get(item, item).removeprefix("Fix: ")) for item, at in incident.ticked_at.items()
    ]
    taken += [
        ActionTaken(
            at=e.at,
            text=f"Escalated to {e.role}" + (f" ({e.name})" if e.name else "") + (f": {e.reason}" if e.reason else ""),
        )
        for e in incident.escalations
    ]
    for u in incident.sent_updates:
        where = ", ".join(u.channels) if u.channels else "posted by hand"
        taken.append(ActionTaken(at=u.sent_at or u.at, text=f"Status update #{u.number} sent ({where})"))
    taken += [
        ActionTaken(at=n.at, text=f"Notified {n.channel} ({n.notice.replace('_', ' ')})")
        for n in incident.notifications
        if n.ok and n.notice != "status_update"
    ]
    if incident.resolved_at is not None:
        taken.append(
            ActionTaken(at=incident.resolved_at, text=f"Resolved: {incident.resolution or 'no resolution recorded'}")
        )
    return sorted(taken, key=lambda a: a.at)


class SeverityProgress(Model):
    done: bool
    text: str


def _recovery_status(incident: Incident) -> list[SeverityProgress]:
    triage = incident.triage
    over = incident.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)
    lines = []
    for severity in Severity:
        if triage is None:
            lines.append(SeverityProgress(done=over, text=f"{severity} issues: not triaged"))
            continue
        issues = triage.by_severity(severity)
        fixed = sum(i.id in incident.ticked for i in issues)
        count = f"{fixed}/{len(issues)}"
        if not issues:
            lines.append(SeverityProgress(done=True, text=f"{severity}: no issues found"))
        elif fixed == len(issues):
            lines.append(SeverityProgress(done=True, text=f"{severity} issues fixed ({count})"))
        elif severity is Severity.P2:
            lines.append(
                SeverityProgress(done=False, text=f"{severity} issues deferred to after recovery ({count} fixed)")
            )
        elif over:
            lines.append(
                SeverityProgress(done=True, text=f"{severity}: resolved with the incident ({count} fixes ticked)")
            )
        elif severity is Severity.P0 and incident.mitigated_at is not None:
            lines.append(
                SeverityProgress(done=True, text=f"{severity}: production verified restored ({count} fixes ticked)")
            )
        elif fixed:
            lines.append(SeverityProgress(done=False, text=f"{severity} issues in progress ({count} fixed)"))
        else:
            lines.append(SeverityProgress(done=False, text=f"{severity} issues open ({count} fixed)"))
    return lines


def _milestones(incident: Incident, eta: Eta) -> list[Milestone]:
    signals = (
        [s for s in incident.evidence.signals if s.kind is not SignalKind.RECENT_DEPLOY] if incident.evidence else []
    )
    issue_ids = {i.id for i in incident.triage.issues} if incident.triage else set()
    fixes = [at for item, at in incident.ticked_at.items() if item in issue_ids]
    reported = f"reported as: {incident.context.when}" if incident.context.when else ""
    restored = f"not yet; ETA {eta.sentence}" if incident.mitigated_at is None and eta.state is EtaState.WORKING else ""
    return [
        Milestone(
            label="Incident began",
            at=incident.context.began_at,
            note=reported,
            missing=f"{NOT_RECORDED} ({reported})" if reported else "",
        ),
        Milestone(label="First alert (signal observed)", at=min((s.observed_at for s in signals), default=None)),
        Milestone(label="Incident opened", at=incident.opened_at, note=f"by {incident.opened_by}"),
        Milestone(label="Team notified", at=_notified_at(incident), missing="not recorded: no notification sent"),
        Milestone(label="Root cause identified", at=root_cause.identified_at(incident)),
        Milestone(label="Fix deployed", at=min(fixes, default=None)),
        Milestone(label="Service restored", at=incident.mitigated_at, missing=restored),
        Milestone(label="Resolved", at=incident.resolved_at),
    ]


class Hypothesis(Model):
    issue: TriageIssue
    checks: list[Command]
    verdict: str


def _hypotheses(incident: Incident, causes: list[root_cause.Cause]) -> list[Hypothesis]:
    """Each candidate cause with the read-only commands that confirm or refute it."""
    triage = incident.triage
    if triage is None:
        return []
    backed = {c.issue.id: c for c in causes}
    found = []
    for issue in sorted(triage.issues, key=lambda i: i.severity.rank):
        named = [_command(issue.check, "The check that confirms or refutes it")] if issue.check else []
        checks = [*named, *(c for c in [*issue.verify, *issue.fix] if c.danger is Danger.READ_ONLY)]
        if not checks and issue.subject:
            checks = [
                _command(
                    f"docker service ps --no-trunc {_shell_word(issue.subject)}", f"Task errors of {issue.subject}"
                ),
                _command(
                    f"docker service logs --since 30m {_shell_word(issue.subject)} 2>&1 | tail -50",
                    f"Recent logs of {issue.subject}",
                ),
            ]
        cause = backed.get(issue.id)
        if cause is not None:
            verdict = f"CONFIRMED ({cause.how})"
        elif issue.measured and not issue.hypothesis:
            verdict = "measured, not yet confirmed as the cause: " + "; ".join(issue.measured[:2])
        else:
            verdict = "hypothesis from the report's words: run the check"
        found.append(Hypothesis(issue=issue, checks=list({c.text: c for c in checks}.values()), verdict=verdict))
    return found


def _signal_subjects(incident: Incident, kind: SignalKind) -> list[str]:
    signals = incident.evidence.signals if incident.evidence else []
    return list(dict.fromkeys(s.subject for s in signals if s.kind is kind and s.subject))


_LESSON = re.compile(r"^\s*(went well|went wrong|(?:where we )?got lucky|lucky|detection)\s*[:\-]\s*", re.IGNORECASE)
_LESSON_KEY = {"went well": "went_well", "went wrong": "went_wrong", "detection": "detection"}


def _lessons(incident: Incident) -> Lessons:
    """Notes starting `went well:`, `went wrong:`, `lucky:` or `detection:` feed the post-mortem."""
    lessons = Lessons()
    for note in incident.notes:
        match = _LESSON.match(note.text)
        if match is None:
            lessons.other.append(note.text)
            continue
        key = _LESSON_KEY.get(match.group(1).lower(), "lucky")
        getattr(lessons, key).append(note.text[match.end() :])
    return lessons


POST_INCIDENT_ACTIONS = (
    "Update runbook with this incident",
    "Add monitoring for this failure mode",
    "Create alert for early detection",
)
FOLLOW_UP_TASKS = (
    "Write incident report",
    "Schedule post-mortem meeting",
    "Identify preventive measures",
    "Update deployment checklist",
)
"""The seed's phase 4 lists; a prevention measure saying the same is not listed twice."""
POST_INCIDENT_ITEMS = {
    "Update runbook with this incident": "pm.runbooks",
    "Write incident report": "pm.report",
    "Identify preventive measures": "pm.prevention",
}
"""Which of them the recovery sequence's post-mortem checklist ticks."""


def _prevention(incident: Incident) -> dict[str, list[str]]:
    """The triage's prevention measures, each once, at its most urgent horizon."""
    triage = incident.triage
    seen = {" ".join(t.lower().split()) for t in (*POST_INCIDENT_ACTIONS, *FOLLOW_UP_TASKS)}
    out: dict[str, list[str]] = {}
    for horizon in ("immediate", "short_term", "long_term"):
        out[horizon] = []
        for measure in getattr(triage.prevention, horizon) if triage else []:
            key = " ".join(measure.lower().split())
            if key not in seen:
                seen.add(key)
                out[horizon].append(measure)
    return out


def _action_items(incident: Incident) -> list[ActionItem]:
    triage = incident.triage
    if triage is None:
        return []
    items = [
        ActionItem(text=f"Fix: {i.title}", owner=i.owner, priority=i.severity, source="open issue")
        for i in sorted(triage.issues, key=lambda i: i.severity.rank)
        if i.id not in incident.ticked
    ]
    items += [
        ActionItem(text=task, owner="incident commander", priority="next 24h", source="post-incident")
        for task in (*FOLLOW_UP_TASKS, *POST_INCIDENT_ACTIONS)
        if POST_INCIDENT_ITEMS.get(task) not in incident.ticked
    ]
    prevention = _prevention(incident)
    for horizon, key in (("this week", "immediate"), ("next sprint", "short_term"), ("next quarter", "long_term")):
        items += [
            ActionItem(text=m, owner="unassigned", priority=horizon, source="prevention") for m in prevention[key]
        ]
    return items


def _acts(answer: decision_trees.Answer) -> bool:
    """A decision-tree answer that asks for an action (roll back, escalate), not one that says carry on."""
    return not answer.answer.lower().startswith(("continue", "no "))


def _next_steps(
    incident: Incident, config: Config, now: datetime, eta: Eta, trees: list[decision_trees.Answer]
) -> list[str]:
    if incident.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        steps = ["Hold the post-mortem within 24 hours of recovery", "Assign an owner to every action item"]
        if incident.status is IncidentStatus.RESOLVED:
            steps.append("Close the incident once the action items are tracked")
        return steps
    triage = incident.triage
    steps = []
    if triage is None:
        steps.append("Collect evidence and run triage: no triage is recorded yet")
    else:
        open_issues = [i for i in sorted(triage.issues, key=lambda i: i.severity.rank) if i.id not in incident.ticked]
        steps += [
            f"Fix {i.severity} issue: {i.title} (about {i.time_to_fix_min} min, owner: {i.owner})"
            for i in open_issues
            if i.severity is not Severity.P2
        ][:2]
        steps += [p.advice[0].upper() + p.advice[1:] for p in eta.over_budget]
        if incident.mitigated_at is None:
            steps.append("Verify production is restored")
        else:
            steps.append("Monitor for stability, then mark the incident resolved")
    steps += [answer.line() for answer in trees if _acts(answer)]
    advice = escalation.advise(incident, config, now)
    if advice.top is not None or advice.held:
        steps.append(advice.headline())
    elif advice.next_timer is not None:
        timer = advice.next_timer
        who = config.escalation[timer.level].label if timer.level < len(config.escalation) else timer.role
        steps.append(f"Escalate to {who} at {_utc(now + timer.due_in)} if still open ({timer.reason})")
    clock = escalation.clock(incident, config, now)
    if clock.next_update_in is not None:
        due = now + clock.next_update_in
        number = incident.next_update_number
        if due <= now:
            steps.append(f"Send status update #{number} now: it was due at {_utc(due)}")
        else:
            steps.append(f"Send status update #{number} by {_utc(due)}")
    steps.append("Schedule the post-mortem within 24 hours of recovery")
    return steps


def _affected_services(incident: Incident) -> list[str]:
    evidence = incident.evidence
    if evidence is None:
        return []
    names = [s.name for s in evidence.services if s.running < s.desired]
    known = {s.name for s in evidence.services}
    if incident.triage is not None:
        names += [i.subject for i in incident.triage.issues if i.subject in known]
    return list(dict.fromkeys(names))


def _log_excerpts(incident: Incident, per_service: int = 10) -> dict[str, list[str]]:
    excerpts: dict[str, list[str]] = {}
    for line in incident.evidence.logs if incident.evidence else []:
        stamp = f"{_utc(line.at, '%H:%M:%S')} " if line.at else ""
        excerpts.setdefault(line.service, []).append(f"{stamp}{line.text}")
    return {service: lines[-per_service:] for service, lines in excerpts.items()}


# --- formatting filters -------------------------------------------------------------

_BLOCK_START = re.compile(
    r"^(?:#{1,6}(?=\s|$)|[-+*](?=\s|$)|[><]|`{3,}|~{3,}|(?:[-*_]\s*){3,}$|=+\s*$|\d{1,9}(?=[.)](?:\s|$)))"
)
_BACKTICKS = re.compile(r"`+")
_FENCE = re.compile(r"^(`{3,})")


def _tidy(markdown: str) -> str:
    """Collapse runs of blank lines that template logic leaves behind, never inside a fenced block."""
    lines: list[str] = []
    fence = ""
    for line in markdown.splitlines():
        if fence:
            if line.startswith(fence) and not line.strip("`"):
                fence = ""
        elif opening := _FENCE.match(line):
            fence = opening.group(1)
        elif not line.strip():
            if lines and not lines[-1]:
                continue
            line = ""
        lines.append(line)
    return "\n".join(lines).strip("\n") + "\n"


def _utc(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    if value is None:
        return NOT_RECORDED
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime(fmt)


_MARKDOWN_ACTIVE = re.compile(r"[\\`*\[\]<~]|!(?=\[)|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
"""Characters that open emphasis, code, a link or image (`[`, `![`), raw HTML or an autolink (`<`)."""


def _inline(value: object, missing: str = NOT_RECORDED) -> str:
    """Outside text on one Markdown line, inert: whitespace collapsed, no block marker at the start, and every
    character that could open emphasis, code, a link, an image or raw HTML escaped."""
    text = " ".join(str(value if value is not None else "").split())
    if not text:
        return missing
    text = _MARKDOWN_ACTIVE.sub(lambda m: "\\" + m.group(), text)
    return _BLOCK_START.sub(lambda m: m.group(0) + "\\" if m.group(0)[0].isdigit() else "\\" + m.group(0), text)


def _cell(value: object, missing: str = "-") -> str:
    return _inline(value, missing).replace("|", "\\|")


def _comment(value: object) -> str:
    """Text for a `# ...` shell comment: one line, so nothing in it can become a command."""
    return " ".join(str(value).split())


def _longest_backticks(text: str) -> int:
    return max((len(m) for m in _BACKTICKS.findall(text)), default=0)


def _code(value: object) -> str:
    text = " ".join(str(value).split())
    ticks = "`" * (_longest_backticks(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _fence(value: object, lang: str = "") -> str:
    """A fenced block that no backtick run inside the content can close."""
    text = str(value).strip("\n")
    ticks = "`" * max(3, _longest_backticks(text) + 1)
    return f"{ticks}{lang}\n{text}\n{ticks}"


def _shell_word(value: object) -> str:
    """A name from outside as one shell word; placeholders like <SERVICE> stay readable."""
    text = str(value)
    return text if text == SERVICE_PLACEHOLDER else shlex.quote(text)


def _command(text: str, purpose: str = "", expected: str = "") -> Command:
    return safety.labelled(Command(text=text, purpose=purpose, expected=expected))


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("templates", "."),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        utc=_utc,
        duration=format_duration,
        inline=_inline,
        cell=_cell,
        comment=_comment,
        code=_code,
        fence=_fence,
        q=_shell_word,
    )
    env.globals.update(
        post_incident_actions=POST_INCIDENT_ACTIONS,
        follow_up_tasks=FOLLOW_UP_TASKS,
        post_incident_items=POST_INCIDENT_ITEMS,
    )
    env.globals.update(IMAGE=IMAGE)
    env.globals.update(command=_command, Severity=Severity, NOT_RECORDED=NOT_RECORDED, PLACEHOLDER=SERVICE_PLACEHOLDER)
    return env
