"""The one seam between the first frame and everything after it.

The first frame is drawn by tui.app, tui.screens.incident and the widgets alone. Whatever they need once
the session is open (pydantic models, the journal, the escalation clock, the dialogs, ...) is reached
through this module: `lazy.ev.NoteAdded(...)`, `lazy.dialogs.TextPrompt(...)`. Each name is imported the
first time it is used (import is thread-safe, so workers may use it too); type checkers see plain imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

MODULES = {
    "ev": "maestro.events",
    "escalation": "maestro.escalation",
    "journal": "maestro.journal",
    "model": "maestro.model",
    "safety": "maestro.safety",
    "recorder": "maestro.recorder",
    "report": "maestro.report",
    "drift": "maestro.collect.drift",
    "claude": "maestro.triage.claude",
    "claude_run": "maestro.triage.claude_run",
    "channel": "maestro.notify.channel",
    "status_update": "maestro.status_update",
    "pipeline": "maestro.triage.pipeline",
    "views": "tui.views",
    "dialogs": "tui.screens.dialogs",
    "help": "tui.screens.help",
    "intake": "tui.screens.intake",
    "issue": "tui.screens.issue",
    "logs": "tui.screens.logs",
    "tasks": "tui.screens.tasks",
    "update_dialog": "tui.screens.status_update",
    "conditions": "tui.screens.conditions",
    "root_cause": "maestro.root_cause",
}
"""Short name -> module, for everything the screen side loads after the first frame."""

if TYPE_CHECKING:
    from maestro import escalation, journal, model, recorder, report, root_cause, safety, status_update
    from maestro import events as ev
    from maestro.collect import drift
    from maestro.notify import channel
    from maestro.triage import claude, claude_run, pipeline
    from tui import views
    from tui.screens import conditions, dialogs, help, intake, issue, logs, tasks
    from tui.screens import status_update as update_dialog

    __all__ = [
        "channel",
        "claude",
        "claude_run",
        "conditions",
        "dialogs",
        "drift",
        "escalation",
        "ev",
        "help",
        "intake",
        "issue",
        "journal",
        "logs",
        "model",
        "pipeline",
        "recorder",
        "report",
        "root_cause",
        "safety",
        "status_update",
        "tasks",
        "update_dialog",
        "views",
    ]
else:

    def __getattr__(name: str) -> object:
        if name not in MODULES:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        module = importlib.import_module(MODULES[name])
        globals()[name] = module
        return module
