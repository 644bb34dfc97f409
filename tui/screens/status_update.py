"""The status update, drafted from the incident: the person edits it, chooses the channels, then sends it
(or says they posted it by hand). Nothing leaves the machine from here: the screen asks for a confirmation,
then sends in a worker."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, SelectionList, Static, TextArea

from tui.screens.dialogs import COPIED_HINT, DIALOG_CSS
from widgets.text import literal, plain


@dataclass(frozen=True)
class UpdateChoice:
    text: str
    channels: tuple[str, ...]
    """Empty when the person posted it by hand."""


@dataclass(frozen=True)
class ChannelChoice:
    name: str
    kind: str
    chosen: bool
    """Ticked at first: every channel except a pager (an update should not page anyone)."""


class StatusUpdateDialog(ModalScreen[UpdateChoice | None]):
    """ctrl+s sends to the ticked channels, ctrl+o marks it posted by hand, ctrl+t copies, escape cancels."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="StatusUpdateDialog")
        + """
    StatusUpdateDialog > Vertical { width: 110; }
    StatusUpdateDialog TextArea { height: auto; max-height: 16; }
    StatusUpdateDialog SelectionList { height: auto; max-height: 6; margin-top: 1; }
    StatusUpdateDialog .hint { color: $text-muted; }
    StatusUpdateDialog #update-error { color: $error; height: auto; }
    """
    )
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", priority=True),
        Binding("ctrl+o", "by_hand", "Posted by hand", priority=True),
        Binding("ctrl+t", "copy", "Copy", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, draft: str, channels: list[ChannelChoice]) -> None:
        super().__init__()
        self.title_text, self.draft, self.channels = title, literal(draft), channels

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.title_text), classes="title", markup=False)
            yield TextArea(self.draft, soft_wrap=True, id="update-text")
            if self.channels:
                yield SelectionList[str](
                    *[(plain(f"{c.name} ({c.kind})", one_line=True), c.name, c.chosen) for c in self.channels],
                    id="update-channels",
                )
            else:
                hint = "No [[notify]] channels in the config: copy it (ctrl+t), post it, then mark it posted (ctrl+o)."
                yield Static(hint, classes="hint", markup=False)
            yield Static("", id="update-error", markup=False)
            with Horizontal(classes="buttons"):
                if self.channels:
                    yield Button("Send (ctrl+s)", id="send", variant="primary")
                yield Button("Posted by hand (ctrl+o)", id="by_hand")
                yield Button("Copy (ctrl+t)", id="copy")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.cursor_blink = False
        area.move_cursor(area.document.end)
        area.focus()

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text.strip()

    def chosen(self) -> tuple[str, ...]:
        if not self.channels:
            return ()
        return tuple(self.query_one("#update-channels", SelectionList).selected)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        getattr(self, f"action_{event.button.id or 'cancel'}")()

    def action_send(self) -> None:
        if not self.channels:
            self.action_by_hand()
            return
        if not self._has_text():
            return
        if not self.chosen():
            self.query_one("#update-error", Static).update("Tick at least one channel (space), or ctrl+o.")
            return
        self.dismiss(UpdateChoice(self.text, self.chosen()))

    def action_by_hand(self) -> None:
        if self._has_text():
            self.dismiss(UpdateChoice(self.text, ()))

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify(COPIED_HINT, markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _has_text(self) -> bool:
        if self.text:
            return True
        self.query_one("#update-error", Static).update("The update is empty.")
        return False
