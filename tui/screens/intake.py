"""The intake form: what broke, when, who is hurt; it opens the incident."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from maestro.model import IncidentContext
from maestro.start_time import began_at, dated
from maestro.utc import utc_now

FIELDS: tuple[tuple[str, str, str], ...] = (
    ("description", "Describe the failure (required)", "Production API down - 500 errors"),
    ("what_broke", "What broke", "service or feature"),
    ("when", "When it began", "14:05 / 20 minutes ago / just now (kept as an absolute UTC time)"),
    ("user_impact", "User impact", "how many users, which features"),
    ("error_messages", "Error messages", "stack traces, log lines"),
    ("recent_changes", "Recent changes", "deployments, config changes"),
)


_UNREADABLE = "Cannot tell when {text!r} is: give 14:05, '20 minutes ago' or 2026-11-26T14:05Z, or leave it empty."


class IntakeScreen(ModalScreen[IncidentContext | None]):
    """ctrl+s or enter in the last field opens the incident; escape leaves without one."""

    DEFAULT_CSS = """
    IntakeScreen { align: center middle; }
    IntakeScreen > VerticalScroll {
        width: 90; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 2;
    }
    IntakeScreen .title { text-style: bold; margin: 1 0; }
    IntakeScreen Label { margin-top: 1; }
    IntakeScreen #intake-error { color: $error; height: auto; }
    IntakeScreen #intake-when-hint { color: $text-muted; height: auto; }
    IntakeScreen .buttons { height: auto; margin: 1 0; align-horizontal: right; }
    IntakeScreen .buttons Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("ctrl+s", "submit", "Open incident"),
        Binding("escape", "cancel", "Leave"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("New incident - describe what is happening", classes="title")
            for name, label, placeholder in FIELDS:
                yield Label(label)
                yield Input(placeholder=placeholder, id=f"intake-{name}")
                if name == "when":
                    yield Static("", id="intake-when-hint", markup=False)
            yield Static("", id="intake-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Open incident (ctrl+s)", id="open", variant="primary")
                yield Button("Leave (esc)", id="leave")

    def on_mount(self) -> None:
        self.query_one("#intake-description", Input).focus()

    def _now(self) -> datetime:
        clock: Callable[[], datetime] = getattr(self.app, "clock", utc_now)
        return clock()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Say at once which absolute time the words mean, so a wrong reading is caught before it is stored."""
        if event.input.id != "intake-when":
            return
        text = event.value.strip()
        start = began_at(text, self._now()) if text else None
        hint = "" if not text else f"began {start:%Y-%m-%d %H:%M} UTC" if start else _UNREADABLE.format(text=text)
        self.query_one("#intake-when-hint", Static).update(hint)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == f"intake-{FIELDS[-1][0]}":
            self.action_submit()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "open":
            self.action_submit()
        else:
            self.dismiss(None)

    def action_submit(self) -> None:
        values = {name: self.query_one(f"#intake-{name}", Input).value.strip() for name, _, _ in FIELDS}
        if values["when"] and began_at(values["when"], self._now()) is None:
            self.query_one("#intake-error", Static).update(_UNREADABLE.format(text=values["when"]))
            self.query_one("#intake-when", Input).focus()
            return
        try:
            context = IncidentContext(**values)
        except ValidationError:
            self.query_one("#intake-error", Static).update("Describe the failure in a few words first.")
            self.query_one("#intake-description", Input).focus()
            return
        self.dismiss(dated(context, self._now()))

    def action_cancel(self) -> None:
        self.dismiss(None)
