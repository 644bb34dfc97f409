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
    "pipeline": "maestro.triage.pipeline",
    "views": "tui.views",
    "dialogs": "tui.screens.dialogs",
    "help": "tui.screens.help",
    "intake": "tui.screens.intake",
    "issue": "tui.screens.issue",
    "logs": "tui.screens.logs",
    "tasks": "tui.screens.tasks",
}
"""Short name -> module, for everything the screen side loads after the first frame."""

if TYPE_CHECKING:
    from maestro import escalation, journal, model, recorder, report, safety
    from maestro import events as ev
    from maestro.collect import drift
    from maestro.triage import claude, claude_run, pipeline
    from tui import views
    from tui.screens import dialogs, help, intake, issue, logs, tasks

    __all__ = [
        "claude",
        "claude_run",
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
        "safety",
        "tasks",
        "views",
    ]
else:

    def __getattr__(name: str) -> object:
        if name not in MODULES:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        module = importlib.import_module(MODULES[name])
        globals()[name] = module
        return module
