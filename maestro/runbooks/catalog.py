"""The runbook catalog: TOML files validated into `Runbook` models, the shipped ones plus a user folder.

A runbook file holds one or more `[[runbook]]` tables. A user folder adds runbooks and overrides shipped
ones with the same id.
"""

from __future__ import annotations

import math
import re
import statistics
import tomllib
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, ValidationInfo, field_validator

from maestro.model import Prevention, Severity, SignalKind
from maestro.runbooks import parsed_cache
from maestro.runbooks.terms import PLACEHOLDER, NeedleSet, Term, normalise, phrase_term, regex_term

GENERIC_ID = "triage.generic"

PLACEHOLDERS: dict[str, str] = {
    "service": "Swarm service the issue is about",
    "image": "Image the service runs now",
    "previous_image": "Image the service ran before its last update",
    "node": "Node hostname",
    "exit_code": "Exit code of the newest failed task",
    "error": "Error of the newest failed task",
    "memory_limit": "Memory limit of the service, in docker units (512M)",
    "suggested_memory_limit": "Twice the current memory limit",
    "replicas": "Desired replicas of the service",
    "scale_to": "Replicas to scale up to: twice the desired, at least 2",
    "constraint": "First placement constraint of the service",
    "host": "Public host name named in the incident text",
    "health_url": "URL named in the incident text, else https://<host>/health",
}


class RunbookError(Exception):
    """A runbook file that cannot be used; the message is one line naming the file and the bad key."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Model):
    text: Annotated[str, Field(min_length=1)]
    purpose: str = ""
    expected: str = ""


class Match(_Model):
    subject: Literal["service", "node"] = Field(
        default="service", description="What the issue is about: a swarm service or a node"
    )
    signals: list[SignalKind] = Field(default=[], description="Evidence signals that alone raise this runbook")
    supporting_signals: list[SignalKind] = Field(
        default=[], description="Signals that add weight and pick the subject once the text matched"
    )
    services: list[str] = Field(
        default=[], description="Name fragments of the services this runbook acts on (redis, traefik)"
    )
    words: dict[str, Annotated[float, Field(gt=0)]] = Field(default={}, description="Phrase -> weight")
    regex: dict[str, Annotated[float, Field(gt=0)]] = Field(default={}, description="Regex -> weight")
    excludes: list[str] = Field(default=[], description="Phrases that rule this runbook out")
    contradicts: dict[str, Annotated[float, Field(gt=0)]] = Field(
        default={}, description="Phrase -> weight: words that point to a neighbouring cause and count against this one"
    )
    ruled_out_by: list[SignalKind] = Field(
        default=[],
        description="Signals on a service the words refer to that rule this reading out (the database at 0/N "
        "is not a full connection pool)",
    )
    min_score: Annotated[float, Field(gt=0)] = 2.0
    symptom: bool = Field(
        default=False, description="Names a symptom (500s, latency), not a cause: ranks below a cause also matched"
    )

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        if info.context and info.context.get("shipped"):
            return value  # a test compiles every shipped regex; here they compile on first use
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
        return value


class Runbook(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")]
    title: Annotated[str, Field(min_length=1)]
    severity: Severity
    summary: Annotated[str, Field(min_length=1)]
    impact: str = ""
    match: Match = Match()
    fallback: bool = Field(default=False, description="Only used when no other runbook explains the same subject")
    severity_holds: bool = Field(
        default=False,
        description="The cause is itself an impact the severity table ranks (a breach, data loss): the words "
        "never lower its severity",
    )
    degrades_only: bool = Field(
        default=False,
        description="A function whose failure leaves the product usable (uploads, images, emails): failing for "
        "everyone makes it widespread, not an outage",
    )
    symptoms: list[str] = []
    areas: list[str] = Field(
        default=[], description="User-facing functions this runbook is the start for (checkout, uploads, login)"
    )
    root_cause: Annotated[str, Field(min_length=1)]
    fix: list[Step] = []
    verify: list[Step] = []
    rollback: list[Step] = []
    time_to_fix_min: Annotated[int, Field(ge=1)]
    owner: str = "On-call engineer"
    escalate_if: str = ""
    prevention: Prevention = Prevention()
    contributing_factors: list[str] = []

    _terms: tuple[Term, ...] = PrivateAttr(default=())
    _needle_index: tuple[frozenset[str] | None, dict[str, tuple[int, ...]], tuple[int, ...]] | None = PrivateAttr(
        default=None
    )
    _excludes: tuple[Term, ...] = PrivateAttr(default=())
    _contradicts: tuple[Term, ...] = PrivateAttr(default=())
    _source: str = PrivateAttr(default="")

    def model_post_init(self, context: Any) -> None:
        self._terms = (
            *(phrase_term(p, w) for p, w in self.match.words.items()),
            *(regex_term(r, w, lazy=True) for r, w in self.match.regex.items()),
        )
        self._excludes = tuple(phrase_term(p, 1.0) for p in self.match.excludes)
        self._contradicts = tuple(phrase_term(p, w) for p, w in self.match.contradicts.items())

    @property
    def terms(self) -> tuple[Term, ...]:
        return self._terms

    def _index(self) -> tuple[frozenset[str] | None, dict[str, tuple[int, ...]], tuple[int, ...]]:
        """The needles of the terms, read on first use (a regex's needles are parsed from it)."""
        if self._needle_index is None:
            by_needle: dict[str, list[int]] = {}
            for index, term in enumerate(self._terms):
                for needle in term.needles:
                    by_needle.setdefault(needle, []).append(index)
            needleless = tuple(i for i, term in enumerate(self._terms) if not term.needles)
            self._needle_index = (
                None if needleless else frozenset(by_needle),
                {needle: tuple(indices) for needle, indices in by_needle.items()},
                needleless,
            )
        return self._needle_index

    @property
    def needles(self) -> frozenset[str] | None:
        """Texts one of which any match of any term contains; None when a term has none."""
        return self._index()[0]

    def terms_for(self, present: AbstractSet[str]) -> list[Term]:
        """The terms that may match a text holding these needles (and no other needle of this runbook)."""
        _, by_needle, needleless = self._index()
        terms = self._terms
        indices = set(needleless)
        for needle in present & by_needle.keys():
            indices.update(by_needle[needle])
        return [terms[i] for i in sorted(indices)]

    @property
    def excludes(self) -> tuple[Term, ...]:
        return self._excludes

    @property
    def contradicts(self) -> tuple[Term, ...]:
        return self._contradicts

    def described_as(self) -> str:
        """What the runbook says of itself in words: the text its terms' specificity is learnt from."""
        return normalise(" ".join([self.title, self.summary, self.impact, self.root_cause, *self.symptoms]))

    @property
    def source(self) -> str:
        """The file this runbook was loaded from."""
        return self._source


class _RunbookFile(_Model):
    runbook: list[Runbook]


@dataclass(frozen=True, slots=True)
class TermIndex:
    """A runbook's terms as plain data, indexed by needle: what scanning many log lines reads many times."""

    runbook: Runbook
    terms: tuple[Term, ...]
    excludes: tuple[Term, ...]
    contradicts: tuple[Term, ...]
    by_needle: dict[str, tuple[int, ...]]
    needleless: tuple[int, ...]
    hints: tuple[str, ...]
    min_score: float
    on_node: bool

    def terms_for(self, present: AbstractSet[str]) -> list[Term]:
        """The terms that may match a text holding these needles (and no other needle of this runbook)."""
        indices = set(self.needleless)
        for needle in present & self.by_needle.keys():
            indices.update(self.by_needle[needle])
        return [self.terms[i] for i in sorted(indices)]

    @classmethod
    def of(cls, runbook: Runbook) -> TermIndex:
        terms = runbook.terms
        by_needle: dict[str, list[int]] = {}
        for index, term in enumerate(terms):
            for needle in term.needles:
                by_needle.setdefault(needle, []).append(index)
        return cls(
            runbook,
            terms,
            runbook.excludes,
            runbook.contradicts,
            {needle: tuple(indices) for needle, indices in by_needle.items()},
            tuple(i for i, term in enumerate(terms) if not term.needles),
            tuple(runbook.match.services),
            runbook.match.min_score,
            runbook.match.subject == "node",
        )


SHORT_TEXT = 1000
"""Characters up to which a text's needles are looked for one by one rather than in one compiled scan."""


class Catalog:
    """Runbooks by id, in load order, with an index from signal kind to the runbooks it raises.

    `needles` holds the needles of every term that has some: a text without any of a term's needles cannot
    match it (see `Term.needles`).
    """

    def __init__(self, runbooks: Iterable[Runbook], problems: Iterable[str] = ()) -> None:
        self.problems = tuple(problems)
        """One line per user runbook file that was skipped (see `load_catalog(skip_broken=True)`)."""
        self._by_id = {r.id: r for r in runbooks}
        if GENERIC_ID not in self._by_id:
            raise RunbookError(f"the catalog has no {GENERIC_ID} runbook: it is the fallback triage")
        self._by_signal: dict[SignalKind, list[Runbook]] = {}
        for runbook in self._by_id.values():
            for kind in runbook.match.signals:
                self._by_signal.setdefault(kind, []).append(runbook)
        self._needles: frozenset[str] | None = None
        self._needle_set: NeedleSet | None = None
        self._specificity: dict[str, float] | None = None
        self._causes: tuple[TermIndex, ...] | None = None
        self._worded: tuple[TermIndex, ...] | None = None
        self._worded_by_needle: dict[str, tuple[int, ...]] = {}
        self._worded_needleless: tuple[int, ...] = ()
        self._causes_by_needle: dict[str, tuple[int, ...]] = {}
        self._causes_needleless: tuple[int, ...] = ()

    @property
    def needles(self) -> frozenset[str]:
        if self._needles is None:
            self._needles = frozenset(n for r in self._by_id.values() for t in r.terms for n in t.needles)
        return self._needles

    @property
    def needle_set(self) -> NeedleSet:
        """Every text a term or an exclusion requires (`Term.needle_groups`), to look for in many lines at once;
        built on first use."""
        if self._needle_set is None:
            terms = [t for r in self._by_id.values() for t in (*r.terms, *r.excludes)]
            self._needle_set = NeedleSet(
                [*self.needles, *(text for t in terms for group in t.needle_groups for text in group)]
            )
        return self._needle_set

    def needles_in(self, text: str) -> set[str]:
        """The needles the text holds (the same set as testing each needle in turn)."""
        if len(text) <= SHORT_TEXT:  # a description: quicker tested needle by needle than the scan is built
            return {needle for needle in self.needles if needle in text}
        return self.needles & self.needle_set.lines_holding([text]).keys()

    def __iter__(self) -> Iterator[Runbook]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, runbook_id: object) -> bool:
        return runbook_id in self._by_id

    def __getitem__(self, runbook_id: str) -> Runbook:
        return self._by_id[runbook_id]

    def get(self, runbook_id: str) -> Runbook | None:
        return self._by_id.get(runbook_id)

    @property
    def generic(self) -> Runbook:
        return self._by_id[GENERIC_ID]

    def raised_by(self, kind: SignalKind) -> list[Runbook]:
        return self._by_signal.get(kind, [])

    def worded_for(self, present: AbstractSet[str] | None) -> list[TermIndex]:
        """The runbooks with terms that may match a text holding these needles, in catalog order; all of them
        when `present` is None."""
        if self._worded is None:
            worded = [r for r in self if r.terms]
            self._worded = tuple(TermIndex.of(r) for r in worded)
            self._worded_needleless = tuple(p for p, r in enumerate(worded) if r.needles is None)
            by_needle: dict[str, list[int]] = {}
            for position, runbook in enumerate(worded):
                for needle in runbook.needles or ():
                    by_needle.setdefault(needle, []).append(position)
            self._worded_by_needle = {needle: tuple(p) for needle, p in by_needle.items()}
        if present is None:
            return list(self._worded)
        positions = set(self._worded_needleless)
        for needle in present & self._worded_by_needle.keys():
            positions.update(self._worded_by_needle[needle])
        return [self._worded[p] for p in sorted(positions)]

    def causes_for(self, present: AbstractSet[str] | None) -> list[TermIndex]:
        """The cause runbooks (not symptoms, not fallbacks) that may match a text holding these needles, in
        catalog order; all of them when `present` is None."""
        if self._causes is None:
            causes = [r for r in self if r.terms and not r.match.symptom and not r.fallback]
            self._causes = tuple(TermIndex.of(r) for r in causes)
            by_needle: dict[str, list[int]] = {}
            for position, runbook in enumerate(causes):
                for needle in runbook.needles or ():
                    by_needle.setdefault(needle, []).append(position)
            self._causes_by_needle = {needle: tuple(p) for needle, p in by_needle.items()}
            self._causes_needleless = tuple(p for p, r in enumerate(causes) if r.needles is None)
        if present is None:
            return list(self._causes)
        positions = set(self._causes_needleless)
        for needle in present & self._causes_by_needle.keys():
            positions.update(self._causes_by_needle[needle])
        return [self._causes[p] for p in sorted(positions)]

    @property
    def specificity(self) -> dict[str, float]:
        """How much each term tells its runbook apart, learnt from what the runbooks say of themselves.

        A term whose words many runbooks use ("database", "connection") weighs less than one only its own runbook
        uses ("wraparound"): the inverse document frequency of the phrase over the runbooks' own text,
        relative to the median phrase's, bounded to [0.5, 1.5]. Regexes keep their weight.
        """
        if self._specificity is None:
            self._specificity = _specificity(list(self))
        return self._specificity


SPECIFICITY_BOUNDS = (0.5, 1.5)


def _specificity(runbooks: list[Runbook]) -> dict[str, float]:
    documents = [r.described_as() + " " + " ".join(normalise(t.label) for t in r.terms) for r in runbooks]
    count = len(documents)
    idf: dict[str, float] = {}
    for runbook in runbooks:
        for term in runbook.terms:
            # a regex describes a situation's shape, not a word: it keeps its weight
            if term.label in idf or term.folds_case:
                continue
            phrase = normalise(term.label)
            frequency = sum(1 for d in documents if phrase in d)
            idf[term.label] = math.log((count + 1) / (max(frequency, 1) + 0.5))
    if not idf:
        return {}
    middle = statistics.median(idf.values())
    low, high = SPECIFICITY_BOUNDS
    return {label: min(high, max(low, value / middle)) for label, value in idf.items()}


def parse_runbooks(text: str, source: str, *, shipped: bool = False) -> list[Runbook]:
    """The runbooks of one TOML document; RunbookError names `source` and the bad key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RunbookError(f"{source}: invalid TOML: {exc}") from None
    try:
        runbooks = _RunbookFile.model_validate(data, context={"shipped": shipped}).runbook
    except ValidationError as exc:
        line = _line_of(text, exc)
        raise RunbookError(f"{source}: {f'line {line}, ' if line else ''}{_describe(exc, data)}") from None
    for index, runbook in enumerate(runbooks):
        _check_placeholders(runbook, f"{source}: {_where(index, runbook.id)}")
        runbook._source = source
    return runbooks


def load_file(path: Path) -> list[Runbook]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RunbookError(
            f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#x} at offset {exc.start}); save it as UTF-8"
        ) from None
    except IsADirectoryError:
        raise RunbookError(f"{path}: is a folder, not a runbook file; rename it or move it out") from None
    except PermissionError:
        raise RunbookError(f"{path}: cannot read runbook file (permission denied); check its permissions") from None
    except OSError as exc:
        raise RunbookError(f"{path}: cannot read runbook file ({exc.strerror or exc})") from None
    return parse_runbooks(text, str(path))


def load_catalog(user_dir: Path | str | None = None, *, skip_broken: bool = False) -> Catalog:
    """The shipped runbooks, then every `*.toml` in `user_dir` (same id overrides, new ids add).

    A broken user file is a RunbookError; with `skip_broken` it is left out and named in `Catalog.problems`
    instead, so one bad file never takes the shipped runbooks down with it.
    """
    runbooks = {r.id: r for r in _shipped()}
    problems: list[str] = []
    if user_dir is not None:
        folder = Path(user_dir).expanduser()
        try:
            if not folder.is_dir():
                raise RunbookError(f"{folder}: runbook folder not found; fix runbook_dir in the config")
            paths = sorted(folder.glob("*.toml"))
        except (RunbookError, OSError) as exc:
            if not skip_broken:
                raise RunbookError(_one_line(str(exc))) from None
            problems.append(_one_line(str(exc)))
            paths = []
        seen: dict[str, str] = {}
        for path in paths:
            try:
                found = load_file(path)
                for runbook in found:
                    if runbook.id in seen:
                        raise RunbookError(f"{path}: runbook id {runbook.id!r} is also defined in {seen[runbook.id]}")
            except RunbookError as exc:
                if not skip_broken:
                    raise
                problems.append(str(exc))
                continue
            for runbook in found:
                seen[runbook.id] = str(path)
                runbooks[runbook.id] = runbook
    return Catalog(runbooks.values(), problems)


@cache
def default_catalog() -> Catalog:
    """The shipped catalog, loaded once per process."""
    catalog = load_catalog()
    catalog._specificity = _shipped_parsed()[1]
    return catalog


def _shipped() -> tuple[Runbook, ...]:
    return _shipped_parsed()[0]


@cache
def _shipped_parsed() -> tuple[tuple[Runbook, ...], dict[str, float]]:
    """The shipped runbooks with their terms' needles read and weighed: from the cache when it has them."""
    folder = resources.files("maestro.runbooks")
    files = [
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".toml")
    ]
    name = parsed_cache.key(part for file in files for part in file)
    kept = parsed_cache.load(name)
    if isinstance(kept, tuple) and len(kept) == 2:
        return kept
    runbooks: dict[str, Runbook] = {}
    for file_name, text in files:
        source = f"maestro/runbooks/{file_name}"
        for runbook in parse_runbooks(text, source, shipped=True):
            if runbook.id in runbooks:
                raise RunbookError(
                    f"{source}: runbook id {runbook.id!r} is also defined in {runbooks[runbook.id].source}"
                )
            runbooks[runbook.id] = runbook
    for runbook in runbooks.values():
        runbook.terms_for(frozenset())  # reads every term's needles: kept with the runbooks
        for term in (*runbook.terms, *runbook._excludes, *runbook._contradicts):
            _ = term.needles, term.needle_groups
    parsed = (tuple(runbooks.values()), _specificity(list(runbooks.values())))
    parsed_cache.save(name, parsed)
    return parsed


def _line_of(text: str, exc: ValidationError) -> int | None:
    """Best-effort line of the first bad key: its name after the header of its `[[runbook]]` table."""
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    loc = list(errors[0]["loc"])
    lines = text.splitlines()
    start, end, table = 0, len(lines), False
    if len(loc) >= 2 and loc[0] == "runbook" and isinstance(loc[1], int):
        headers = [n for n, line in enumerate(lines) if re.match(r"^\s*\[\[\s*runbook\s*\]\]", line)]
        if loc[1] < len(headers):
            start, table = headers[loc[1]], True
            end = headers[loc[1] + 1] if loc[1] + 1 < len(headers) else len(lines)
    names = [part for part in loc if isinstance(part, str)]
    for name in reversed(names):
        pattern = re.compile(rf"^\s*(\[+\s*[\w.]*\.)?[\"']?{re.escape(name)}[\"']?\s*(=|\]|\.)")
        for number in range(start, end):
            if pattern.match(lines[number]):
                return number + 1
    return start + 1 if table else None


def _where(index: int, runbook_id: object) -> str:
    named = f" (id {runbook_id!r})" if isinstance(runbook_id, str) else ""
    return f"[[runbook]] #{index + 1}{named}"


def _describe(exc: ValidationError, data: dict[str, Any]) -> str:
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")  # a typo explains a missing key
    first = errors[0]
    loc = list(first["loc"])
    where = "top level"
    if len(loc) >= 2 and loc[0] == "runbook" and isinstance(loc[1], int):
        items = data.get("runbook")
        entry = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else {}
        where = _where(loc[1], entry.get("id") if isinstance(entry, dict) else None)
        loc = loc[2:]
    key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    if first["type"] != "missing" and first["type"] != "extra_forbidden":
        message = f"{message} (got {first['input']!r})"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    key_part = f" key {key!r}:" if key else ":"
    return _one_line(f"{where}{key_part} {message}{more}")


def _check_placeholders(runbook: Runbook, where: str) -> None:
    for key, text in _strings(runbook.model_dump(exclude={"match", "id"}), ""):
        for name in PLACEHOLDER.findall(text):
            if name not in PLACEHOLDERS:
                known = ", ".join(PLACEHOLDERS)
                raise RunbookError(_one_line(f"{where} key {key!r}: unknown placeholder {{{name}}} (known: {known})"))


def _strings(value: object, key: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{key}.{k}" if key else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{key}[{i}]")


def _one_line(text: str) -> str:
    return " ".join(text.split())
