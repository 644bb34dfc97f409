"""Every action a key can run, in one table: the bindings, the footer, the palette and the help all read it.

`where` is the class whose bindings carry the action and which implements `action_<id>`: the app (keys that
work on every screen), the incident screen (pane actions), or one pane. Rows with the same id are one
action on several keys (the palette and the help show it once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual.binding import Binding

PANE_TITLES = ("Checklist", "Recovery", "Escalation", "Services", "Commands", "Timeline")
"""The incident screen's panes in their numbered order."""

Where = Literal["app", "incident", "checklist", "recovery", "services", "lists", "logs"]


@dataclass(frozen=True)
class Action:
    id: str
    keys: str
    """Textual key names, comma-separated."""
    label: str
    """The footer's word for it."""
    description: str
    """What it does, for the help and the palette."""
    where: Where
    footer: bool = False
    priority: bool = False
    palette: bool = True


ACTIONS: tuple[Action, ...] = (
    Action("help", "question_mark", "Help", "Show every key", "app", footer=True),
    Action("command_palette", "ctrl+p", "Palette", "Open the command palette", "app", priority=True, palette=False),
    Action("command_palette", "colon", "Palette", "Open the command palette", "app", palette=False),
    Action("copy", "c", "Copy", "Copy the highlighted command (destructive ones ask first)", "incident", footer=True),
    Action("logs", "l", "Logs", "Show the logs of the selected service", "incident"),
    Action("filter", "slash", "Filter", "Filter the services", "incident"),
    Action("escalate", "e", "Escalate", "Escalate to whom the rules name and notify them", "incident", footer=True),
    Action("status_update", "u", "Update", "Draft, edit and send a status update", "incident", footer=True),
    Action(
        "conditions",
        "exclamation_mark",
        "Report",
        "Report a decision or customer need, data loss, a breach",
        "incident",
    ),
    Action("note", "n", "Note", "Add a note to the timeline", "incident"),
    Action("severity", "s", "Severity", "Change the severity", "incident"),
    Action("resolve", "r", "Resolved", "Mark the incident resolved", "incident"),
    Action(
        "root_cause",
        "w",
        "Root cause",
        "Confirm the highlighted issue as the root cause, or withdraw it",
        "incident",
    ),
    Action("next_pane", "tab", "Next pane", "Next pane", "incident"),
    Action("previous_pane", "shift+tab", "Previous pane", "Previous pane", "incident"),
    *(
        Action(
            f"pane({number})",
            str(number),
            "",
            f"Pane {number}: {title} (its tab on small terminals)",
            "incident",
            palette=False,
        )
        for number, title in enumerate(PANE_TITLES, start=1)
    ),
    Action("back", "escape", "Back", "Back to the pane before", "incident", palette=False),
    Action("triage", "t", "Triage", "Run the triage again", "incident"),
    Action(
        "cancel_claude",
        "escape",
        "Cancel Claude",
        "Cancel Claude triage (the rules triage stays)",
        "incident",
        priority=True,
    ),
    Action("export", "x", "Export", "Export every report into a folder", "incident", footer=True),
    Action("request_quit", "q", "Quit", "Quit (offers to export the reports first)", "app", footer=True),
    Action("request_quit", "ctrl+c,ctrl+q", "Quit", "Quit", "app", priority=True, palette=False),
    Action("tick", "space", "Tick", "Mark the highlighted issue done, or open it again", "checklist", footer=True),
    Action("details", "enter", "Details", "Open the issue card", "checklist", footer=True),
    Action(
        "tick", "space", "Tick", "Mark the highlighted step or phase done, or open it again", "recovery", footer=True
    ),
    Action("close_filter", "escape", "Close filter", "Close the filter", "services", palette=False),
    Action("cursor_up", "up,k", "", "Previous row", "lists", palette=False),
    Action("cursor_down", "down,j", "", "Next row", "lists", palette=False),
    Action("first", "home,g", "", "First row", "lists", palette=False),
    Action("last", "end,G", "", "Last row", "lists", palette=False),
    Action("", "enter", "", "Services: show the tasks of the service", "lists", palette=False),
    Action("", "escape", "", "Services: close the filter; dialogs: cancel", "lists", palette=False),
    Action("read", "r", "Read", "Read the logs again", "logs", footer=True),
    Action("follow", "f", "Follow", "Follow the logs: read them again every few seconds", "logs", footer=True),
    Action("wrap", "w", "Wrap", "Wrap long lines, or cut them at the edge", "logs", footer=True),
    Action("timestamps", "t", "Times", "Show or hide the time of each line", "logs", footer=True),
)

NEEDS_AN_INCIDENT = frozenset(a.id for a in ACTIONS if a.where == "incident")
"""Actions that wait for an incident (the intake form comes first)."""

HELP_SECTIONS: tuple[tuple[str, Where], ...] = (
    ("Anywhere", "app"),
    ("Panes", "incident"),
    ("Checklist (pane 1)", "checklist"),
    ("Recovery (pane 2)", "recovery"),
    ("Lists and tables", "lists"),
    ("Logs (l)", "logs"),
)


def bindings(where: Where) -> list[Binding]:
    """The Textual bindings of the class that handles these actions."""
    return [
        Binding(a.keys, a.id, a.label, show=a.footer, priority=a.priority, tooltip=a.description, id=_binding_id(a))
        for a in ACTIONS
        if a.where == where and a.id
    ]


def _binding_id(action: Action) -> str | None:
    """An id for keymaps, for actions on one row only."""
    rows = [a for a in ACTIONS if a.id == action.id and a.where == action.where]
    return action.id if action.id and len(rows) == 1 else None


def for_palette() -> list[Action]:
    """One row per action the palette offers (pane-level and app-level), first key wins."""
    seen: set[str] = set()
    chosen = []
    for action in ACTIONS:
        if action.palette and action.where in ("app", "incident") and action.id not in seen:
            seen.add(action.id)
            chosen.append(action)
    return chosen


def keys_of(action_id: str, where: Where) -> list[str]:
    """Every key of one action, in table order."""
    return [key for a in ACTIONS if a.id == action_id and a.where == where for key in a.keys.split(",")]
