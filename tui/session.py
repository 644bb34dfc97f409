"""What one run of the screen works on: the journal, the config, which incident, where evidence comes from.

The command hands the app a way to open it; the app opens it right after the first frame is drawn, so
the panes appear before pydantic, the journal or the config file are loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maestro.config import Config
    from maestro.journal import Journal
    from maestro.model import IncidentContext
    from tui.workers import EvidenceSource


class SessionError(Exception):
    """The session cannot be opened (bad config, unreadable journal, unknown incident): one line to show."""


@dataclass(frozen=True)
class Session:
    journal: Journal
    config: Config
    incident_id: str | None = None
    """Resume this incident; with neither this nor `new_context` the intake form asks for one."""
    new_context: IncidentContext | None = None
    """Open a new incident from this context."""
    evidence_source: EvidenceSource | None = None
    greeting: str = ""
    """Said once the incident is on screen, e.g. which incident was resumed."""


Opener = Callable[[], Session]
"""Opens the session; raises SessionError with a one-line reason."""
