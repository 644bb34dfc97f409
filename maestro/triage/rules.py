"""The offline rules triage: runbooks scored against the incident text and the live evidence.

Deterministic and fast. A signal raises its runbook for its subject (one issue per runbook and subject);
words and regexes of the text add weight or raise runbooks of their own, bound to the service whose own
log lines or errors repeat those words, else to a failing service the text names; the error lines of a
failing service raise the runbooks they match. The words also say how severe the incident is; log text
never does. Nothing matched still gives the generic triage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache

from maestro.eta import recovery_minutes
from maestro.model import (
    Command,
    Danger,
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
from maestro.redact import redact_obj
from maestro.runbooks.catalog import GENERIC_ID, Catalog, Runbook, Step, default_catalog, load_catalog
from maestro.runbooks.terms import Term, phrase_term
from maestro.safety import classify, labelled
from maestro.triage.facts import Facts, World, fill, fill_command
from maestro.triage.matching import (
    Described,
    TextPart,
    TextScore,
    any_term,
    change_sentences,
    described_severity,
    first_host,
    first_url,
    incident_parts,
    names_in_text,
    score_contradictions,
    score_terms,
    without_spans,
)
from maestro.triage.reading import Polarity, without_cleared
from maestro.triage.reported import CaseIndex, ReportedCase, shipped_index
from maestro.triage.similarity import closest
from maestro.triage.subjects import SUBJECTS, distinctive, named_subjects

__all__ = ["Catalog", "load_catalog", "triage"]

SIGNAL_WEIGHT = 6.0
REPEAT_SIGNAL_WEIGHT = 1.0
SUPPORT_WEIGHT = 2.0
# A term in a service's log lines weighs less than in the description; raising an issue from logs alone needs
# more than one weak word, and a strong match when the service is healthy.
LOG_WEIGHT = 0.75
LOG_MIN_SCORE = 3.0
LOG_STRONG_SCORE = 6.0
MAX_LOG_RUNBOOKS_PER_SERVICE = 2
MAX_FROM_LOGS = 6
# The words of the text bind to a service when its own log lines or errors repeat words worth this much.
BIND_MIN = 2.0
GENERIC_SCORE = 1.0
CONFIDENT = 0.5
KEEP_RATIO = 0.4
# a term this heavy names data loss or a breach outright (rm -rf of the data, a customer list for sale)
GRAVE_WEIGHT = 6.0
MAX_DESCRIBED = 4
# a reading below its runbook's bar is still offered, as a weak hypothesis, when nothing else matched and it has
# this share of the bar and a specific word
NEAR_SHARE = 0.5
SPECIFIC = 0.9

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
    evidenced: bool = False  # bound to, confirmed by or raised from the subject's own log lines or errors
    log_service: str = ""  # raised from this service's log lines alone
    reported: list[str] = field(default_factory=list)  # the words of the report that point here
    terms: list[Term] = field(default_factory=list)  # the runbook's terms the words hold
    verbatim: bool = False  # the words hold one of its terms in quoted error text or an error message
    outvoted: bool = False  # a reading on broad words alone that a reading on distinctive evidence outweighs
    quotes: list[str] = field(default_factory=list)  # the subject's own lines that repeat or raised it
    ruled_out: list[str] = field(default_factory=list)  # measured facts that contradict a reading of the words
    weak: bool = False  # the closest reading of the words, below its runbook's bar
    contradicted: bool = False  # the words also hold what the runbook names as pointing to a neighbour
    outread: bool = False  # a contradicted reading of the words alone that a clearly stronger reading outweighs
    yields: bool = False  # a contradicted or faint cause that a symptom the words name outscores ranks as a symptom
    case: ReportedCase | None = None  # the incident reported before in the most alike words, when it raised this

    @property
    def measured(self) -> bool:
        return bool(self.signals or self.support or self.evidenced)

    @property
    def standing(self) -> int:
        """What the issue rests on: measured and reported, measured, reported only, a symptom or nothing, then
        broad words that specific evidence outvotes."""
        if self.outvoted:
            return 4
        if self.tier == 3 or self.yields:
            return 3
        if self.measured:
            return 0 if self.reported else 1
        return 2

    @property
    def id(self) -> str:
        return f"{self.runbook.id}:{self.subject}" if self.subject else self.runbook.id

    @property
    def on_node(self) -> bool:
        return self.runbook.match.subject == "node"

    @property
    def tier(self) -> int:
        """How directly the issue says what to do: an evidenced cause, a signal, words, then a symptom."""
        if self.runbook.match.symptom or self.runbook.fallback or self.runbook.id == GENERIC_ID:
            return 3
        if self.evidenced:
            return 0
        return 1 if self.signals else 2

    def add(self, score: float, evidence: list[str]) -> None:
        self.score += score
        self.evidence.extend(e for e in evidence if e not in self.evidence)


def triage(
    context: IncidentContext,
    evidence: Evidence | None = None,
    *,
    catalog: Catalog | None = None,
    now: datetime | None = None,
    aliases: Mapping[str, str] | None = None,
    cases: CaseIndex | None = None,
) -> Triage:
    """The rules triage of an incident, from its description and (optionally) live evidence.

    `aliases` maps names people use ("checkout") to service names, as in the config's `service_aliases`.
    `cases` are the incidents reported before (the shipped ones by default): when nothing reaches a bar, the
    nearest of them is the start.
    """
    catalog = catalog if catalog is not None else default_catalog()
    # The triage quotes the description; evidence comes redacted from the collector.
    context = redact_obj(context)
    parts = incident_parts(context)
    world = World(evidence, aliases)
    described = described_severity(parts)
    if described.spread_only and _only_side_functions(catalog, parts):
        described = replace(described, side_functions=True)
    url = first_url(parts)
    host = first_host(parts)
    text_facts = {"host": host, "health_url": url or (f"https://{host}/health" if host else "")}

    candidates: dict[tuple[str, str], _Candidate] = {}
    _raise_from_signals(catalog, world, candidates)
    referred, near = _raise_from_text(catalog, parts, world, candidates)
    _raise_from_logs(catalog, world, candidates)
    _gate_by_subject(parts, world, candidates, near)
    _outvote_broad_readings(candidates)
    # nothing reached a bar: the incident reported before in the most alike words is the best start; else a
    # reading just below its bar names a cause; the function the words name only says where it is felt
    if (
        not candidates
        and not _raise_from_reported(cases, catalog, context, described, parts, world, candidates)
        and (near or not _raise_from_areas(catalog, parts, world, candidates))
    ):
        _raise_weak(catalog, parts, world, candidates, near)
    chosen = _select(candidates)
    if all(c.weak for c in chosen):
        chosen = [*chosen, _generic(catalog.generic, world, parts)]
    reading = _text_reading(chosen, described)
    _mark_outread(chosen)
    built = _ordered([(*_issue(c, world, reading, text_facts, list(referred)), c.tier, c.standing) for c in chosen])
    return _summarise(context, built, described, world, catalog, now or datetime.now(UTC))


# --- raising candidates ----------------------------------------------------------------------------------


def _hinted(world: World, service: str, hints: list[str]) -> bool:
    """Whether a service is one a runbook's `services` hints name, by its name or its image."""
    words = world.words(service)
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
) -> tuple[dict[str, list[str]], list[tuple[float, str, Runbook, TextScore]]]:
    """Raise runbooks from the words; returns the services the words refer to and the readings just below
    their bar."""
    named_services = names_in_text(world.service_names(), world.service_aliases(), parts)
    named_nodes = names_in_text(world.nodes, {n: [n.lower()] for n in world.nodes}, parts)
    referred = _referred(catalog, world, parts, named_services)
    _corroborate(candidates, referred)
    near: list[tuple[float, str, Runbook, TextScore]] = []
    by_runbook: dict[str, list[_Candidate]] = {}
    for candidate in candidates.values():
        by_runbook.setdefault(candidate.runbook.id, []).append(candidate)
    # only the runbooks and terms whose needles the words hold can match them
    words = "\n".join(part.text for part in parts)
    present = catalog.needles_in(words) if words.isascii() else None
    for index in catalog.worded_for(present):
        runbook = index.runbook
        if any_term(index.excludes, parts):
            continue
        text = score_terms(index.terms if present is None else index.terms_for(present), parts, catalog.specificity)
        contradicted = score_contradictions(index.contradicts, parts) if index.contradicts else None
        if contradicted is not None:
            text.score += contradicted.score
            text.raw += contradicted.raw
            text.against.extend(contradicted.against)
        if text.raw < index.min_score or text.score <= 0:
            if text.score > 0 and text.raw >= NEAR_SHARE * index.min_score and _specific(text, catalog):
                near.append((text.score, runbook.id, runbook, text))
            continue
        raised = by_runbook.get(runbook.id)
        if raised:
            for candidate in raised:
                candidate.add(text.score, text.hits)
                candidate.described = True
                candidate.reported.extend(w for w in text.found if w not in candidate.reported)
                candidate.terms.extend(text.terms)
                candidate.verbatim = candidate.verbatim or _verbatim(text)
            continue
        subject, quotes = _text_subject(runbook, world, text, named_services, named_nodes)
        candidate = _Candidate(runbook, subject, text.score, [*text.hits, *quotes], described=True)
        candidate.evidenced = bool(quotes)
        candidate.contradicted = contradicted is not None and bool(contradicted.against)
        candidate.reported = list(dict.fromkeys(text.found))
        candidate.terms = list(text.terms)
        candidate.verbatim = _verbatim(text)
        candidate.quotes = quotes
        _rule_out_by_measure(candidate, world, referred)
        _weaken_unsupported(candidate, world)
        for signal in world.signals:
            if signal.kind in runbook.match.supporting_signals and signal.subject == subject:
                candidate.score += SUPPORT_WEIGHT
                candidate.support.append(signal)
                candidate.evidence.append(f"signal {signal.kind} on {subject}: {signal.detail}")
        candidates[(runbook.id, subject)] = candidate
    _rank_symptoms_below_causes(candidates)
    return referred, near


def _gate_by_subject(
    parts: tuple[TextPart, ...],
    world: World,
    candidates: dict[tuple[str, str], _Candidate],
    near: list[tuple[float, str, Runbook, TextScore]],
) -> None:
    """The subject the words name (a search engine, a CDN, a node) decides which runbooks its broad symptom words
    support: a reading about another thing that rests on broad words alone weighs half, and a reading about the
    named subject just below its bar is raised."""
    if not any(_broad(c, quoted=False) for c in candidates.values()):
        return
    named = named_subjects(parts)
    if not named:
        return
    owned = [c for c in candidates.values() if c.described and any(s.owns(c.runbook.id) for s in named)]
    if not owned:
        for score, _, runbook, text in sorted(near, key=lambda n: (-n[0], n[1])):
            # naming the subject is not yet a reading of it: the near reading needs a word of its own
            if not any(s.owns(runbook.id) for s in named) or all(any(s.names(t) for s in named) for t in text.terms):
                continue
            subject, quotes = _text_subject(runbook, world, text, [], [])
            names = ", ".join(s.name for s in named)
            candidate = _Candidate(runbook, subject, score, [*text.hits, f"the words name the {names}"], described=True)
            candidate.reported, candidate.terms, candidate.quotes = list(dict.fromkeys(text.found)), text.terms, quotes
            candidate.verbatim = _verbatim(text)
            candidates[(runbook.id, subject)] = candidate
            owned.append(candidate)
            break
    best = max((c.score for c in owned), default=0.0)
    for candidate in candidates.values():
        # a change (a deploy, a migration) says when, not what: any subject's symptoms may follow one
        change = bool(candidate.runbook.match.supporting_signals)
        if _broad(candidate, quoted=False) and not change and not any(s.owns(candidate.runbook.id) for s in named):
            candidate.score /= 2
            if any(s.owns(candidate.runbook.id) for s in SUBJECTS):
                candidate.score /= 2  # about another subject the words do not name, not merely about none
            candidate.outvoted = candidate.score < best or not owned
            names = ", ".join(s.name for s in named)
            candidate.evidence.append(f"the words name the {names}; this reading rests on broad words alone")


def _broad(candidate: _Candidate, *, quoted: bool = True) -> bool:
    """A cause read from the words alone, resting on broad words: no verbatim marker of its runbook (with
    `quoted`, a broad word copied from an error line counts as one)."""
    return (
        candidate.described
        and not candidate.measured
        and candidate.tier < 3
        and not (quoted and candidate.verbatim)
        and not distinctive(candidate.terms)
    )


def _own_evidence(candidate: _Candidate) -> bool:
    """A reading of the words resting on evidence of its own: a symptom only by text copied from an error line."""
    if not candidate.described or candidate.measured or candidate.weak:
        return False
    return candidate.verbatim or (candidate.tier < 3 and distinctive(candidate.terms))


def _verbatim(text: TextScore) -> bool:
    return any(hit.startswith(VERBATIM_PARTS) for hit in text.hits)


def _outvote_broad_readings(candidates: dict[tuple[str, str], _Candidate]) -> None:
    """Specific evidence outranks broad words: a cause read from broad words alone ranks after a reading whose
    runbook's verbatim markers (a product's own error text, quoted error lines) the words hold and that weighs
    more than it."""
    specific = [c for c in candidates.values() if _own_evidence(c)]
    if not specific:
        return
    best = max(specific, key=lambda c: (c.score, c.runbook.id))
    for candidate in candidates.values():
        if _broad(candidate) and candidate.score < best.score * OUTVOTE_SHARE:
            candidate.outvoted = True
            candidate.evidence.append(f"broad words only; {best.runbook.id} rests on the report's own error text")


def _raise_weak(
    catalog: Catalog,
    parts: tuple[TextPart, ...],
    world: World,
    candidates: dict[tuple[str, str], _Candidate],
    near: list[tuple[float, str, Runbook, TextScore]],
) -> None:
    """Nothing in the words or the evidence reached a bar: the closest reading beats "unknown", as a weak
    hypothesis: the best match below its bar, else the runbook whose own words are closest."""
    named_services = names_in_text(world.service_names(), world.service_aliases(), parts)
    named_nodes = names_in_text(world.nodes, {n: [n.lower()] for n in world.nodes}, parts)
    if not near:
        _raise_closest(catalog, parts, world, candidates, named_services, named_nodes)
        return
    _, _, runbook, text = max(near, key=lambda n: (n[0], n[1]))
    subject, quotes = _text_subject(runbook, world, text, named_services, named_nodes)
    weak = _Candidate(runbook, subject, text.score / 2, [*text.hits, "a weak match, below its bar"], described=True)
    weak.reported, weak.quotes, weak.weak = list(dict.fromkeys(text.found)), quotes, True
    candidates[(runbook.id, subject)] = weak


AREA_SCORE = 3.0
# the parts of the incident that hold text copied from the failing thing
VERBATIM_PARTS = ("quoted error", "error message")
# a broad reading ranks after a specific one unless it weighs this many times as much
OUTVOTE_SHARE = 1.0


@cache
def _area_terms(areas: tuple[str, ...]) -> tuple[Term, ...]:
    return tuple(phrase_term(area, 1.0) for area in areas)


def _named_functions(catalog: Catalog, parts: tuple[TextPart, ...]) -> list[Runbook]:
    """The runbooks of the user-facing functions the words assert something of ("uploads", "checkout")."""
    return [
        runbook
        for runbook in catalog
        if runbook.areas
        and any(
            (mention := part.mention(term)) is not None and mention[1] is Polarity.ASSERTED
            for term in _area_terms(tuple(runbook.areas))
            for part in parts
        )
    ]


# a clause that says how far something reaches: "nobody can upload a profile picture"
_SPREAD_CLAUSE = re.compile(r"[^.;!?\n]*\b(every\w*|all|nobody|no one|no-one)\b[^.;!?\n]*")


def _only_side_functions(catalog: Catalog, parts: tuple[TextPart, ...]) -> bool:
    """Whether the clause that says how far it reaches names a function whose failure leaves the product usable,
    and none that is an outage by default (paying)."""
    clauses = tuple(
        TextPart.of(part.name, found.group(0), part.weight)
        for part in parts
        for found in _SPREAD_CLAUSE.finditer(part.text)
    )
    named = _named_functions(catalog, clauses)
    return any(r.degrades_only for r in named) and not any(r.severity is Severity.P0 for r in named)


def _raise_from_areas(
    catalog: Catalog, parts: tuple[TextPart, ...], world: World, candidates: dict[tuple[str, str], _Candidate]
) -> bool:
    """Nothing in the words or the evidence reached a bar, but the words name a user-facing function ("customers
    can't pay", "uploads fail"): the runbook for that function is the start, not "unknown".

    The runbook naming most of the functions the words assert wins, then the one naming the longest of them.
    """
    best: tuple[int, int, str, Runbook, list[str]] | None = None
    for runbook in catalog:
        if not runbook.areas:
            continue
        found = [
            mention[0]
            for term in _area_terms(tuple(runbook.areas))
            for part in parts
            if (mention := part.mention(term)) is not None and mention[1] is Polarity.ASSERTED
        ]
        if not found:
            continue
        key = (len(set(found)), max(len(f) for f in found), runbook.id, runbook, found)
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None:
        return False
    runbook, found = best[3], list(dict.fromkeys(best[4]))
    named_services = names_in_text(world.service_names(), world.service_aliases(), parts)
    subject, _ = _text_subject(runbook, world, TextScore(), named_services, [])
    note = f"the words name the function it covers: {', '.join(repr(f) for f in found[:3])}"
    candidate = _Candidate(runbook, subject, AREA_SCORE, [note], described=True)
    candidate.reported = found[:6]
    candidates[(runbook.id, subject)] = candidate
    return True


REPORTED_SCORE = 3.0


def _what_happened(parts: tuple[TextPart, ...], described: Described) -> str:
    """The description less what it rules out, clears ("the db is fine") or says of the impact ("nothing loads
    for anyone"): the impact says how bad, not what happened."""
    part = next((p for p in parts if p.name == "description"), None)
    if part is None:
        return ""
    words = without_cleared(without_spans(part.text, part.scopes.ruled_out))
    for cue in described.cues:
        words = words.replace(cue, " ")
    return words


def _as_reported(case: ReportedCase, runbook: Runbook, described: Described) -> Severity:
    """No impact words of its own: the severity of the incident reported in alike words, when its words had none
    either, else its runbook's; one level lower when the words say users do not feel it."""
    severity = case.severity if _unqualified(case) else runbook.severity
    return _as_felt(severity, described) if described.unfelt else severity


def _unqualified(case: ReportedCase) -> bool:
    """Whether a reported case's severity is that of its kind of failure, not of impact words of its own ("only
    customers in the EU")."""
    own = described_severity(incident_parts(IncidentContext(description=case.text)))
    return own.severity is None and not own.cues and not own.partial


def _raise_from_reported(
    cases: CaseIndex | None,
    catalog: Catalog,
    context: IncidentContext,
    described: Described,
    parts: tuple[TextPart, ...],
    world: World,
    candidates: dict[tuple[str, str], _Candidate],
) -> bool:
    """The runbook of the reported incident whose words are most like these, compared by what happened."""
    index = cases if cases is not None else shipped_index()
    allowed = {r.id for r in catalog if not _change_unnamed(r, parts, world)}
    found = index.nearest(_what_happened(parts, described), allowed=allowed)
    if found is None:
        return False
    runbook = catalog.get(found.runbook)
    if runbook is None:
        return False
    named_services = names_in_text(world.service_names(), world.service_aliases(), parts)
    subject, _ = _text_subject(runbook, world, TextScore(), named_services, [])
    like = found.case.text if len(found.case.text) <= 90 else found.case.text[:89] + "…"
    note = f"worded like an incident reported before (similarity {found.similarity}): {like!r}"
    candidate = _Candidate(runbook, subject, REPORTED_SCORE, [note], described=True, case=found.case)
    candidates[(runbook.id, subject)] = candidate
    return True


def _change_unnamed(runbook: Runbook, parts: tuple[TextPart, ...], world: World) -> bool:
    """A runbook that starts from a change (a deploy) while neither the words nor the evidence name one: an alike
    report that had one does not bring it."""
    return (
        SignalKind.RECENT_DEPLOY in runbook.match.supporting_signals
        and not world.recent_deploys()
        and not any_term(runbook.terms, parts)
    )


def _raise_closest(
    catalog: Catalog,
    parts: tuple[TextPart, ...],
    world: World,
    candidates: dict[tuple[str, str], _Candidate],
    named_services: list[str],
    named_nodes: list[str],
) -> None:
    """No term matched: the runbook whose own words are closest to the report's, as a weak hypothesis."""
    found = closest(catalog, parts)
    if found is None:
        return
    runbook, similarity, shared = found
    if not runbook.terms:
        return  # a runbook named only by the functions it covers says nothing about an unnamed one
    subject, _ = _text_subject(runbook, world, TextScore(), named_services, named_nodes)
    note = f"closest runbook by its own words (similarity {similarity}): {', '.join(shared[:5])}"
    weak = _Candidate(runbook, subject, similarity * 4, [note], described=True, weak=True)
    weak.reported = shared[:6]
    candidates[(runbook.id, subject)] = weak


def _specific(text: TextScore, catalog: Catalog) -> bool:
    """Whether a match holds a word that tells its runbook apart (a regex, or a phrase few runbooks use)."""
    return any(t.folds_case or catalog.specificity.get(t.label, 1.0) >= SPECIFIC for t in text.terms)


def _referred(catalog: Catalog, world: World, parts: tuple[TextPart, ...], named: list[str]) -> dict[str, list[str]]:
    """The services the words refer to, with the words: by name or alias, or by the kind of service they are.

    The kinds are the runbooks' own service hints: "database" refers to `db` because a database runbook hints
    `db` and `database` alike.
    """
    referred: dict[str, list[str]] = {name: [name] for name in named}
    families = {tuple(r.match.services) for r in catalog if r.match.services}
    for family in families:
        words = [w for w in family if any(_asserted_word(w, part) for part in parts)]
        if not words:
            continue
        for name in world.service_names():
            if any(hint in world.words(name) for hint in family):
                referred.setdefault(name, []).extend(w for w in words if w not in referred[name])
    return referred


def _asserted_word(word: str, part: TextPart) -> bool:
    if word not in part.text:
        return False
    for found in re.finditer(rf"(?<![\w.-]){re.escape(word)}(?![\w-])", part.text):
        if part.scopes.polarity(part.text, found.start(), found.end()) is Polarity.ASSERTED:
            return True
    return False


def _corroborate(candidates: dict[tuple[str, str], _Candidate], referred: dict[str, list[str]]) -> None:
    """A measured issue about a service the words refer to is what the report describes: it weighs more."""
    for candidate in candidates.values():
        words = referred.get(candidate.subject) if candidate.signals and not candidate.on_node else None
        if words:
            candidate.score += SUPPORT_WEIGHT
            candidate.reported.extend(w for w in words if w not in candidate.reported)


def _rule_out_by_measure(candidate: _Candidate, world: World, referred: dict[str, list[str]]) -> None:
    """A reading of the words that a measured fact about the service they refer to rules out weighs half."""
    kinds = candidate.runbook.match.ruled_out_by
    if not kinds:
        return
    for signal in world.signals:
        if signal.kind in kinds and signal.subject in referred:
            candidate.score /= 2
            candidate.ruled_out.append(f"{signal.subject}: {signal.detail}")
            candidate.evidence.append(f"measured on {signal.subject} rules this reading out: {signal.detail}")
            return


def _weaken_unsupported(candidate: _Candidate, world: World) -> None:
    """Words the runbook needs a measured fact for (a deploy), when the evidence shows none anywhere, weigh half."""
    kinds = candidate.runbook.match.supporting_signals
    if not kinds or world.evidence is None or not world.services:
        return
    if not any(s.kind in kinds for s in world.signals):
        candidate.score /= 2
        shown = ", ".join(str(k) for k in kinds)
        candidate.ruled_out.append(f"no {shown} on any service")
        candidate.evidence.append(f"measured: no {shown} on any service")


# a cause the words name this many times less strongly than a symptom is a weaker reading than that symptom
FAINT_CAUSE_RATIO = 3.0


def _rank_symptoms_below_causes(candidates: dict[tuple[str, str], _Candidate]) -> None:
    """A symptom runbook raised by words alone weighs half when the words also name a cause (one the words do not
    also hold against, and name at least a third as strongly as the symptom)."""
    causes = sorted(
        (
            c
            for c in candidates.values()
            if c.described and not c.runbook.match.symptom and not c.runbook.fallback and not c.contradicted
        ),
        key=lambda c: (-c.score, c.runbook.id),
    )
    # a cause the words barely name ("since the redeploy") yields to a symptom they name far more
    symptom_scores = [c.score for c in candidates.values() if c.runbook.match.symptom and c.described and not c.signals]
    strongest_symptom = max(symptom_scores, default=0.0)
    for cause in causes:
        if not cause.measured and cause.score * FAINT_CAUSE_RATIO < strongest_symptom:
            cause.yields = True
    causes = [c for c in causes if not c.yields]
    if not causes:
        # only causes the words also hold against: a symptom they outscore names the place to start
        symptoms = [c.score for c in candidates.values() if c.runbook.match.symptom and c.described]
        for candidate in candidates.values():
            if candidate.contradicted and not candidate.measured and symptoms and max(symptoms) > candidate.score:
                candidate.yields = True
        return
    for candidate in candidates.values():
        if candidate.runbook.match.symptom and not candidate.signals:
            candidate.score /= 2
            candidate.evidence.append(f"a symptom; the text also points to {causes[0].runbook.id}")


def _text_subject(
    runbook: Runbook, world: World, text: TextScore, named_services: list[str], named_nodes: list[str]
) -> tuple[str, list[str]]:
    """The subject of a runbook raised by words, and the evidence lines that bound it.

    Best evidenced first: the service whose own lines repeat the words or that carries a supporting signal;
    then a failing service the text names, then a healthy one it names (the words say where the cause is seen;
    a symptom's subject stays open while others fail); when the text names none, the only failing service.
    """
    match = runbook.match
    if match.subject == "node":
        if named_nodes:
            return named_nodes[0], []
        return (next(iter(world.nodes)) if len(world.nodes) == 1 else ""), []
    names = world.service_names()
    pool = [name for name in names if _hinted(world, name, match.services)] if match.services else names
    bound = _bound_by_evidence(runbook, world, text, pool, named_services)
    if bound is not None:
        return bound
    unhealthy = [name for name in pool if world.is_unhealthy(name)]
    named = [name for name in named_services if name in pool]
    named_unhealthy = [name for name in named if name in unhealthy]
    if named_unhealthy:
        return named_unhealthy[0], []
    if match.services:
        return (unhealthy or named or pool or [""])[0], []
    if named:
        # a symptom seen on a healthy service may come from a failing one: its subject stays open
        return ("" if match.symptom and world.unhealthy() else named[0]), []
    return (unhealthy[0] if len(unhealthy) == 1 else ""), []


def _bound_by_evidence(
    runbook: Runbook, world: World, text: TextScore, pool: list[str], named_services: list[str]
) -> tuple[str, list[str]] | None:
    """The service whose own lines repeat the text's words or that carries a supporting signal, and the lines."""
    best: tuple[float, str, list[str]] | None = None
    kinds = runbook.match.supporting_signals
    supported_on = {s.subject for s in world.signals if s.kind in kinds} if kinds else set()
    own = world.excerpts_of_services(own=True)
    lookups = [(term.weight, own.lookup(term)) for term in text.terms]
    for name in pool:
        found = [
            (weight, quote)
            for weight, lookup in lookups
            if name in lookup.owners and (quote := lookup.quote(name)) is not None
        ]
        overlap = sum(weight for weight, _ in found)
        if overlap < BIND_MIN:
            found, overlap = [], 0.0
        supported = name in supported_on
        if not found and not supported:
            continue
        score = overlap + (SUPPORT_WEIGHT if supported else 0.0)
        score += (1.0 if world.is_unhealthy(name) else 0.0) + (0.5 if name in named_services else 0.0)
        if best is None or score > best[0]:
            best = (score, name, list(dict.fromkeys(quote for _, quote in found)))
    return None if best is None else (best[1], best[2])


def _raise_from_logs(catalog: Catalog, world: World, candidates: dict[tuple[str, str], _Candidate]) -> None:
    """Error lines confirm the issues already raised for their service and raise the cause runbooks they match.

    Only the terms whose needles are in the lines are tried, each once across all services' lines.
    """
    found: list[tuple[float, int, str, str, Runbook, TextScore]] = []
    scan = world.excerpts_of_services(own=False)
    # without lines there is nothing to index (and the needle set is not built)
    held = scan.index(catalog.needle_set) if scan.text else set()
    # outside ASCII a case-insensitive regex may match without its needle: then every term is tried
    present = held if scan.text.isascii() else None
    order = {name: position for position, name in enumerate(world.services)}
    bars = {name: LOG_MIN_SCORE if world.is_unhealthy(name) else LOG_STRONG_SCORE for name in world.services}
    hinted: dict[tuple[str, ...], set[str]] = {}
    raised = {runbook_id for runbook_id, _ in candidates}
    for index in catalog.causes_for(present):
        runbook, on_node, hints = index.runbook, index.on_node, index.hints
        terms = index.terms if present is None else index.terms_for(present)
        # a runbook its terms cannot bring to a bar, and with no issue raised to confirm, is not looked up
        if runbook.id not in raised and LOG_WEIGHT * sum(t.weight for t in terms) < max(LOG_MIN_SCORE, index.min_score):
            continue
        if hints and hints not in hinted:
            hinted[hints] = {name for name in world.services if _hinted(world, name, list(hints))}
        # heavier terms first, as hits are listed; a service is only looked at when the terms whose texts its
        # lines hold could bring it to its bar, and then each term is looked up in its lines once
        ordered = sorted(terms, key=lambda t: -t.weight)
        lookups = [(term.weight * LOG_WEIGHT, scan.lookup(term)) for term in ordered]
        reach: dict[str, float] = {}
        for weight, lookup in lookups:
            for name in lookup.owners:
                reach[name] = reach.get(name, 0.0) + weight
        for name in sorted(reach, key=order.__getitem__):
            if hints and name not in hinted[hints]:
                continue
            subject = world.service_facts(name).get("node", "") if on_node else name
            existing = candidates.get((runbook.id, subject))
            need = 0.0 if existing is not None else max(bars[name], index.min_score)
            if reach[name] < need:
                continue  # adds up the same terms as the score below, and more: the score is no higher
            score = TextScore()
            for term, (weight, lookup) in zip(ordered, lookups, strict=True):
                if name in lookup.owners and (quote := lookup.quote(name)) is not None:
                    score.score += weight
                    score.hits.append(quote)
                    score.terms.append(term)
            if not score.hits:
                continue
            score.hits = list(dict.fromkeys(score.hits))
            if score.score < need or any(scan.lookup(t).quote(name) is not None for t in index.excludes):
                continue
            if existing is not None:
                existing.add(score.score, score.hits)
                existing.evidenced = True
                existing.quotes.extend(q for q in score.hits if q not in existing.quotes)
            else:
                found.append((-score.score, order[name], name, subject, runbook, score))
    per_service: dict[str, int] = {}
    for negative, _, name, subject, runbook, score in sorted(found, key=lambda f: (f[0], f[1], f[4].id)):
        if per_service.get(name, 0) == MAX_LOG_RUNBOOKS_PER_SERVICE:
            continue
        per_service[name] = per_service.get(name, 0) + 1
        unbound = candidates.get((runbook.id, ""))
        if unbound is not None and not unbound.signals and subject == name:
            del candidates[(runbook.id, "")]
            unbound.subject = name
            unbound.add(-negative, score.hits)
            unbound.quotes.extend(score.hits)
            unbound.evidenced = True
            candidates[(runbook.id, name)] = unbound
            continue
        if (runbook.id, subject) not in candidates:
            candidates[(runbook.id, subject)] = _Candidate(
                runbook, subject, -negative, list(score.hits), evidenced=True, log_service=name, quotes=list(score.hits)
            )


def _select(candidates: dict[tuple[str, str], _Candidate]) -> list[_Candidate]:
    """Every signal-raised candidate, the best described ones and the best from logs; fallbacks fold into causes."""
    raised = [c for c in candidates.values() if c.signals]
    described = sorted(
        (c for c in candidates.values() if not c.signals and c.described), key=lambda c: (-c.score, c.runbook.id)
    )
    if described:
        # a reading that specific evidence outvotes sets no floor for the others
        floor = next((c.score for c in described if not c.outvoted), described[0].score) * KEEP_RATIO
        kept = [c for c in described if c.score >= floor][:MAX_DESCRIBED]
        # data lost or an intruder in, named in words that tell it apart, is never outvoted by a louder reading
        described = kept + [c for c in described if c not in kept and _grave(c)]
    from_logs = sorted(
        (c for c in candidates.values() if not c.signals and not c.described), key=lambda c: (-c.score, c.id)
    )[:MAX_FROM_LOGS]
    causes = [c for c in [*raised, *described, *from_logs] if not c.runbook.fallback]
    chosen = []
    for candidate in raised:
        if candidate.runbook.fallback:
            explaining = [
                c for c in causes if c.subject == candidate.subject and c.subject and (c.signals or c.evidenced)
            ]
            for other in explaining:
                other.evidence.extend(e for e in candidate.evidence if e not in other.evidence)
            if explaining:
                continue
        chosen.append(candidate)
    return [*chosen, *described, *from_logs]


def _grave(candidate: _Candidate) -> bool:
    """A reading of data loss or a breach that rests on a term weighing as much as a verbatim error."""
    return (
        candidate.runbook.severity_holds
        and not candidate.contradicted
        and any(t.weight >= GRAVE_WEIGHT for t in candidate.terms)
    )


def _generic(runbook: Runbook, world: World, parts: tuple[TextPart, ...]) -> _Candidate:
    named = names_in_text(world.service_names(), world.service_aliases(), parts)
    subject, _ = _text_subject(runbook, world, TextScore(), named, [])
    seen = "the description or the live evidence" if world.evidence else "the description"
    return _Candidate(runbook, subject, GENERIC_SCORE, [f"no runbook matched {seen}"], described=True)


# --- building issues -------------------------------------------------------------------------------------


def _as_felt(severity: Severity, described: Described) -> Severity:
    """The words say users do not feel it: one level lower, but degraded at least when the team does."""
    lowered = _least(severity, Severity(f"P{min(2, severity.rank + 1)}"))
    return _worst(lowered, _least(severity, Severity.P1)) if described.felt else lowered


def _worst(*severities: Severity) -> Severity:
    return min(severities, key=lambda s: s.rank)


def _least(*severities: Severity) -> Severity:
    return max(severities, key=lambda s: s.rank)


def _state_severity(world: World, service: str) -> Severity:
    """The most severe an issue raised from a service's logs may be: what its state shows, never more."""
    if world.is_down(service):
        return Severity.P0
    return Severity.P1 if world.is_unhealthy(service) else Severity.P2


def _command(step: Step, facts: Facts) -> Command:
    purpose = fill(step.purpose, facts, shell=False)
    text, left_out = fill_command(step.text, facts)
    if left_out:
        names = ", ".join(f"<{name.upper()}>" for name in left_out)
        purpose += f" (fill in {names} by hand: the value found is not a plain URL, host, port or name)"
    expected = fill(step.expected, facts, shell=False)
    return Command(text=text, purpose=purpose, expected=expected, danger=classify(text))


def _text_reading(chosen: list[_Candidate], described: Described) -> Described:
    """The severity the words give; without impact words, the default of the cause the words point to most.

    Causes raised by words alone are rival readings of one report, not separate incidents: a weaker reading
    does not outrank the best one because its runbook's default severity is higher.
    """
    if described.severity is not None:
        return described
    readings = [c for c in chosen if c.described and not c.signals and c.tier < 3]
    if not readings and described.unfelt:
        # "5/6 replicas, no user impact": a count the swarm would measure, read from the words when no cause is
        readings = [
            c for c in chosen if c.described and not c.signals and c.runbook.match.symptom and c.runbook.match.signals
        ]
    if not readings and described.unfelt and all(c.runbook.id == GENERIC_ID for c in chosen):
        # "errors in the logs, users don't notice": whatever it is, it is minor for now
        return Described(Severity.P2, described.partial, described.cues, from_cause=True, unfelt=True)
    if not readings:
        return described
    best = max(readings, key=lambda c: (c.score, c.runbook.id))
    severity = best.runbook.severity
    # a node lost is capacity lost: that users do not feel it yet does not make it minor, unless the swarm has
    # already put every service back at its desired count
    if described.unfelt and (SignalKind.NODE_DOWN not in best.runbook.match.signals or described.restored):
        severity = _as_felt(severity, described)
    return Described(severity, described.partial, described.cues, from_cause=True, scoped=described.scoped)


# a reading of the words alone scoring under this share of the best one is a weaker rival, not the incident
OUTREAD_SHARE = 0.8


def _mark_outread(chosen: list[_Candidate]) -> None:
    """Readings of the words alone are rivals: one whose runbook holds its severity (data loss, a breach) but
    whose own contradictions the words hold does not outrank a clearly stronger reading by that severity alone."""
    readings = [c for c in chosen if c.described and not c.measured and not c.weak]
    if len(readings) < 2:
        return
    best = max(c.score for c in readings)
    for candidate in readings:
        candidate.outread = candidate.contradicted and candidate.score < OUTREAD_SHARE * best


def _issue(
    candidate: _Candidate, world: World, described: Described, text_facts: dict[str, str], referred: list[str]
) -> tuple[TriageIssue, Facts]:
    runbook, subject = candidate.runbook, candidate.subject
    facts = {**text_facts, **world.facts(subject, candidate.on_node, candidate.signals + candidate.support)}
    severity = runbook.severity
    evidence = list(candidate.evidence)
    if candidate.log_service:
        severity = _least(severity, _state_severity(world, candidate.log_service))
    if runbook.severity_holds and not candidate.log_service and not candidate.outread:
        severity = _worst(severity, runbook.severity)
    elif candidate.described and described.severity is not None and not (described.from_cause and candidate.signals):
        severity = _worst(severity, described.severity) if candidate.signals else described.severity
        if severity is not runbook.severity and described.from_cause and described.cues:
            words = ", ".join(f"'{cue}'" for cue in described.cues[:2])
            evidence.append(f"severity {severity}: the words say users do not feel it ({words})")
        elif severity is not runbook.severity and described.from_cause:
            evidence.append(f"severity {severity}: no impact words; the likeliest cause is a {severity}")
        elif severity is not runbook.severity:
            words = ", ".join(f"'{cue}'" for cue in described.cues[:3])
            evidence.append(f"severity {severity} from the words {words}")
    if candidate.case is not None and (described.severity is None or described.from_cause):
        severity = _as_reported(candidate.case, runbook, described)
        if severity is candidate.case.severity and not described.unfelt:
            evidence.append(f"severity {severity}: as the incident reported in alike words")
    # "uploads fail for everyone": how far it reaches, not an outage of the product
    if described.spread_only and candidate.described and not candidate.signals:
        if runbook.degrades_only or runbook.severity is Severity.P2:
            # a cosmetic flaw on every page is still cosmetic
            severity = runbook.severity
        elif described.side_functions and not runbook.severity_holds:
            severity = _least(severity, Severity.P1)
    # one region, page or kind of client failing is a partial outage whatever the cause; data and intruders stay grave
    if described.scoped and candidate.described and not candidate.signals and not runbook.severity_holds:
        if severity is Severity.P0:
            evidence.append(f"severity P1: only part is affected ('{described.cues[0]}')")
        severity = _least(severity, Severity.P1)
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
    fix = [_command(s, facts) for s in runbook.fix]
    verify = [_command(s, facts) for s in runbook.verify]
    rollback = [_command(s, facts) for s in runbook.rollback]
    if subject and not candidate.on_node:
        blocker = world.rollback_blocker(subject)
        if blocker:
            fix, rollback = _without_rollback(fix, subject, blocker), _without_rollback(rollback, subject, blocker)
            evidence.append(f"{subject} cannot roll back: {blocker}")
    options = _service_options(candidate, world, referred)
    if options and any("<SERVICE>" in c.text for c in [*fix, *verify, *rollback]):
        fix.insert(0, _pick_service(options))
    measured = _measured(candidate, world)
    check = "" if candidate.measured else _check(fix + verify)
    issue = TriageIssue(
        id=candidate.id,
        runbook_id=runbook.id,
        subject=subject,
        severity=severity,
        title=f"{runbook.title} ({subject})" if subject else runbook.title,
        summary=fill(runbook.summary, facts, shell=False),
        impact=fill(runbook.impact, facts, shell=False),
        symptoms=[fill(s, facts, shell=False) for s in runbook.symptoms],
        root_cause=fill(runbook.root_cause, facts, shell=False),
        evidence=list(dict.fromkeys(evidence)),
        fix=fix,
        verify=verify,
        rollback=rollback,
        time_to_fix_min=runbook.time_to_fix_min,
        owner=runbook.owner,
        escalate_if=fill(runbook.escalate_if, facts, shell=False),
        confidence=round(min(0.97, candidate.score / (candidate.score + 4.0)), 2),
        provenance=Provenance.RULES,
        measured=measured,
        reported=candidate.reported[:6],
        hypothesis=not candidate.measured and candidate.tier < 3,
        check=check,
        why=_why(candidate, measured, check),
    )
    return issue, facts


def _measured(candidate: _Candidate, world: World) -> list[str]:
    """What the engine measured about the issue: its signals, the subject's replicas, the lines that raised it."""
    measured = [f"{s.subject or 'swarm'}: {s.detail}" for s in [*candidate.signals, *candidate.support]]
    info = world.services.get(candidate.subject) if not candidate.on_node else None
    if info is not None and world.is_short(candidate.subject) and candidate.measured:
        measured.insert(0, f"{candidate.subject} {info.running}/{info.desired}")
    measured.extend(candidate.quotes)
    return list(dict.fromkeys(measured))


def _check(commands: list[Command]) -> str:
    """The first read-only command with nothing left to fill in: what confirms or refutes a hypothesis."""
    read_only = [c.text for c in commands if c.danger is Danger.READ_ONLY]
    return next((t for t in read_only if "<" not in t), read_only[0] if read_only else "")


def _why(candidate: _Candidate, measured: list[str], check: str) -> str:
    """One line: the measured facts, then the reported words; a hypothesis says what would check it."""
    reported = ", ".join(f"'{w}'" for w in candidate.reported[:3])
    if candidate.measured:
        parts = [f"measured: {'; '.join(measured[:3])}"]
        if reported:
            parts.append(f"reported: {reported}")
        return " · ".join(parts)
    if candidate.tier == 3:
        return f"symptom reported: {reported}" if reported else "nothing known matched: assess first"
    parts = [f"hypothesis from the words {reported}" if reported else "hypothesis"]
    if candidate.ruled_out:
        parts.append(f"measured against it: {candidate.ruled_out[0]}")
    if check:
        parts.append(f"check: {check}")
    return " · ".join(parts)


def _without_rollback(commands: list[Command], subject: str, blocker: str) -> list[Command]:
    """The commands, a rollback of `subject` replaced by why there is none."""
    if not any("--rollback" in c.text for c in commands):
        return commands
    step = labelled(
        Command(
            text=f"# no rollback for {subject}: {blocker}",
            purpose="Redeploy a known-good image instead of rolling back",
            expected="Nothing to run",
        )
    )
    kept = [step if "--rollback" in c.text and subject in c.text.split() else c for c in commands]
    return list({c.text: c for c in kept}.values())


def _service_options(candidate: _Candidate, world: World, referred: list[str]) -> list[str]:
    """The services a still-open {service} could be: those the words refer to, then the failing ones, else all
    the runbook acts on."""
    if candidate.subject or candidate.on_node or not world.service_names():
        return []
    names = world.service_names()
    hints = candidate.runbook.match.services
    pool = [n for n in names if _hinted(world, n, hints)] if hints else names
    unhealthy = [n for n in pool if world.is_unhealthy(n)]
    return list(dict.fromkeys([*(n for n in referred if n in pool), *(unhealthy or pool)]))[:5]


def _pick_service(options: list[str]) -> Command:
    return labelled(
        Command(
            text=f"# pick the service for <SERVICE>: {' or '.join(options)}",
            purpose="The evidence does not say which service this is; the commands below need it",
            expected="One service name to put in place of <SERVICE>",
        )
    )


def _ordered(built: list[tuple[TriageIssue, Facts, int, int]]) -> list[tuple[TriageIssue, Facts]]:
    """Most severe; then what is measured and reported before what is only measured, before words alone; then
    most confident. Within one subject and severity the most actionable first.

    An issue giving the same commands for the same subject as one before it only adds its evidence to it.
    """
    ranked = sorted(built, key=lambda b: (b[0].severity.rank, b[3], -b[0].confidence, b[0].id))
    slots: dict[tuple[str, Severity], list[int]] = {}
    for index, (issue, *_) in enumerate(ranked):
        if issue.subject:
            slots.setdefault((issue.subject, issue.severity), []).append(index)
    ordered = list(ranked)
    for indices in slots.values():
        members = sorted((ranked[i] for i in indices), key=lambda b: (b[2], -b[0].confidence, b[0].id))
        for index, member in zip(indices, members, strict=True):
            ordered[index] = member
    kept: list[tuple[TriageIssue, Facts]] = []
    first_with: dict[tuple[str, tuple[str, ...]], TriageIssue] = {}
    for issue, facts, *_ in ordered:
        key = (issue.subject, tuple(c.text for _, c in issue.commands()))
        first = first_with.get(key)
        if first is not None and key[1]:
            first.evidence.extend(e for e in issue.evidence if e not in first.evidence)
            continue
        first_with.setdefault(key, issue)
        kept.append((issue, facts))
    return kept


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
        factors += [f"Check: {fill(h, top_facts, shell=False)}" for h in top_runbook.contributing_factors[:2]]
    prevention: dict[str, list[str]] = {"immediate": [], "short_term": [], "long_term": []}
    for issue, facts in built:
        runbook = catalog[issue.runbook_id]
        for part, items in prevention.items():
            items.extend(
                t for t in (fill(x, facts, shell=False) for x in getattr(runbook.prevention, part)) if t not in items
            )
    return Triage(
        severity=severity,
        system_status=status,
        user_impact=impact,
        primary_cause=top.root_cause if identified else f"Investigating: {top.root_cause}",
        contributing_factors=list(dict.fromkeys(factors)),
        root_cause_identified=identified,
        issues=issues,
        prevention=Prevention(**prevention),
        eta_minutes=recovery_minutes(issues),
        engine=Provenance.RULES,
        generated_at=now,
    )
