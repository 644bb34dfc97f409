"""The screens and dialogs of the incident commander.

Only the incident screen is part of the first frame; every other screen is imported the first time it is
used (`screens.dialogs.ConfirmDialog(...)`), so a dialog's widgets load when a person first opens one.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

LATER = ("conditions", "dialogs", "help", "intake", "issue", "logs", "status_update", "tasks")
"""The screens loaded on first use."""

if TYPE_CHECKING:
    from tui.screens import conditions, dialogs, help, intake, issue, logs, status_update, tasks

    __all__ = ["conditions", "dialogs", "help", "intake", "issue", "logs", "status_update", "tasks"]
else:

    def __getattr__(name: str) -> object:
        if name not in LATER:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return importlib.import_module(f"{__name__}.{name}")
