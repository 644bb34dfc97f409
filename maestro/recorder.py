"""The one way the screen writes to the journal: append, fold, tell whoever draws the panes.

Used on one thread only (the screen's UI thread: its workers hand their events over). Every change is
appended first, then folded into a new Incident (never mutated), then the panes are redrawn.
"""

from __future__ import annotations

from collections.abc import Callable

from maestro.events import EventKind, Payload
from maestro.incident import Incident
from maestro.journal import Journal, JournalError


class Recorder:
    def __init__(
        self,
        journal: Journal,
        incident: Incident,
        on_change: Callable[[], None],
        on_error: Callable[[str], None],
    ) -> None:
        self.journal = journal
        self.incident = incident
        """The folded incident; replaced after every journal change."""
        self._on_change = on_change
        self._on_error = on_error
        self._unreadable = False

    def record(self, kind: EventKind, payload: Payload) -> bool:
        """Append one event, fold it (and anything another process wrote meanwhile); False when not saved."""
        try:
            self.journal.append(self.incident.id, kind, payload)
            self.incident = self.journal.refresh(self.incident)
        except JournalError as exc:
            self._on_error(f"Not saved, nothing changed: {exc}")
            return False
        self._on_change()
        return True

    def catch_up(self) -> None:
        """Fold what other processes wrote since the last look; an unreadable journal is said once."""
        try:
            if not self.journal.changed():
                return
            self.incident = self.journal.refresh(self.incident)
        except JournalError as exc:
            if not self._unreadable:
                self._unreadable = True
                self._on_error(f"Journal unreadable: {exc}")
            return
        self._on_change()
