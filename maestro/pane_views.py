"""What each pane is given to show: plain values worked out off the widgets, so the core can build them and
tests can read them without a terminal (maestro.screen_view builds them from the situation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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
