"""Messages the thread workers post back to the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from maestro.model import Evidence, Triage
    from maestro.pane_views import ServiceRows
    from maestro.triage.claude import Progress
    from maestro.triage.claude_run import ClaudeRun
    from maestro.triage.pipeline import Refinement


@dataclass
class TriageReady(Message):
    triage: Triage
    evidence: Evidence | None
    summary: str = ""
    refine: bool = False
    """Ask Claude to refine it once it is journaled."""


@dataclass
class ClaudeProgress(Message):
    """What one Claude triage is doing; a burst of reports keeps only the newest."""

    run: ClaudeRun
    progress: Progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ClaudeProgress) and message.run is self.run


@dataclass
class ClaudeAnswered(Message):
    """One Claude triage is over: merged, failed, or None when no API key is set."""

    run: ClaudeRun
    refinement: Refinement | None


@dataclass
class TriageFailed(Message):
    engine: str
    reason: str


@dataclass
class EvidencePolled(Message):
    """A poll of the evidence source; `problem` is set when the engine could not be read."""

    evidence: Evidence | None
    problem: str = ""
    rows: ServiceRows | None = None
    """The service table's rows for `evidence`, worked out in the worker."""
    unusable: Evidence | None = None
    """The poll's evidence when it could not see the swarm: it says why (a signal the triage reads)."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, EvidencePolled)


@dataclass
class ReportsExported(Message):
    folder: Path
    files: list[Path] = field(default_factory=list)
    then_quit: bool = False


@dataclass
class ReportsFailed(Message):
    reason: str


@dataclass
class NotificationsSent(Message):
    """A send is over: one line per channel (`ok` when every channel took it)."""

    title: str
    lines: tuple[str, ...]
    ok: bool
