"""The core as the screen reaches it: each module imported the first time it is used.

The first frame is drawn by tui.app, tui.screens.incident and the widgets alone. Whatever they need once
the session is open (pydantic models, the journal, the escalation clock, ...) is reached through this
module: `lazy.ev.NoteAdded(...)`. Import is thread-safe, so workers may use it too; type checkers see plain
imports. The screens' own dialogs load the same way through `tui.screens`.
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
    "screen_view": "maestro.screen_view",
    "root_cause": "maestro.root_cause",
}
"""Short name -> core module, for everything the screen side loads after the first frame."""

if TYPE_CHECKING:
    from maestro import escalation, journal, model, recorder, report, root_cause, safety, screen_view, status_update
    from maestro import events as ev
    from maestro.collect import drift
    from maestro.notify import channel
    from maestro.triage import claude, claude_run, pipeline

    __all__ = [
        "channel",
        "claude",
        "claude_run",
        "drift",
        "escalation",
        "ev",
        "journal",
        "model",
        "pipeline",
        "recorder",
        "report",
        "root_cause",
        "safety",
        "screen_view",
        "status_update",
    ]
else:

    def __getattr__(name: str) -> object:
        if name not in MODULES:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        module = importlib.import_module(MODULES[name])
        globals()[name] = module
        return module
