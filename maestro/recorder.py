"""The one way the screen writes to the journal: append, fold, tell whoever draws the panes.

Used on one thread only (the screen's UI thread: its workers hand their events over). Every change is
appended first, then folded into a new Incident (never mutated), then the panes are redrawn.
"""

from __future__ import annotations

from collections.abc import Callable

from maestro.events import EventKind, ItemTicked, Payload, PhaseTicked, SwarmEvent, TriageGenerated
from maestro.incident import Incident
from maestro.journal import Journal, JournalError, JournalReadOnly


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
        return self._write(lambda: bool(self.journal.append(self.incident.id, kind, payload)))

    def record_triage(self, generated: TriageGenerated) -> bool:
        """A new triage and the ticks it would otherwise drop (see Incident.ticks_carried_to), written together: a
        process killed in between never leaves the triage without the person's ticks."""
        carried = self.incident.ticks_carried_to(generated.triage)
        events: list[tuple[EventKind, Payload]] = [(EventKind.TRIAGE_GENERATED, generated)]
        events += [(EventKind.ITEM_TICKED, tick) for tick in carried]
        return self._write(lambda: bool(self.journal.append_together(self.incident.id, events)))

    def toggle(self, payload: ItemTicked | PhaseTicked) -> bool:
        """Tick an open item (or phase) or reopen a ticked one, decided by the journal at the moment of the press."""
        if isinstance(payload, ItemTicked):
            payload = self.incident.tick_on_screen(payload)
        return self._write(lambda: bool(self.journal.toggle(self.incident.id, payload)))

    def record_swarm_events(self, news: list[SwarmEvent]) -> bool:
        """Engine events, journaled once for every process following this incident (see append_swarm_events).

        While the journal cannot be written they are dropped without a word: the not-saving banner says it.
        """
        return self._write(lambda: bool(self.journal.append_swarm_events(self.incident.id, news)), quiet=True)

    def _write(self, append: Callable[[], bool], *, quiet: bool = False) -> bool:
        """`append` returns False when there was nothing to write; `quiet` says nothing while not saving."""
        try:
            if not append():
                return True
            self.incident = self.journal.refresh(self.incident)
        except JournalError as exc:
            if not (quiet and isinstance(exc, JournalReadOnly)):
                self._on_error(f"Not saved, nothing changed: {exc}")
            return False
        self._on_change()
        return True

    def record_once(self, kind: EventKind, payload: Payload, key: str) -> bool:
        """Like record, unless an event of this kind with the same `key` field is already in the journal."""
        try:
            written = self.journal.append_once(self.incident.id, kind, payload, key)
            if written is None:
                return False
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
