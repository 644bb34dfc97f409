"""What each pane is given to show: plain values worked out off the widgets, so the core can build them and
tests can read them without a terminal (maestro.screen_view builds them from the situation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from maestro.text import literal

if TYPE_CHECKING:
    from maestro.model import Command, Evidence, ServiceInfo, Severity


@dataclass(frozen=True)
class TimerView:
    incident: str
    severity: Severity | None
    elapsed_s: float
    running: bool
    current: str
    next_contact: str = ""
    next_escalation_s: float | None = None
    next_update_s: float | None = None
    update_every_min: int | None = None
    last_update: str = ""
    advice: str = ""
    """What the seed's escalation rules say: "Escalate now → role: reason", a hold, or the next timer."""
    escalate_now: bool = False
    trees: tuple[tuple[str, str], ...] = ()
    """Each decision tree's question and its answer with the branch's reason."""


@dataclass(frozen=True)
class HeaderView:
    title: str
    severity: Severity | None
    status: str
    elapsed: str
    next_escalation: str
    escalation_due: bool
    engine: str
    engine_short: str
    engine_ok: bool
    eta: str = ""
    """Time to recovery from the open work (maestro.eta): `110 minutes`, `monitoring`, `resolved`."""


@dataclass(frozen=True)
class DeckCommand:
    section: str
    command: Command
    issue_id: str = ""


@dataclass(frozen=True)
class DeckView:
    heading: str
    entries: tuple[DeckCommand, ...] = ()


@dataclass(frozen=True)
class ChecklistEntry:
    """One triage issue as the checklist shows it."""

    id: str
    severity: str
    """P0, P1 or P2."""
    title: str
    summary: str
    status_word: str
    """What the severity means for the work ("BLOCKING PRODUCTION"), or DONE once ticked."""
    minutes: int
    owner: str
    done: bool = False
    cause: str = ""
    """How the issue is known to be the root cause: `confirmed`, `measured`, or '' when it is not."""


@dataclass(frozen=True)
class ChecklistGroup:
    severity: str
    heading: str
    """The group's count and open minutes, e.g. "(3 issues, 80 of 90 min open)"."""
    entries: tuple[ChecklistEntry, ...] = ()


@dataclass(frozen=True)
class ChecklistView:
    """The severity checklist: P0, P1 and P2 groups of the triage, or what it waits for.

    Plain values only (no model types): a view worked out in another process crosses a pipe as JSON
    (see maestro.incident_ahead) and is drawn before the screen's process has loaded the models.
    """

    notice: str = ""
    groups: tuple[ChecklistGroup, ...] = ()
    triaged: bool = False
    """False while there is no triage yet: the notice (or "Triage is running...") is all there is."""

    def entry(self, entry_id: str) -> ChecklistEntry | None:
        return next((e for group in self.groups for e in group.entries if e.id == entry_id), None)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChecklistView:
        """Back from `dataclasses.asdict`; a missing or mistyped field is a TypeError or KeyError."""
        groups = tuple(
            ChecklistGroup(
                _text(group["severity"]),
                _text(group["heading"]),
                tuple(ChecklistEntry(**_fields(ChecklistEntry, entry)) for entry in group["entries"]),
            )
            for group in data["groups"]
        )
        return cls(_text(data["notice"]), groups, bool(data["triaged"]))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _fields(kind: type, data: dict[str, Any]) -> dict[str, Any]:
    """The dataclass's fields from `data`, each of the type its annotation names (str, int or bool)."""
    checked: dict[str, Any] = {}
    for name, annotation in kind.__annotations__.items():
        value = data[name]
        wanted = {"str": str, "int": int, "bool": bool}[annotation]
        if type(value) is not wanted:
            raise TypeError(f"{kind.__name__}.{name}: expected {annotation}, got {type(value).__name__}")
        checked[name] = value
    return checked


def _row(service: ServiceInfo) -> tuple[str, ...]:
    update = service.update_state.replace("_", " ")
    return (
        literal(service.name, one_line=True),
        f"{service.running}/{service.desired}",
        service.state.value,
        str(service.restarts),
        literal(service.last_error, one_line=True),
        literal(update, one_line=True),
    )


Row = tuple[str, ...]


@dataclass(frozen=True)
class ServiceRows:
    """The table's rows for one evidence and what changed since the rows they were diffed against.

    Worked out in the poll worker, so the UI thread only moves the changed rows into the table.
    """

    rows: dict[str, Row]
    """Every service's row, by service name."""
    ranks: dict[str, tuple[int, str]]
    """Sort key by shown name: the troubled first."""
    troubled: int
    base: ServiceRows | None
    changed: dict[str, Row]
    """Rows new or different since `base`."""
    removed: list[str]
    reordered: bool
    """Whether a service came, went or changed rank: only then is the table sorted again."""
    made_from: dict[int, tuple[ServiceInfo, Row]] = field(default_factory=dict, repr=False)
    """Row by ServiceInfo object: a poll hands back the same object for a service that did not change."""


def service_rows(evidence: Evidence | None, base: ServiceRows | None) -> ServiceRows:
    """The rows of this evidence, diffed against `base` (the rows the table shows, if known)."""
    known = base.made_from if base is not None else {}
    made_from: dict[int, tuple[ServiceInfo, Row]] = {}
    rows: dict[str, Row] = {}
    ranks: dict[str, tuple[int, str]] = {}
    troubled = 0
    for service in evidence.services if evidence is not None else []:
        hit = known.get(id(service))
        row = hit[1] if hit is not None and hit[0] is service else _row(service)
        made_from[id(service)] = (service, row)
        rows[service.name] = row
        state = service.state
        ranks[row[0]] = (state.rank, row[0])
        troubled += state.troubled
    before = base.rows if base is not None else {}
    changed = {name: row for name, row in rows.items() if before.get(name) != row}
    removed = [name for name in before if name not in rows]
    reordered = bool(removed) or any(
        name not in before or base is None or base.ranks.get(row[0]) != ranks[row[0]] for name, row in changed.items()
    )
    return ServiceRows(rows, ranks, troubled, base, changed, removed, reordered, made_from)
