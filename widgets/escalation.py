"""The escalation timer: elapsed time, next escalation and next status update, amber then red."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from maestro.text import hms
from widgets.text import BOLD, SEVERITY_LABEL, plain, severity_label, tones

if TYPE_CHECKING:
    from maestro.pane_views import TimerView

AMBER_ESCALATION_S = 5 * 60
AMBER_UPDATE_S = 2 * 60
URGENCY_TONE = {"": "", "amber": "tone--warn", "red": "tone--alarm"}


def urgency(remaining_s: float | None, amber_below_s: float) -> str:
    if remaining_s is None:
        return ""
    if remaining_s <= 0:
        return "red"
    return "amber" if remaining_s <= amber_below_s else ""


class EscalationPanel(Static, can_focus=True):
    """A view of the clock; the app pushes a new TimerView every second."""

    COMPONENT_CLASSES = {"tone--alarm", "tone--warn", *SEVERITY_LABEL}

    DEFAULT_CSS = """
    EscalationPanel { height: 1fr; padding: 0 1; overflow-y: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, markup=False)
        self.timer_view: TimerView | None = None
        self._shown: tuple[object, ...] | None = None
        self._text: Text | None = None

    def show(self, view: TimerView) -> None:
        if view == self.timer_view:
            return
        self.timer_view = view
        escalation = urgency(view.next_escalation_s, AMBER_ESCALATION_S)
        update = urgency(view.next_update_s, AMBER_UPDATE_S)
        # The clocks are shown to the second: a view that differs below that draws nothing again.
        shown = (
            replace(view, elapsed_s=0, next_escalation_s=None, next_update_s=None),
            *(_to_the_second(s) for s in (view.elapsed_s, view.next_escalation_s, view.next_update_s)),
            escalation,
            update,
        )
        if shown == self._shown:
            return
        self._shown = shown
        worst = "red" if "red" in (escalation, update) else "amber" if "amber" in (escalation, update) else ""
        self.set_class(worst == "amber", "-amber")
        self.set_class(worst == "red", "-red")
        text = self._render_view(view, escalation, update)
        if text != self._text:
            self._text = text
            self.update(text, layout=False)  # its size is the grid's, whatever it shows

    def _render_view(self, view: TimerView, escalation: str, update: str) -> Text:
        tone = tones(self)

        def urgent(level: str) -> Style:
            return tone(URGENCY_TONE[level]) + BOLD if level else BOLD

        text = Text()
        text.append("Incident       ", style="dim")
        text.append_text(plain(view.incident, one_line=True))
        text.append("\nElapsed        ", style="dim")
        text.append(hms(view.elapsed_s), style="bold")
        text.append("  ")
        text.append_text(severity_label(tone, view.severity))
        if not view.running:
            text.append("  clock stopped", style="dim")
        text.append("\nWith           ", style="dim")
        text.append_text(plain(view.current, one_line=True))
        text.append("\nEscalation     ", style="dim")
        if view.next_escalation_s is None:
            text.append("none due" if view.running else "-", style="dim")
        else:
            text.append(countdown(view.next_escalation_s, "in"), style=urgent(escalation))
            text.append(" -> ")
            text.append_text(plain(view.next_contact, one_line=True))
        text.append("\nStatus update  ", style="dim")
        if view.next_update_s is None:
            text.append("no cadence for this severity" if view.running else "-", style="dim")
        else:
            text.append(countdown(view.next_update_s, "due in"), style=urgent(update))
            text.append(f" (every {view.update_every_min} min)", style="dim")
        if view.advice:
            text.append("\nRules          ", style="dim")
            text.append_text(plain(view.advice, urgent("red") if view.escalate_now else ""))
        for question, answer in view.trees:
            text.append(f"\n{question:<15}", style="dim")
            text.append_text(plain(answer))
        text.append("\n")
        text.append("e", style="bold reverse")
        text.append(" escalate  ")
        text.append("u", style="bold reverse")
        text.append(" status update")
        if view.last_update:
            text.append("\n\nLast update:\n", style="dim")
            text.append_text(plain(view.last_update))
        return text


def countdown(seconds: float, ahead: str) -> str:
    """ "in 0:12:00" while time is left, "OVERDUE by 0:03:00" once it has run out."""
    return f"OVERDUE by {hms(-seconds)}" if seconds <= 0 else f"{ahead} {hms(seconds)}"


def _to_the_second(seconds: float | None) -> tuple[bool, int] | None:
    """What `hms` and `countdown` show of a clock: whether it has run out, and its whole seconds."""
    return None if seconds is None else (seconds <= 0, int(seconds))
