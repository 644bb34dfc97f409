"""The help screen: every key, taken from the action table so it cannot drift."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.keys import key_to_character
from textual.screen import ModalScreen
from textual.widgets import Static

from widgets.text import tones

SELECTING_TEXT = (
    "The screen takes the mouse, so a plain drag does not select. Hold shift while dragging (option in macOS"
    " Terminal and iTerm2) to select and copy with your terminal, even where OSC 52 copying is blocked; in a"
    " viewer, c copies the whole text."
)
HelpRow = tuple[str, str, str]
"""(section, keys, what they do)."""


def key_name(key: str) -> str:
    """What to press, in plain words: `?`, `/`, `ctrl+p`, `enter`, `space`, `shift+tab`."""
    character = key_to_character(key)
    if character is not None and character.isprintable() and not character.isspace():
        return character
    return {"slash": "/"}.get(key, key)


class HelpScreen(ModalScreen[None]):
    COMPONENT_CLASSES = {"tone--heading"}

    DEFAULT_CSS = """
    HelpScreen { align: center middle; background: $background 60%; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 96%; height: auto; max-height: 94%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self) -> None:
        super().__init__()
        self.rows = help_rows()
        """(section, keys, what they do), in the order shown."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(id="help-text")

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", style=tones(self)("tone--heading"), no_wrap=True)
        table.add_column()
        table.add_row("", Text("maestro keys - esc closes", style="bold"))
        section = None
        for title, keys, meaning in self.rows:
            if title != section:
                section = title
                table.add_row("", "")
                table.add_row("", Text(title, style="bold underline"))
            table.add_row(Text(keys), Text(meaning))
        table.add_row("", "")
        table.add_row("", Text("Selecting text", style="bold underline"))
        table.add_row(Text("shift+drag"), Text(SELECTING_TEXT))
        return table

    def on_mount(self) -> None:
        self.query_one("#help-text", Static).update(self._table())
        self.query_one("#help", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


def help_rows() -> list[HelpRow]:
    """One row per action of each section; an action on several keys is one row."""
    from tui.actions import ACTIONS, HELP_SECTIONS

    rows: list[HelpRow] = []
    for title, where in HELP_SECTIONS:
        shown: dict[str, int] = {}
        for action in ACTIONS:
            if action.where != where:
                continue
            keys = " / ".join(key_name(key) for key in action.keys.split(","))
            if action.id and action.id in shown:
                index = shown[action.id]
                rows[index] = (title, f"{rows[index][1]} / {keys}", rows[index][2])
                continue
            shown[action.id] = len(rows)
            rows.append((title, keys, action.description))
    return rows
