"""The help screen: every key, taken from the bindings themselves so it cannot drift."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.keys import key_to_character
from textual.screen import ModalScreen
from textual.widgets import Static

KeySection = tuple[str, list[Binding]]


def key_name(key: str) -> str:
    """What to press, in plain words: `?`, `/`, `ctrl+p`, `enter`, `space`, `shift+tab`."""
    character = key_to_character(key)
    if character is not None and character.isprintable() and not character.isspace():
        return character
    return {"slash": "/"}.get(key, key)


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; background: $background 60%; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 96%; height: auto; max-height: 94%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, sections: list[KeySection]) -> None:
        super().__init__()
        self.rows = [
            (title, " / ".join(key_name(key) for key in binding.key.split(",")), binding.tooltip or binding.description)
            for title, bindings in sections
            for binding in bindings
        ]
        """(section, keys, what they do), in the order shown."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(self._table(), id="help-text")

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", style="bold #90caf9", no_wrap=True)
        table.add_column()
        table.add_row("", Text("maestro keys - esc closes", style="bold"))
        section = None
        for title, keys, meaning in self.rows:
            if title != section:
                section = title
                table.add_row("", "")
                table.add_row("", Text(title, style="bold underline"))
            table.add_row(Text(keys), Text(meaning))
        return table

    def on_mount(self) -> None:
        self.query_one("#help", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
