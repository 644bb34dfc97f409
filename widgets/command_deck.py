"""The command deck: copy-ready commands of the selected issue plus the emergency set, with danger labels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.actions import bindings
from widgets.text import BOLD, DANGER, danger_label, plain, tones

if TYPE_CHECKING:
    from maestro.pane_views import DeckCommand, DeckView


class CommandDeck(Vertical):
    """The highlighted command is shown in full below the list, selectable, and is what `c` copies."""

    COMPONENT_CLASSES = {"tone--good", "tone--heading", *DANGER}

    BINDINGS = bindings("lists")

    DEFAULT_CSS = """
    CommandDeck { height: 1fr; }
    CommandDeck > OptionList, CommandDeck > OptionList:focus { height: 1fr; max-height: 100%; border: none; }
    CommandDeck > #deck-detail { height: auto; max-height: 8; padding: 0 1; border-top: solid $primary 40%; }
    CommandDeck > #deck-detail.-copied { border-top: solid $success; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._entries: dict[str, DeckCommand] = {}
        self._shown: tuple[object, ...] | None = None
        self._view: DeckView | None = None
        self._copied = ""

    def compose(self) -> ComposeResult:
        yield OptionList(id="deck-list", markup=False)
        yield Static(id="deck-detail", markup=False)

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#deck-list", OptionList)

    @property
    def selected(self) -> DeckCommand | None:
        option = self.option_list.highlighted_option
        return self._entries.get(option.id) if option is not None and option.id else None

    def show(self, view: DeckView) -> None:
        if view is self._view:
            return
        self._view = view
        heading, entries = view.heading, view.entries
        signature = (heading, tuple((e.section, e.command.model_dump_json(), e.issue_id) for e in entries))
        if signature == self._shown:
            return
        self._shown = signature
        tone = tones(self)
        options: list[Option] = [Option(plain(heading, "bold", one_line=True), disabled=True)]
        self._entries = {}
        section = None
        for number, entry in enumerate(entries):
            if entry.section != section:
                section = entry.section
                options.append(Option(plain(section.upper(), tone("tone--heading"), one_line=True), disabled=True))
            key = f"cmd-{number}"
            self._entries[key] = entry
            prompt = danger_label(tone, entry.command.danger)
            prompt.append(" ")
            prompt.append_text(plain(entry.command.text, one_line=True))
            options.append(Option(prompt, id=key))
        option_list = self.option_list
        option_list.set_options(options)
        option_list.highlighted = next((i for i, o in enumerate(options) if o.id in self._entries), None)
        self._copied = ""
        self._show_detail()

    def show_copied(self, text: str) -> None:
        """Say that this exact text went to the clipboard, and show it for terminals without OSC 52."""
        self._copied = text
        self._show_detail()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._copied = ""
        self._show_detail()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()

    def _show_detail(self) -> None:
        detail = self.query_one("#deck-detail", Static)
        tone = tones(self)
        entry = self.selected
        detail.set_class(bool(self._copied), "-copied")
        if self._copied:
            text = Text("Copied (OSC 52). No clipboard? Select it here:\n", style=tone("tone--good") + BOLD)
            text.append_text(plain(self._copied))
            detail.update(text)
            return
        if entry is None:
            detail.update(Text("No command selected.", style="dim"))
            return
        command = entry.command
        text = danger_label(tone, command.danger)
        if command.purpose:
            text.append(" ")
            text.append_text(plain(command.purpose, "italic", one_line=True))
        text.append("\n")
        text.append_text(plain(command.text))
        if command.expected:
            text.append("\nExpected: ", style="dim")
            text.append_text(plain(command.expected, "dim", one_line=True))
        text.append("\n")
        text.append("c", style="bold reverse")
        text.append(" copy", style="dim")
        detail.update(text)

    def focus_main(self) -> None:
        self.option_list.focus()

    # j / k / g / G (the lists' keys) move in the list of commands.

    def action_cursor_down(self) -> None:
        self.option_list.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.option_list.action_cursor_up()

    def action_first(self) -> None:
        self.option_list.action_first()

    def action_last(self) -> None:
        self.option_list.action_last()
