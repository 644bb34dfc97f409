"""The offline rules triage: runbooks scored against the incident text and the live evidence signals.

Deterministic and fast. A signal raises its runbook for its subject (one issue per runbook and subject);
words and regexes of the text add weight or raise runbooks of their own; the words also say how severe
the incident is. Nothing matched still gives the generic triage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from maestro.model import (
    Command,
    Evidence,
    IncidentContext,
    Prevention,
    Provenance,
    Severity,
    Signal,
    SignalKind,
    SystemStatus,
    Triage,
    TriageIssue,
)
from maestro.runbooks.catalog import GENERIC_ID, Catalog, Runbook, Step, default_catalog, load_catalog
from maestro.safety import labelled
from maestro.triage.facts import Facts, World, fill
from maestro.triage.matching import (
    Described,
    TextPart,
    any_term,
    change_sentences,
    described_severity,
    first_host,
    first_url,
    incident_parts,
    names_in_text,
    score_terms,
)

__all__ = ["Catalog", "load_catalog", "triage"]

SIGNAL_WEIGHT = 6.0
REPEAT_SIGNAL_WEIGHT = 1.0
SUPPORT_WEIGHT = 2.0
GENERIC_SCORE = 1.0
CONFIDENT = 0.5
KEEP_RATIO = 0.4
MAX_DESCRIBED = 4

_FAILURES = frozenset(SignalKind) - {
    SignalKind.RECENT_DEPLOY,
    SignalKind.ENGINE_UNREACHABLE,
    SignalKind.PERMISSION_DENIED,
    SignalKind.NOT_SWARM_MANAGER,
}
_IMPACT = {
    Severity.P0: "Production unavailable for users",
    Severity.P1: "Users see degraded performance: slow responses and intermittent errors",
    Severity.P2: "Limited impact: no user-facing outage",
}
_PARTIAL_IMPACT = "Some users cannot use the affected features"


@dataclass
class _Candidate:
    runbook: Runbook
    subject: str
    score: float = 0.0
    evidence: list[str] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    support: list[Signal] = field(default_factory=list)
    described: bool = False

    @property
    def id(self) -> str:
        return f"{self.runbook.id}:{self.subject}" if self.subject else self.runbook.id

    @property
    def on_node(self) -> bool:
        return self.runbook.match.subject == "node"


def triage(
    context: IncidentContext,
    evidence: Evidence | None = None,
    *,
    catalog: Catalog | None = None,
    now: datetime | None = None,
) -> Triage:
    """The rules triage of an incident, from its description and (optionally) live evidence."""
    catalog = catalog if catalog is not None else default_catalog()
    parts = incident_parts(context)
    world = World(evidence)
    described = described_severity(parts)
    url = first_url(parts)
    host = first_host(parts)
    text_facts = {"host": host, "health_url": url or (f"https://{host}/health" if host else "")}

    candidates: dict[tuple[str, str], _Candidate] = {}
    _raise_from_signals(catalog, world, candidates)
    _raise_from_text(catalog, parts, world, candidates)
    chosen = _select(candidates)
    if not chosen:
        chosen = [_generic(catalog.generic, world, parts)]
    built = [_issue(c, world, described, text_facts) for c in chosen]
    built.sort(key=lambda pair: (pair[0].severity.rank, -pair[0].confidence, pair[0].id))
    return _summarise(context, built, described, world, catalog, now or datetime.now(UTC))


# --- raising candidates ----------------------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z]+")


def _hinted(world: World, service: str, hints: list[str]) -> bool:
    """Whether a service is one a runbook's `services` hints name, by its name or its image."""
    info = world.services.get(service)
    image = info.image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0] if info else ""
    words = set(_TOKEN.findall(service.lower())) | set(_TOKEN.findall(image.lower()))
    return any(hint in words for hint in hints)


def _raise_from_signals(catalog: Catalog, world: World, candidates: dict[tuple[str, str], _Candidate]) -> None:
    for signal in world.signals:
        runbooks = catalog.raised_by(signal.kind)
        specialised = [r for r in runbooks if r.match.services and _hinted(world, signal.subject, r.match.services)]
        for runbook in specialised or [r for r in runbooks if not r.match.services]:
            candidate = candidates.setdefault((runbook.id, signal.subject), _Candidate(runbook, signal.subject))
            repeat = any(s.kind is signal.kind for s in candidate.signals)
            candidate.score += REPEAT_SIGNAL_WEIGHT if repeat else SIGNAL_WEIGHT
            candidate.signals.append(signal)
            candidate.evidence.append(f"signal {signal.kind} on {signal.subject or 'the swarm'}: {signal.detail}")


def _raise_from_text(
    catalog: Catalog, parts: tuple[TextPart, ...], world: World, candidates: dict[tuple[str, str], _Candidate]
) -> None:
    named_services = names_in_text(world.services, world.service_aliases(), parts)
    named_nodes = names_in_text(world.nodes, {n: [n.lower()] for n in world.nodes}, parts)
    by_runbook: dict[str, list[_Candidate]] = {}
    for candidate in candidates.values():
        by_runbook.setdefault(candidate.runbook.id, []).append(candidate)
    for runbook in catalog:
        if not runbook.terms or any_term(runbook.excludes, parts):
            continue
        text = score_terms(runbook.terms, parts)
        if text.score < runbook.match.min_score:
            continue
        raised = by_runbook.get(runbook.id)
        if raised:
            for candidate in raised:
                candidate.score += text.score
                candidate.evidence.extend(text.hits)
                candidate.described = True
            continue
        subject = _text_subject(runbook, world, named_services, named_nodes)
        candidate = _Candidate(runbook, subject, text.score, list(text.hits), described=True)
        for signal in world.signals:
            if signal.kind in runbook.match.supporting_signals and signal.subject == subject:
                candidate.score += SUPPORT_WEIGHT
                candidate.support.append(signal)
                candidate.evidence.append(f"signal {signal.kind} on {subject}: {signal.detail}")
        candidates[(runbook.id, subject)] = candidate
    _rank_symptoms_below_causes(candidates)


def _rank_symptoms_below_causes(candidates: dict[tuple[str, str], _Candidate]) -> None:
    """A symptom runbook raised by words alone weighs half when the words also name a cause."""
    causes = sorted(
        (c for c in candidates.values() if c.described and not c.runbook.match.symptom and not c.runbook.fallback),
        key=lambda c: (-c.score, c.runbook.id),
    )
    if not causes:
        return
    for candidate in candidates.values():
        if candidate.runbook.match.symptom and not candidate.signals:
            candidate.score /= 2
            candidate.evidence.append(f"a symptom; the text also points to {causes[0].runbook.id}")


def _text_subject(runbook: Runbook, world: World, named_services: list[str], named_nodes: list[str]) -> str:
    """The subject of a runbook raised by words: named in the text, hinted, or the only one failing."""
    match = runbook.match
    if match.subject == "node":
        if named_nodes:
            return named_nodes[0]
        return next(iter(world.nodes)) if len(world.nodes) == 1 else ""
    if match.services:
        hinted = [name for name in world.services if _hinted(world, name, match.services)]
        mentioned = [name for name in named_services if name in hinted]
        failing = [name for name in hinted if world.is_short(name)]
        return (mentioned or failing or hinted or [""])[0]
    supported = [s.subject for s in world.signals if s.kind in match.supporting_signals and s.subject in world.services]
    mentioned = [name for name in named_services if name in supported] or supported or named_services
    if mentioned:
        return mentioned[0]
    failing = sorted({s.subject for s in world.signals if s.kind in _FAILURES and s.subject in world.services})
    return failing[0] if len(failing) == 1 else ""


def _select(candidates: dict[tuple[str, str], _Candidate]) -> list[_Candidate]:
    """Every signal-raised candidate (fallbacks folded into specific ones), plus the best described ones."""
    raised = [c for c in candidates.values() if c.signals]
    explained = {c.subject for c in raised if not c.runbook.fallback}
    chosen = []
    for candidate in raised:
        if candidate.runbook.fallback and candidate.subject in explained:
            for other in raised:
                if other.subject == candidate.subject and not other.runbook.fallback:
                    other.evidence.extend(e for e in candidate.evidence if e not in other.evidence)
            continue
        chosen.append(candidate)
    described = sorted((c for c in candidates.values() if not c.signals), key=lambda c: (-c.score, c.runbook.id))
    if described:
        floor = described[0].score * KEEP_RATIO
        chosen.extend([c for c in described if c.score >= floor][:MAX_DESCRIBED])
    return chosen


def _generic(runbook: Runbook, world: World, parts: tuple[TextPart, ...]) -> _Candidate:
    named = names_in_text(world.services, world.service_aliases(), parts)
    subject = _text_subject(runbook, world, named, [])
    seen = "the description or the live evidence" if world.evidence else "the description"
    return _Candidate(runbook, subject, GENERIC_SCORE, [f"no runbook matched {seen}"], described=True)


# --- building issues -------------------------------------------------------------------------------------


def _worst(*severities: Severity) -> Severity:
    return min(severities, key=lambda s: s.rank)


def _command(step: Step, facts: Facts) -> Command:
    return labelled(
        Command(text=fill(step.text, facts), purpose=fill(step.purpose, facts), expected=fill(step.expected, facts))
    )


def _issue(
    candidate: _Candidate, world: World, described: Described, text_facts: dict[str, str]
) -> tuple[TriageIssue, Facts]:
    runbook, subject = candidate.runbook, candidate.subject
    facts = {**text_facts, **world.facts(subject, candidate.on_node, candidate.signals + candidate.support)}
    severity = runbook.severity
    evidence = list(candidate.evidence)
    if candidate.described and described.severity is not None:
        severity = _worst(severity, described.severity) if candidate.signals else described.severity
        if severity is not runbook.severity:
            words = ", ".join(f"'{cue}'" for cue in described.cues[:3])
            evidence.append(f"severity {severity} from the words {words}")
    if subject and not candidate.on_node and subject in world.services:
        info = world.services[subject]
        if world.is_down(subject):
            severity = Severity.P0
            evidence.append(f"{subject}: 0/{info.desired} tasks running")
        elif world.is_short(subject):
            severity = _worst(severity, Severity.P1)
            evidence.append(f"{subject}: {info.running}/{info.desired} tasks running")
        evidence.extend(f"log {subject}: {line}" for line in world.error_logs(subject))
        evidence.extend(
            f"recent deploy of {subject}: {s.detail}"
            for s in world.recent_deploys()
            if s.subject == subject and s not in candidate.support
        )
    issue = TriageIssue(
        id=candidate.id,
        runbook_id=runbook.id,
        subject=subject,
        severity=severity,
        title=f"{runbook.title} ({subject})" if subject else runbook.title,
        summary=fill(runbook.summary, facts),
        impact=fill(runbook.impact, facts),
        symptoms=[fill(s, facts) for s in runbook.symptoms],
        root_cause=fill(runbook.root_cause, facts),
        evidence=list(dict.fromkeys(evidence)),
        fix=[_command(s, facts) for s in runbook.fix],
        verify=[_command(s, facts) for s in runbook.verify],
        rollback=[_command(s, facts) for s in runbook.rollback],
        time_to_fix_min=runbook.time_to_fix_min,
        owner=runbook.owner,
        escalate_if=fill(runbook.escalate_if, facts),
        confidence=round(min(0.97, candidate.score / (candidate.score + 4.0)), 2),
        provenance=Provenance.RULES,
    )
    return issue, facts


# --- the triage ------------------------------------------------------------------------------------------


def _summarise(
    context: IncidentContext,
    built: list[tuple[TriageIssue, Facts]],
    described: Described,
    world: World,
    catalog: Catalog,
    now: datetime,
) -> Triage:
    issues = [issue for issue, _ in built]
    top, top_facts = built[0]
    top_runbook = catalog[top.runbook_id]
    severity = _worst(*(i.severity for i in issues), *([described.severity] if described.severity else []))
    identified = top.confidence >= CONFIDENT and top.runbook_id != GENERIC_ID
    if severity is Severity.P0:
        status = SystemStatus.PARTIAL if described.partial else SystemStatus.DOWN
    elif severity is Severity.P1:
        status = SystemStatus.DEGRADED
    else:
        status = SystemStatus.OPERATIONAL
    impact = context.user_impact.strip()
    if not impact:
        own = top.impact if top.severity.rank <= top_runbook.severity.rank else ""
        impact = own or (_PARTIAL_IMPACT if described.partial and severity is Severity.P0 else _IMPACT[severity])
    changes = [context.recent_changes.strip()] if context.recent_changes.strip() else []
    factors = [f"Recent change: {c}" for c in changes or change_sentences(context.description)[:2]]
    factors += [f"Recent deploy of {s.subject}: {s.detail}" for s in world.recent_deploys()]
    factors += [f"Also: {i.severity} {i.title}" for i in issues[1:5]]
    if identified:
        factors += [f"Check: {fill(h, top_facts)}" for h in top_runbook.contributing_factors[:2]]
    prevention: dict[str, list[str]] = {"immediate": [], "short_term": [], "long_term": []}
    for issue, facts in built:
        runbook = catalog[issue.runbook_id]
        for part, items in prevention.items():
            items.extend(t for t in (fill(x, facts) for x in getattr(runbook.prevention, part)) if t not in items)
    urgent = sum(i.time_to_fix_min for i in issues if i.severity is not Severity.P2)
    return Triage(
        severity=severity,
        system_status=status,
        user_impact=impact,
        primary_cause=top.root_cause if identified else f"Investigating: {top.root_cause}",
        contributing_factors=list(dict.fromkeys(factors)),
        root_cause_identified=identified,
        issues=issues,
        prevention=Prevention(**prevention),
        eta_minutes=urgent or sum(i.time_to_fix_min for i in issues),
        engine=Provenance.RULES,
        generated_at=now,
    )
