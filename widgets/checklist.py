"""The severity checklist: triage issues grouped P0 / P1 / P2, ticked with space."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from maestro import lazy
from tui.actions import bindings
from widgets.option_prompts import refresh_prompts
from widgets.text import BOLD, TONES, plain, severity_tone, tones

if TYPE_CHECKING:
    from collections.abc import Mapping

    from maestro.model import Severity, Triage, TriageIssue

HEADING_PREFIX = "severity:"

GROUP_HEADING: dict[str, str] = {
    "P0": "P0 CRITICAL - production down, fix NOW",
    "P1": "P1 HIGH - degraded, fix within 1 hour",
    "P2": "P2 MEDIUM - fix after production is restored",
}


class SeverityChecklist(OptionList):
    """Issues of the current triage; the highlighted one drives the command deck."""

    COMPONENT_CLASSES = set(TONES)

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
        self._issues: dict[str, TriageIssue] = {}
        self._ticked: set[str] = set()
        self._headings: dict[Severity, str] = {}
        self._causes: dict[str, str] = {}
        self._shown: tuple[object, ...] | None = None

    @property
    def issue_id(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None and option.id in self._issues else None

    def show(
        self,
        triage: Triage | None,
        ticked: set[str],
        notice: str = "",
        headings: Mapping[Severity, str] | None = None,
        causes: Mapping[str, str] | None = None,
    ) -> None:
        """Show this triage with these items done; does nothing when nothing changed.

        `headings` (severity -> "(7 issues, 80 of 90 min open, over the 10-15 minutes max budget)") come from
        the one ETA; `causes` (issue id -> "confirmed" or "measured") mark the identified root causes.
        """
        headings, causes = dict(headings or {}), dict(causes or {})
        # The same triage is the same object (the incident's fold shares what an event leaves unchanged): a tick
        # then redraws only the lines it changed.
        if self._shown is not None and triage is self._shown[0] and notice == self._shown[1]:
            if triage is not None and (ticked != self._ticked or headings != self._headings or causes != self._causes):
                self._ticked, self._headings, self._causes = set(ticked), headings, causes
                prompts = {issue.id: self._prompt(issue) for issue in triage.issues}
                for severity in lazy.model.Severity:
                    prompts[HEADING_PREFIX + severity.value] = self._heading(severity, triage)
                refresh_prompts(self, prompts)
            return
        self._shown = (triage, notice)
        self._headings, self._causes = headings, causes
        keep = self.issue_id
        self._issues = {issue.id: issue for issue in triage.issues} if triage else {}
        self._ticked = set(ticked)
        self.set_options(self._options_for(triage, notice))
        first = next((index for index, option in enumerate(self.options) if option.id in self._issues), None)
        index = self.get_option_index(keep) if keep in self._issues else first
        self.highlighted = index
        self.post_message(self.IssueHighlighted(self.issue_id))

    def _options_for(self, triage: Triage | None, notice: str) -> list[Option]:
        if triage is None:
            waiting = notice or "Triage is running..."
            return [Option(plain(waiting, "italic"), disabled=True)]
        tone = tones(self)
        options: list[Option] = []
        if notice:
            options.append(Option(plain(notice, tone("tone--warn") + Style(italic=True)), disabled=True))
        for severity in lazy.model.Severity:
            issues = triage.by_severity(severity)
            options.append(Option(self._heading(severity, triage), id=HEADING_PREFIX + severity.value, disabled=True))
            if not issues:
                options.append(Option(Text("  none found", style="dim"), disabled=True))
            options.extend(Option(self._prompt(issue), id=issue.id) for issue in issues)
        return options

    def _heading(self, severity: Severity, triage: Triage) -> Text:
        issues = triage.by_severity(severity)
        heading = Text(f"{GROUP_HEADING[severity]}  ", style=severity_tone(tones(self), severity))
        count = f"({len(issues)} issue{'s' * (len(issues) != 1)})"
        heading.append(self._headings.get(severity, count), style="dim")
        return heading

    def _prompt(self, issue: TriageIssue) -> Text:
        done = issue.id in self._ticked
        tone = tones(self)
        text = Text("[x] " if done else "[ ] ", style=tone("tone--good") + BOLD if done else "bold")
        text.append_text(plain(issue.title, "strike dim" if done else "bold", one_line=True))
        text.append("\n    ")
        text.append_text(plain(issue.summary, one_line=True))
        status = "DONE" if done else issue.severity.info.status_word
        text.append("\n    ")
        text.append(status, style=tone("tone--good") + BOLD if done else severity_tone(tone, issue.severity))
        text.append(f" · {issue.time_to_fix_min} min · ", style="dim")
        text.append_text(plain(issue.owner, "dim", one_line=True))
        if cause := self._causes.get(issue.id):
            text.append(f" · ROOT CAUSE ({cause})", style="bold")
        return text

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.IssueHighlighted(self.issue_id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()

    def action_tick(self) -> None:
        issue_id = self.issue_id
        if issue_id is None:
            return
        issue = self._issues[issue_id]
        self.post_message(self.TickRequested(issue_id, issue.title))

    def action_details(self) -> None:
        if (issue_id := self.issue_id) is not None:
            self.post_message(self.DetailsRequested(issue_id))
