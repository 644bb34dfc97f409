"""One Claude triage in flight: what the screen says about it, and the event that stops it.

Lives on the UI thread; the worker only reads `cancel`. Nothing here imports the Claude engine:
the stages are compared by their values, so this module costs nothing at start.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maestro.triage.claude import Progress

TITLES_SHOWN = 3
NOTICE_HEAD = "Claude is refining the triage"
CANCEL_HINT = "(esc cancels)"


@dataclass(eq=False)
class ClaudeRun:
    cancel: threading.Event = field(default_factory=threading.Event)
    """Set when the person cancels, when a new triage replaces this one, or when the app exits."""
    progress: Progress | None = None
    """The stream's last report; None until the request is on its way (never, without an API key)."""

    @property
    def on_screen(self) -> bool:
        return self.progress is not None and not self.cancel.is_set()

    def notice(self) -> str:
        """The checklist's notice line: the stage, the titles found so far, how to cancel."""
        progress = self.progress
        if progress is None:
            return ""
        titles = list(progress.titles[-TITLES_SHOWN:])
        if len(progress.titles) > TITLES_SHOWN:
            titles.insert(0, "…")
        found = f"{_issues(progress.issues)} so far: {' · '.join(titles)}" if titles else ""
        match progress.stage.value:
            case "retrying":
                what = progress.detail or "retrying"
            case "repairing":
                what = "the answer did not fit, asking once more" + (f"; {found}" if found else "")
            case "receiving":
                what = found or "receiving"
            case _:
                what = "waiting for the answer"
        return f"{NOTICE_HEAD}: {what} {CANCEL_HINT}"

    def engine(self, *, short: bool = False) -> str:
        """The header's engine field: `claude: 3 issues so far…`, or `claude 3…` when short."""
        progress = self.progress
        if progress is None:
            return ""
        if progress.issues:
            return f"claude {progress.issues}…" if short else f"claude: {_issues(progress.issues)} so far…"
        word = {"retrying": "retrying", "repairing": "asking again"}.get(progress.stage.value, "waiting")
        return "claude…" if short else f"claude: {word}…"


def _issues(n: int) -> str:
    return f"{n} issue{'s' * (n != 1)}"
