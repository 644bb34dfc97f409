"""What only a person can tell the escalation rules: an architectural decision or customer communication is
needed, data was lost, a breach is suspected. Ticked conditions are journaled; unticking withdraws one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, SelectionList, Static

from maestro.events import Condition
from tui.screens.dialogs import DIALOG_CSS

WORDS: dict[Condition, str] = {
    Condition.ARCHITECTURAL_DECISION: "A P0 needs an architectural decision (Team Lead)",
    Condition.CUSTOMER_COMMUNICATION: "Customer communication is needed (Infrastructure Manager)",
    Condition.DATA_LOSS: "Data loss occurred (CTO)",
    Condition.SECURITY_BREACH: "A security breach is suspected (CTO)",
}


class ConditionsDialog(ModalScreen[frozenset[Condition] | None]):
    """space ticks, ctrl+s saves, escape cancels."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ConditionsDialog")
        + """
    ConditionsDialog SelectionList { height: auto; }
    ConditionsDialog .hint { color: $text-muted; }
    """
    )
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, present: frozenset[Condition]) -> None:
        super().__init__()
        self.present = present

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("What do you know that the evidence cannot show?", classes="title", markup=False)
            yield SelectionList[str](
                *[(words, c.value, c in self.present) for c, words in WORDS.items()], id="conditions"
            )
            yield Static("space ticks · the escalation rules read these at once", classes="hint", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def action_save(self) -> None:
        chosen = self.query_one(SelectionList).selected
        self.dismiss(frozenset(Condition(value) for value in chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)
