"""The recovery sequence: assess, P0, P1, P2, post-mortem, each phase with its boxes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.geometry import Region
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.actions import bindings
from widgets.option_prompts import refresh_prompts
from widgets.text import BOLD, plain, tones

if TYPE_CHECKING:
    from maestro.model import Phase

PHASE_PREFIX = "phase:"
ITEM_PREFIX = "item:"


class RecoveryPlan(OptionList):
    """Phases in order; `space` ticks an item or a whole phase."""

    COMPONENT_CLASSES = {"tone--good"}

    DEFAULT_CSS = """
    RecoveryPlan { height: 1fr; max-height: 100%; }
    """

    BINDINGS = [*bindings("recovery"), *bindings("lists")]

    @dataclass
    class TickRequested(Message):
        """Tick the item if it is open, reopen it if it is ticked (the journal decides which)."""

        item_id: str
        label: str

    @dataclass
    class PhaseTickRequested(Message):
        phase_id: str
        label: str

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, markup=False)
        self._labels: dict[str, str] = {}
        self._ticked: set[str] = set()
        self._phases_done: set[str] = set()
        self._shown: tuple[object, ...] | None = None
        self._total: str | None = None

    def show(self, phases: list[Phase], ticked: set[str], phases_done: set[str], total: str) -> None:
        """Show these phases with these boxes ticked; a tick redraws only the lines it changed.

        The same phases are the same list (Incident.phases() returns one list per triage).
        """
        if total != self._total:
            self._total = total
            self._show_total(total)
        if self._shown is not None and phases is self._shown[0]:
            if set(ticked) != self._ticked or set(phases_done) != self._phases_done:
                changed = (set(ticked) ^ self._ticked) | (set(phases_done) ^ self._phases_done)
                self._ticked, self._phases_done = set(ticked), set(phases_done)
                prompts = {}
                for number, phase in enumerate(phases, start=1):
                    items = {
                        ITEM_PREFIX + i.id: self._item_prompt(i.id, i.text) for i in phase.items if i.id in changed
                    }
                    if items or phase.id in changed:
                        prompts[PHASE_PREFIX + phase.id] = self._phase_prompt(number, phase)
                    prompts |= items
                refresh_prompts(self, prompts)
            return
        self._shown = (phases,)
        keep = self.highlighted_option.id if self.highlighted_option else None
        self._ticked, self._phases_done = set(ticked), set(phases_done)
        self._labels = {}
        options: list[Option] = []
        if not phases:
            waiting = Text("The sequence appears once the triage is ready.", style="italic")
            options.append(Option(waiting, disabled=True))
        for number, phase in enumerate(phases, start=1):
            options.append(Option(self._phase_prompt(number, phase), id=PHASE_PREFIX + phase.id))
            self._labels[PHASE_PREFIX + phase.id] = phase.title
            for item in phase.items:
                options.append(Option(self._item_prompt(item.id, item.text), id=ITEM_PREFIX + item.id))
                self._labels[ITEM_PREFIX + item.id] = item.text
        self.set_options(options)
        ids = [option.id for option in self.options]
        if keep in ids:
            self.highlighted = ids.index(keep)
        elif phases:
            self.highlighted = 0

    def _show_total(self, total: str) -> None:
        """The total in the bottom border: that row is drawn again, not the whole pane (as setting a border
        title does, whatever changed)."""
        if not self.is_mounted or not self.size:
            self.border_subtitle = total
            return
        self.refresh = lambda *regions, **kwargs: self  # type: ignore[method-assign]
        try:
            self.border_subtitle = total
        finally:
            del self.refresh
        offset = self.content_offset
        self.refresh(Region(-offset.x, self.outer_size.height - 1 - offset.y, self.outer_size.width, 1))

    def _phase_prompt(self, number: int, phase: Phase) -> Text:
        done = phase.id in self._phases_done or (
            bool(phase.items) and all(item.id in self._ticked for item in phase.items)
        )
        good = tones(self)("tone--good") + BOLD
        text = Text(f"{number}. ", style="bold")
        text.append_text(plain(phase.title, good if done else "bold", one_line=True))
        if phase.budget not in phase.title:
            text.append(f" ({phase.budget})", style="dim")
        if done:
            text.append("  DONE", style=good)
        return text

    def _item_prompt(self, item_id: str, label: str) -> Text:
        done = item_id in self._ticked
        text = Text("   [x] " if done else "   [ ] ", style=tones(self)("tone--good") if done else "")
        text.append_text(plain(label, "dim" if done else "", one_line=True))
        return text

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()

    def action_tick(self) -> None:
        option = self.highlighted_option
        if option is None or option.id is None:
            return
        label = self._labels[option.id]
        if option.id.startswith(PHASE_PREFIX):
            phase_id = option.id.removeprefix(PHASE_PREFIX)
            self.post_message(self.PhaseTickRequested(phase_id, label))
        else:
            item_id = option.id.removeprefix(ITEM_PREFIX)
            self.post_message(self.TickRequested(item_id, label))
