"""Messages the thread workers post back to the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from textual.message import Message

from maestro.model import Evidence, Triage


@dataclass
class TriageReady(Message):
    triage: Triage
    evidence: Evidence | None
    summary: str = ""
    refine: bool = False
    """Ask Claude to refine it once it is journaled."""


@dataclass
class RefineProgress(Message):
    """What the Claude triage is doing; empty when it is over."""

    line: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RefineProgress)


@dataclass
class TriageFailed(Message):
    engine: str
    reason: str


@dataclass
class EvidencePolled(Message):
    """A poll of the evidence source; `problem` is set when the engine could not be read."""

    evidence: Evidence | None
    problem: str = ""

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
