"""Live service status: a keyed, filtered DataTable with the troubled services first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from maestro.pane_views import ServiceRows, service_rows
from maestro.text import hms
from tui.actions import bindings
from widgets.text import Tone, literal, tones

if TYPE_CHECKING:
    from maestro.model import Evidence, ServiceInfo

COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("name", "service", 18),
    ("replicas", "replicas", 8),
    ("state", "state", 8),
    ("restarts", "restarts", 8),
    ("error", "last error", 40),
    ("update", "update", 18),
)

STATE_CLASSES = {state: f"state--{state.lower()}" for state in ("DOWN", "DEGRADED", "UPDATE", "ERRORS", "ok", "idle")}
"""The component class of each ServiceState value (keyed by value, so the first frame does not load the model)."""


def _cells(row: tuple[str, ...], tone: Tone) -> list[Text]:
    state = tone(STATE_CLASSES[row[2]])
    styles = ("bold", state, state, tone("tone--warn") if row[3] != "0" else "dim", "dim", "")
    return [Text(value, style=style) for value, style in zip(row, styles, strict=True)]


class ServiceTable(DataTable[Text]):
    """A DataTable that draws a cell again only when the cell, its place or its look changed.

    DataTable forgets every drawn cell whenever any cell changes; a poll that changes two services of 1,000
    would draw every visible cell again, each through Rich, several times a second while the swarm is busy.
    """

    CELL_CACHE = 4096

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._drawn: dict[tuple[object, ...], tuple[object, Any]] = {}
        """Drawn cells by where and how they are drawn, each with the cell it is a drawing of."""

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> Any:
        if row_index < 0 or column_index < 0:  # the header row
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        cell = self._data[row_key][column_key]
        key = (row_key, column_key, row_index, base_style, width, cursor, hover, self._show_hover_cursor,
               self.show_cursor, self._pseudo_class_state)  # fmt: skip
        drawn = self._drawn.get(key)
        if drawn is not None and drawn[0] is cell:
            return drawn[1]
        lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        if len(self._drawn) >= self.CELL_CACHE:
            self._drawn.clear()
        self._drawn[key] = (cell, lines)
        return lines


class ServicesPanel(Vertical):
    """Shows whatever evidence it is given; says so plainly when the engine is not connected.

    When the engine cannot be read, the last snapshot stays, greyed, with its age counting up.
    """

    COMPONENT_CLASSES = {"tone--warn", *STATE_CLASSES.values()}

    DEFAULT_CSS = """
    ServicesPanel { height: 1fr; }
    ServicesPanel > #services-source { height: auto; max-height: 2; padding: 0 1; }
    ServicesPanel > #services-source.-problem { color: $error; text-style: bold; }
    ServicesPanel > #services-filter { display: none; height: 3; }
    ServicesPanel.-filtering > #services-filter { display: block; }
    ServicesPanel > DataTable, ServicesPanel > DataTable:focus { height: 1fr; border: none; }
    ServicesPanel.-stale > DataTable { text-opacity: 55%; }
    """

    BINDINGS = [*bindings("services"), *bindings("lists")]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._rows: dict[str, tuple[str, ...]] = {}
        self._services: list[ServiceInfo] = []
        self._filter = ""
        self._evidence: Evidence | None = None
        self._latest: ServiceRows | None = None
        self._problem = ""
        self._has_engine = True
        self._shown: ServiceRows | None = None
        """The rows the table holds, when they are exactly some ServiceRows' (no filter)."""
        self._source_rows = 0
        self._source_text: Text | None = None
        self._subtitle: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="services-source", markup=False)
        table = ServiceTable(id="services-table", cursor_type="row", zebra_stripes=True)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        yield table

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#services-table", DataTable)

    @property
    def selected_service(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def show(
        self, evidence: Evidence | None, *, problem: str = "", has_engine: bool = True, rows: ServiceRows | None = None
    ) -> None:
        """Show the services of this evidence; `problem` says why the engine could not be read.

        `has_engine` is False when the session reads no engine at all: the evidence is then the journaled snapshot.
        `rows` are the evidence's rows when the poll worker already worked them out.
        """
        if evidence is not None and evidence.engine_unusable:
            problem, evidence = problem or evidence.engine_unusable, None
        if evidence is self._evidence and problem == self._problem and has_engine == self._has_engine:
            return
        self._evidence, self._problem, self._has_engine = evidence, problem, has_engine
        self._services = list(evidence.services) if evidence else []
        self._latest = rows if rows is not None else service_rows(evidence, self._latest)
        self._apply()

    def on_mount(self) -> None:
        self._show_source()
        self.set_interval(1.0, self._count_age, name="snapshot age")

    def _count_age(self) -> None:
        if self.has_class("-stale"):
            self._show_source()

    def _now(self) -> datetime:
        clock: Callable[[], datetime] | None = getattr(self.app, "clock", None)
        return clock() if clock is not None else datetime.now(UTC)

    def _age(self, evidence: Evidence) -> str:
        return hms(max((self._now() - evidence.collected_at).total_seconds(), 0))

    def _show_source(self) -> None:
        evidence, problem = self._evidence, self._problem
        source = self.query_one("#services-source", Static)
        text = self._describe(evidence, problem)
        # Its times and counts change with every poll; the layout only when it needs another row.
        rows = 1 + text.cell_len // max(source.content_region.width, 1)
        if text != self._source_text:
            source.update(text, layout=rows != self._source_rows)
        self._source_text, self._source_rows = text, rows
        source.set_class(bool(problem), "-problem")
        stale = bool(problem) and evidence is not None
        self.set_class(stale, "-stale")
        subtitle = f"last seen {self._age(evidence)} ago" if stale and evidence is not None else ""
        if subtitle != self._subtitle:  # setting a border title repaints the whole pane, even to the same text
            self._subtitle = self.border_subtitle = subtitle

    def _describe(self, evidence: Evidence | None, problem: str) -> Text:
        if evidence is None:
            if not problem:
                line = "waiting for the first poll of the engine" if self._has_engine else "engine not connected"
            else:
                line = f"engine unreachable: {problem}" if self._has_engine else f"engine not connected: {problem}"
            return Text(literal(line, one_line=True))
        latest = self._latest
        troubled = latest.troubled if latest is not None else sum(1 for s in evidence.services if s.state.troubled)
        counts = f"{len(evidence.services)} services, {troubled} in trouble"
        at = f"{evidence.collected_at:%H:%M:%S}"
        age = self._age(evidence)
        if problem and not self._has_engine:
            line = f"{problem} - journaled snapshot of {at}, {age} old; {counts}"
        elif problem:
            line = f"engine unreachable: {problem} - last seen {age} ago (snapshot of {at}); {counts}"
        elif evidence.source == "demo":
            line = f"demo snapshot - collected {at}; {counts}"
        else:
            line = f"live {evidence.source} {evidence.engine} - collected {at}; {counts}"
        if self._filter:
            line += f"; filter '{self._filter}' shows {len(self._rows)}"
        return Text(literal(line, one_line=True))

    def _apply(self) -> None:
        """Move the rows into the table: only the changed ones when it holds the rows they were diffed against."""
        latest = self._latest
        if latest is None:
            return
        if not self._filter and self._shown is not None and latest.base is self._shown:
            changed, removed, reordered = latest.changed, latest.removed, latest.reordered
        else:
            wanted = {s.name: latest.rows[s.name] for s in self._services if self._matches(s)}
            changed = {name: row for name, row in wanted.items() if self._rows.get(name) != row}
            removed = [name for name in self._rows if name not in wanted]
            reordered = bool(changed or removed)
        table, tone = self.table, tones(self)
        selected = self.selected_service
        with self.app.batch_update():
            for key in removed:
                table.remove_row(key)
                del self._rows[key]
            for key, row in changed.items():
                old = self._rows.get(key)
                cells = _cells(row, tone)
                if old is None:
                    table.add_row(*cells, key=key)
                else:
                    for (column, _, _), before, after, cell in zip(COLUMNS, old, row, cells, strict=True):
                        if before != after:
                            table.update_cell(key, column, cell)
                self._rows[key] = row
            if reordered:
                ranks = latest.ranks
                table.sort("name", key=lambda name: ranks.get(name.plain, (len(STATE_CLASSES), name.plain)))
                if selected in self._rows:
                    table.move_cursor(row=table.get_row_index(selected), scroll=False)
        self._shown = None if self._filter else latest
        self._show_source()

    def _matches(self, service: ServiceInfo) -> bool:
        if not self._filter:
            return True
        needle = self._filter.lower()
        haystack = (service.name, service.image, service.state.value, service.last_error, service.update_state)
        return any(needle in value.lower() for value in haystack)

    def open_filter(self) -> None:
        """The filter box is made the first time it is asked for, so the first frame does not pay for it."""
        self.add_class("-filtering")
        if boxes := self.query("#services-filter"):
            boxes.first(Input).focus()
            return
        box = Input(placeholder="filter services (esc closes)", id="services-filter")
        self.mount(box, after="#services-source")
        self.call_after_refresh(box.focus)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Escape closes the filter while it is open; otherwise it goes on to the screen (back)."""
        return action != "close_filter" or self.has_class("-filtering")

    def action_close_filter(self) -> None:
        if not self.has_class("-filtering"):
            return
        self.query_one("#services-filter", Input).value = ""
        self.remove_class("-filtering")
        self.table.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._filter = event.value.strip()
        self._apply()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def focus_main(self) -> None:
        self.table.focus()

    # j / k / g / G (the lists' keys) move the table's cursor.

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_first(self) -> None:
        self.table.action_scroll_top()

    def action_last(self) -> None:
        self.table.action_scroll_bottom()
