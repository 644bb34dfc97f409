"""The incident screen: six panes in a grid when there is room, one pane per tab when there is not."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Tab, Tabs

from widgets.checklist import SeverityChecklist
from widgets.commands import CommandDeck
from widgets.escalation import EscalationPanel
from widgets.incident_header import IncidentHeader
from widgets.recovery import RecoveryPlan
from widgets.services import ServicesPanel
from widgets.timeline import Timeline

PANES: tuple[tuple[str, str], ...] = (
    ("checklist", "Checklist"),
    ("recovery", "Recovery"),
    ("escalation", "Escalation"),
    ("services", "Services"),
    ("commands", "Commands"),
    ("timeline", "Timeline"),
)
"""Focus order: down the left column, then down the right one."""

GRID_MIN_WIDTH = 120
GRID_MIN_HEIGHT = 32


class PaneTabs(Tabs, can_focus=False):
    """Pane names for small terminals; `tab` moves between panes, so this never takes focus."""


class IncidentScreen(Screen[None], inherit_bindings=False):
    BINDINGS = [
        Binding("tab", "next_pane", "Next pane", show=False, tooltip="Next pane"),
        Binding("shift+tab", "previous_pane", "Previous pane", show=False, tooltip="Previous pane"),
    ]

    def __init__(self) -> None:
        super().__init__(id="incident")
        self.active_pane = PANES[0][0]

    def compose(self) -> ComposeResult:
        self._layout_for(self.app.size.width, self.app.size.height)
        yield IncidentHeader(id="header")
        if not self.has_class("-grid"):
            yield self._tabs()
        panes = {  # the grid fills row by row: left pane, right pane
            "checklist": SeverityChecklist,
            "services": ServicesPanel,
            "recovery": RecoveryPlan,
            "commands": CommandDeck,
            "escalation": EscalationPanel,
            "timeline": Timeline,
        }
        titles = {name: f"{number} {title}" for number, (name, title) in enumerate(PANES, start=1)}
        with Grid(id="panes"):
            for name, widget_class in panes.items():
                widget = widget_class(id=name, classes="pane -active" if name == self.active_pane else "pane")
                widget.border_title = titles[name]
                yield widget
        yield Footer()

    def on_mount(self) -> None:
        self.show_pane(self.active_pane)

    def on_resize(self, event: events.Resize) -> None:
        self._layout_for(event.size.width, event.size.height)
        if not self.has_class("-grid") and not self.query(PaneTabs):
            self.mount(self._tabs(), before="#panes")

    def _layout_for(self, width: int, height: int) -> None:
        self.set_class(width >= GRID_MIN_WIDTH and height >= GRID_MIN_HEIGHT, "-grid")

    def _tabs(self) -> PaneTabs:
        """Pane names for small terminals, made only when the terminal is small."""
        tabs = [Tab(f"{number} {title}", id=f"tab-{pane}") for number, (pane, title) in enumerate(PANES, start=1)]
        return PaneTabs(*tabs, active=f"tab-{self.active_pane}")

    @property
    def checklist(self) -> SeverityChecklist:
        return self.query_one(SeverityChecklist)

    @property
    def recovery(self) -> RecoveryPlan:
        return self.query_one(RecoveryPlan)

    @property
    def services(self) -> ServicesPanel:
        return self.query_one(ServicesPanel)

    @property
    def escalation(self) -> EscalationPanel:
        return self.query_one(EscalationPanel)

    @property
    def commands(self) -> CommandDeck:
        return self.query_one(CommandDeck)

    @property
    def timeline(self) -> Timeline:
        return self.query_one(Timeline)

    @property
    def header(self) -> IncidentHeader:
        return self.query_one(IncidentHeader)

    def pane(self, pane: str) -> Widget:
        return self.query_one(f"#{pane}", Widget)

    def show_pane(self, pane: str) -> None:
        """Make this pane the active one (the visible tab on small terminals) and focus it."""
        self._activate(pane)
        widget = self.pane(pane)
        focus_main = getattr(widget, "focus_main", None)
        if focus_main is not None:
            focus_main()
        else:
            widget.focus()

    def _activate(self, pane: str) -> None:
        self.active_pane = pane
        for name, _ in PANES:
            self.pane(name).set_class(name == pane, "-active")
        for tabs in self.query(PaneTabs):
            tabs.active = f"tab-{pane}"

    def action_next_pane(self) -> None:
        self._step(1)

    def action_previous_pane(self) -> None:
        self._step(-1)

    def _step(self, direction: int) -> None:
        names = [name for name, _ in PANES]
        self.show_pane(names[(names.index(self.active_pane) + direction) % len(names)])

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        pane = (event.tab.id or "").removeprefix("tab-")
        if pane and pane != self.active_pane:
            self.show_pane(pane)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        for name, _ in PANES:
            pane = self.pane(name)
            if event.widget is pane or pane in event.widget.ancestors:
                if name != self.active_pane:
                    self._activate(name)
                return
