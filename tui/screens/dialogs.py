"""Small modal dialogs: confirm, ask for a line of text, choose a severity, read or copy a text."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from maestro.model import Severity
from widgets.text import SEVERITY_TEXT, literal, plain, severity_tone, tones

DIALOG_CSS = """
{name} {{ align: center middle; background: $background 60%; }}
{name} > Vertical {{
    width: 76; max-width: 95%; height: auto; max-height: 90%;
    border: thick $primary; background: $surface; padding: 1 2;
}}
{name} .title {{ text-style: bold; width: 1fr; margin-bottom: 1; }}
{name} .buttons {{ height: auto; margin-top: 1; align-horizontal: right; }}
{name} .buttons Button {{ margin-left: 2; }}
"""


COPIED_HINT = "Copied to the clipboard (OSC 52). If it did not arrive, select the text with the mouse."


class ConfirmDialog(ModalScreen[bool]):
    """Yes or no; `y` / `n`, escape is no."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ConfirmDialog")
        + """
    ConfirmDialog.-danger > Vertical { border: thick $error; }
    """
    )
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, detail: str = "", *, yes: str = "Yes", danger: bool = False) -> None:
        super().__init__(classes="-danger" if danger else None)
        self.question, self.detail, self.yes = question, detail, yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.question), classes="title", markup=False)
            if self.detail:
                yield Static(plain(self.detail), markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="error" if self.has_class("-danger") else "primary")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class QuitDialog(ModalScreen[bool | None]):
    """Export before leaving? yes exports then quits, no quits, escape stays."""

    DEFAULT_CSS = DIALOG_CSS.format(name="QuitDialog")
    BINDINGS = [
        Binding("y", "answer(True)", "Export, then quit"),
        Binding("n", "answer(False)", "Quit without export"),
        Binding("escape", "answer(None)", "Stay"),
    ]

    def __init__(self, folder: str) -> None:
        super().__init__()
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Export reports before leaving?", classes="title")
            yield Static(
                plain(f"This incident has changes that are not in any report yet.\nReports go to {self.folder}"),
                markup=False,
            )
            with Horizontal(classes="buttons"):
                yield Button("Export and quit (y)", id="yes", variant="primary")
                yield Button("Quit (n)", id="no")
                yield Button("Stay (esc)", id="stay")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss({"yes": True, "no": False}.get(event.button.id or ""))

    def action_answer(self, answer: bool | None) -> None:
        self.dismiss(answer)


class TextPrompt(ModalScreen[str | None]):
    """One line of text; enter accepts, escape cancels. Empty text is refused."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="TextPrompt")
        + """
    TextPrompt #prompt-error { color: $error; height: auto; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self.title_text, self.placeholder, self.value = title, placeholder, value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.title_text), classes="title", markup=False)
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save (enter)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._accept(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._accept(self.query_one("#prompt-input", Input).value)
        else:
            self.dismiss(None)

    def _accept(self, value: str) -> None:
        value = value.strip()
        if not value:
            self.query_one("#prompt-error", Static).update("Type something, or press escape to cancel.")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SeverityDialog(ModalScreen[Severity | None]):
    """Choose P0, P1 or P2 with the arrows and enter, or press 0 / 1 / 2."""

    COMPONENT_CLASSES = set(SEVERITY_TEXT)

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="SeverityDialog")
        + """
    SeverityDialog OptionList { height: auto; max-height: 14; }
    """
    )
    BINDINGS = [
        Binding("escape", "choose(None)", "Cancel"),
        Binding("0", "choose('P0')", "P0", show=False),
        Binding("1", "choose('P1')", "P1", show=False),
        Binding("2", "choose('P2')", "P2", show=False),
    ]

    def __init__(self, current: Severity | None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Set the incident severity", classes="title")
            yield OptionList(id="severity-options", markup=False)

    def on_mount(self) -> None:
        """The options are made here: their tones come from the stylesheet, which applies once mounted."""
        tone = tones(self)
        options = []
        for severity in Severity:
            info = severity.info
            prompt = Text(f"{severity.value} {info.label}", style=severity_tone(tone, severity))
            if severity == self.current:
                prompt.append("  (current)", style="dim")
            prompt.append(f"\n   {info.definition}; respond {info.response_time.lower()}", style="")
            prompt.append(f"\n   e.g. {', '.join(info.examples)}", style="dim")
            options.append(Option(prompt, id=severity.value))
        option_list = self.query_one(OptionList)
        option_list.add_options(options)
        option_list.highlighted = list(Severity).index(self.current) if self.current else 0
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(Severity(event.option_id))

    def action_choose(self, value: str | None) -> None:
        self.dismiss(Severity(value) if value else None)


class TextViewer(ModalScreen[None]):
    """A read-only text, selectable with the mouse; `c` copies it whole."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="TextViewer")
        + """
    TextViewer > Vertical { width: 110; }
    TextViewer TextArea { height: auto; max-height: 30; }
    TextViewer .hint { color: $text-muted; }
    """
    )
    BINDINGS = [
        Binding("c", "copy", "Copy all"),
        Binding("escape,q", "close", "Close"),
    ]

    def __init__(self, title: str, text: str, hint: str = "") -> None:
        super().__init__()
        self.title_text, self.text, self.hint = title, literal(text), hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.title_text), classes="title", markup=False)
            yield TextArea(self.text, read_only=True, soft_wrap=True, id="viewer-text")
            yield Static(plain(self.hint or "c copy all · esc close"), classes="hint", markup=False)

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.cursor_blink = False
        area.focus()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify(COPIED_HINT, markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
