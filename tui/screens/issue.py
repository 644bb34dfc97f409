"""The issue card: everything the triage knows about one issue, commands with their danger labels."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from maestro.model import Command, TriageIssue
from widgets.text import (
    BOLD,
    DANGER,
    SEVERITY_LABEL,
    SEVERITY_TEXT,
    Tone,
    danger_label,
    plain,
    severity_label,
    severity_tone,
    tones,
)


def issue_text(tone: Tone, issue: TriageIssue, *, done: bool) -> Text:
    text = severity_label(tone, issue.severity)
    text.append(" ")
    text.append_text(plain(issue.title, "bold", one_line=True))
    text.append("\nStatus: ", style="dim")
    if done:
        text.append("DONE", style=tone("tone--good") + BOLD)
    else:
        text.append(issue.severity.info.status_word, style=severity_tone(tone, issue.severity))
    text.append(f"   Time to fix: {issue.time_to_fix_min} min   Owner: ", style="dim")
    text.append_text(plain(issue.owner, one_line=True))
    text.append(f"   Source: {issue.provenance.value}, confidence {issue.confidence:.0%}", style="dim")
    text.append("\n\n")
    text.append_text(plain(issue.summary))
    _ranking(text, tone, issue)
    if issue.impact:
        _section(text, tone, "Impact")
        text.append_text(plain(issue.impact))
    if issue.symptoms:
        _section(text, tone, "Symptoms")
        _bullets(text, issue.symptoms)
    if issue.root_cause:
        _section(text, tone, "Root cause")
        text.append_text(plain(issue.root_cause))
    if issue.evidence:
        _section(text, tone, "Evidence")
        _bullets(text, issue.evidence)
    for title, commands in (
        ("Immediate fix", issue.fix),
        ("Verification", issue.verify),
        ("Rollback option", issue.rollback),
    ):
        if commands:
            _section(text, tone, title)
            _commands(text, tone, commands)
    if issue.escalate_if:
        _section(text, tone, "Escalate if")
        text.append_text(plain(issue.escalate_if))
    return text


def _ranking(text: Text, tone: Tone, issue: TriageIssue) -> None:
    """Why the issue ranks where it does, measured facts apart from reported words; a guess from words alone says
    so and names the read-only check that would confirm or refute it."""
    if not (issue.why or issue.measured or issue.reported or issue.hypothesis):
        return
    _section(text, tone, "Hypothesis: nothing measured confirms it yet" if issue.hypothesis else "Why it ranks here")
    if issue.why:
        text.append_text(plain(issue.why))
        text.append("\n")
    for label, items in (("measured", issue.measured), ("reported", issue.reported)):
        if items:
            text.append(f"{label}: ", style="dim")
            text.append_text(plain("; ".join(items), one_line=True))
            text.append("\n")
    if issue.check:
        text.append("check: ", style="dim")
        text.append_text(plain(issue.check, one_line=True))


def _section(text: Text, tone: Tone, title: str) -> None:
    text.append(f"\n\n{title}\n", style=tone("tone--heading"))


def _bullets(text: Text, items: list[str]) -> None:
    for number, item in enumerate(items):
        text.append("\n" if number else "")
        text.append("- ")
        text.append_text(plain(item, one_line=True))


def _commands(text: Text, tone: Tone, commands: list[Command]) -> None:
    for number, command in enumerate(commands, start=1):
        text.append("\n" if number > 1 else "")
        text.append(f"{number}. ")
        text.append_text(danger_label(tone, command.danger))
        if command.purpose:
            text.append(" ")
            text.append_text(plain(command.purpose, "italic", one_line=True))
        text.append("\n   $ ", style="dim")
        text.append_text(plain(command.text.replace("\n", "\n     "), "bold"))
        if command.expected:
            text.append("\n   Expected: ", style="dim")
            text.append_text(plain(command.expected, one_line=True))


class IssueCard(ModalScreen[None]):
    """Read-only; escape, enter or q closes it."""

    COMPONENT_CLASSES = {"tone--good", "tone--heading", *DANGER, *SEVERITY_LABEL, *SEVERITY_TEXT}

    DEFAULT_CSS = """
    IssueCard { align: center middle; background: $background 60%; }
    IssueCard > VerticalScroll {
        width: 100; max-width: 96%; height: auto; max-height: 92%;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    IssueCard #card-keys { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, issue: TriageIssue, *, done: bool) -> None:
        super().__init__()
        self.issue, self.done = issue, done

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="card"):
            yield Static(id="card-text", markup=False)
            yield Static("esc close · copy commands from the command deck with c", id="card-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#card-text", Static).update(issue_text(tones(self), self.issue, done=self.done))
        self.query_one("#card", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
