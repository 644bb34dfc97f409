"""The seed's five reports as Markdown, one self-contained HTML file and one JSON file, from folded state."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from maestro import escalation, safety
from maestro.config import Config
from maestro.emergency import REDIS_SERVICE, emergency_sections, service_like
from maestro.events import EventKind, Payload, ReportsExported
from maestro.incident import Incident
from maestro.metrics import Metrics, format_duration, metrics
from maestro.model import (
    SEVERITIES,
    Command,
    IncidentContext,
    IncidentStatus,
    Model,
    Severity,
    SignalKind,
    Triage,
    TriageIssue,
)
from maestro.redact import redact_obj

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

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
    """Write the five Markdown reports, one HTML file with all of them, and the incident as JSON."""
    view = _view(incident, config, now)
    texts = {r.name: _render(r, view) for r in REPORTS}
    html = (
        _environment()
        .get_template("reports.html.j2")
        .render(
            incident=view["incident"],
            now=now,
            reports=[(r, Markup(_markdown().render(texts[r.name]))) for r in REPORTS],
        )
    )
    bundle = ReportBundle(generated_at=now, incident=view["incident"], metrics=view["metrics"])
    outputs = [(out_dir / r.filename, texts[r.name]) for r in REPORTS]
    outputs += [(out_dir / HTML_FILE, html), (out_dir / JSON_FILE, bundle.model_dump_json(indent=2) + "\n")]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for path, text in outputs:
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot write reports to {out_dir} ({exc.strerror or exc}); pass --out DIR") from None
    return [path for path, _ in outputs]


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
    return _tidy(_environment().get_template(definition.template).render(view))


# --- the view the templates see ---------------------------------------------------


def _view(incident: Incident, config: Config, now: datetime) -> dict[str, Any]:
    """Everything a template may show, built from the redacted incident and config."""
    safe = Incident.model_validate(redact_obj(incident.model_dump()))
    safe_config = Config.model_validate(redact_obj(config.model_dump()))
    triage = safe.triage
    rows = _issue_rows(safe)
    services = _affected_services(safe)
    redis_service = service_like(safe.evidence, "redis")
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
        "milestones": _milestones(safe),
        "lessons": _lessons(safe),
        "actions": _action_items(safe),
        "next_steps": _next_steps(safe, safe_config, now),
        "services": services,
        "failing": [s for s in safe.evidence.services if s.running < s.desired] if safe.evidence else [],
        "logs": _log_excerpts(safe),
        "recent_deploys": [s for s in safe.evidence.signals if s.kind is SignalKind.RECENT_DEPLOY]
        if safe.evidence
        else [],
        "emergency": emergency_sections(services[:3], redis_service),
        "redis_service": redis_service or REDIS_SERVICE,
        "status_update_draft": escalation.status_update(safe, now),
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


def _milestones(incident: Incident) -> list[Milestone]:
    signals = (
        [s for s in incident.evidence.signals if s.kind is not SignalKind.RECENT_DEPLOY] if incident.evidence else []
    )
    notified = [e.at for e in incident.escalations] + [u.at for u in incident.status_updates]
    issue_ids = {i.id for i in incident.triage.issues} if incident.triage else set()
    fixes = [at for item, at in incident.ticked_at.items() if item in issue_ids]
    restored_note = ""
    if incident.mitigated_at is None and incident.triage is not None:
        restored_note = f"ETA about {incident.triage.eta_minutes} minutes from triage"
    return [
        Milestone(
            label="Incident began", note=f"reported as: {incident.context.when}" if incident.context.when else ""
        ),
        Milestone(label="First alert (signal observed)", at=min((s.observed_at for s in signals), default=None)),
        Milestone(label="Incident opened", at=incident.opened_at, note=f"by {incident.opened_by}"),
        Milestone(label="Team notified", at=min(notified, default=None)),
        Milestone(label="Root cause identified", at=incident.root_cause_identified_at),
        Milestone(label="Fix deployed", at=min(fixes, default=None)),
        Milestone(label="Service restored", at=incident.mitigated_at, note=restored_note),
        Milestone(label="Resolved", at=incident.resolved_at),
    ]


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


def _action_items(incident: Incident) -> list[ActionItem]:
    triage = incident.triage
    if triage is None:
        return []
    items = [
        ActionItem(text=f"Fix: {i.title}", owner=i.owner, priority=i.severity, source="open issue")
        for i in sorted(triage.issues, key=lambda i: i.severity.rank)
        if i.id not in incident.ticked
    ]
    for horizon, measures in (
        ("this week", triage.prevention.immediate),
        ("next sprint", triage.prevention.short_term),
        ("next quarter", triage.prevention.long_term),
    ):
        items += [ActionItem(text=m, owner="unassigned", priority=horizon, source="prevention") for m in measures]
    return items


def _next_steps(incident: Incident, config: Config, now: datetime) -> list[str]:
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
        if incident.mitigated_at is None:
            steps.append("Verify production is restored")
        else:
            steps.append("Monitor for stability, then mark the incident resolved")
    clock = escalation.clock(incident, config, now)
    if clock.next_contact is not None and clock.next_escalation_in is not None:
        who = clock.next_contact.label
        if clock.overdue:
            steps.append(f"Escalate to {who} now: the {clock.severity} escalation time has passed")
        else:
            steps.append(f"Escalate to {who} at {_utc(now + clock.next_escalation_in)} if not resolved")
    if clock.next_update_in is not None:
        due = now + max(clock.next_update_in, timedelta(0))
        steps.append(f"Post status update #{len(incident.status_updates) + 1} by {_utc(due)}")
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


def _inline(value: object, missing: str = NOT_RECORDED) -> str:
    """User text on one Markdown line: whitespace collapsed, no leading block marker (heading, list, fence...)."""
    text = " ".join(str(value if value is not None else "").split())
    if not text:
        return missing
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
    )
    env.globals.update(command=_command, Severity=Severity, NOT_RECORDED=NOT_RECORDED, PLACEHOLDER=SERVICE_PLACEHOLDER)
    return env


@functools.cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table")
