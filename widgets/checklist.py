"""The severity checklist: triage issues grouped P0 / P1 / P2, ticked with space."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.actions import bindings
from widgets.option_prompts import refresh_prompts
from widgets.text import BOLD, SEVERITY_TEXT, plain, severity_tone, tones

if TYPE_CHECKING:
    from maestro.pane_views import ChecklistEntry, ChecklistGroup, ChecklistView

HEADING_PREFIX = "severity:"
WAITING = "Triage is running..."

GROUP_HEADING: dict[str, str] = {
    "P0": "P0 CRITICAL - production down, fix NOW",
    "P1": "P1 HIGH - degraded, fix within 1 hour",
    "P2": "P2 MEDIUM - fix after production is restored",
}


class SeverityChecklist(OptionList):
    """Issues of the current triage; the highlighted one drives the command deck."""

    COMPONENT_CLASSES = {"tone--good", "tone--warn", *SEVERITY_TEXT}

    DEFAULT_CSS = """
    SeverityChecklist { height: 1fr; max-height: 100%; }
    """

    BINDINGS = [*bindings("checklist"), *bindings("lists")]

    @dataclass
    class TickRequested(Message):
        """Tick the issue if it is open, reopen it if it is ticked (the journal decides which)."""

        item_id: str
        label: str

    @dataclass
    class DetailsRequested(Message):
        issue_id: str

    @dataclass
    class IssueHighlighted(Message):
        issue_id: str | None

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, markup=False)
        self.view: ChecklistView | None = None
        """What the list shows."""

    def on_mount(self) -> None:
        if self.view is None:
            self.set_options([Option(plain(WAITING, "italic"), disabled=True)])

    @property
    def issue_id(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None and self._entry(option.id) is not None else None

    def _entry(self, entry_id: str | None) -> ChecklistEntry | None:
        return self.view.entry(entry_id) if self.view is not None and entry_id is not None else None

    def show(self, view: ChecklistView) -> None:
        """Show this view; only the lines that changed are drawn again, and nothing when nothing changed."""
        before, self.view = self.view, view
        if view == before:
            return
        if before is not None and _layout(before) == _layout(view):
            prompts: dict[str, Text] = {}
            for old, new in zip(before.groups, view.groups, strict=True):
                if old.heading != new.heading:
                    prompts[HEADING_PREFIX + new.severity] = self._heading(new)
                prompts |= {e.id: self._prompt(e) for e, was in zip(new.entries, old.entries, strict=True) if e != was}
            refresh_prompts(self, prompts)
            return
        keep = self.issue_id
        self.set_options(self._options_for(view))
        first = next((index for index, option in enumerate(self.options) if self._entry(option.id)), None)
        index = self.get_option_index(keep) if self._entry(keep) is not None else first
        self.highlighted = index
        self.post_message(self.IssueHighlighted(self.issue_id))

    def _options_for(self, view: ChecklistView) -> list[Option]:
        if not view.triaged:
            return [Option(plain(view.notice or WAITING, "italic"), disabled=True)]
        tone = tones(self)
        options: list[Option] = []
        if view.notice:
            options.append(Option(plain(view.notice, tone("tone--warn") + Style(italic=True)), disabled=True))
        for group in view.groups:
            options.append(Option(self._heading(group), id=HEADING_PREFIX + group.severity, disabled=True))
            if not group.entries:
                options.append(Option(Text("  none found", style="dim"), disabled=True))
            options.extend(Option(self._prompt(entry), id=entry.id) for entry in group.entries)
        return options

    def _heading(self, group: ChecklistGroup) -> Text:
        heading = Text(f"{GROUP_HEADING[group.severity]}  ", style=severity_tone(tones(self), group.severity))
        heading.append(group.heading, style="dim")
        return heading

    def _prompt(self, entry: ChecklistEntry) -> Text:
        done = entry.done
        tone = tones(self)
        text = Text("[x] " if done else "[ ] ", style=tone("tone--good") + BOLD if done else "bold")
        text.append_text(plain(entry.title, "strike dim" if done else "bold", one_line=True))
        text.append("\n    ")
        text.append_text(plain(entry.summary, one_line=True))
        text.append("\n    ")
        text.append(
            "DONE" if done else entry.status_word,
            style=tone("tone--good") + BOLD if done else severity_tone(tone, entry.severity),
        )
        text.append(f" · {entry.minutes} min · ", style="dim")
        text.append_text(plain(entry.owner, "dim", one_line=True))
        if entry.cause:
            text.append(f" · ROOT CAUSE ({entry.cause})", style="bold")
        return text

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.IssueHighlighted(self.issue_id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()

    def action_tick(self) -> None:
        entry = self._entry(self.issue_id)
        if entry is not None:
            self.post_message(self.TickRequested(entry.id, entry.title))

    def action_details(self) -> None:
        if (issue_id := self.issue_id) is not None:
            self.post_message(self.DetailsRequested(issue_id))


def _layout(view: ChecklistView) -> tuple[object, ...]:
    """What decides the list's options: a view with the same layout changes only some lines."""
    return (view.triaged, view.notice, tuple((g.severity, tuple(e.id for e in g.entries)) for g in view.groups))
