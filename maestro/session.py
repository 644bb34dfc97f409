"""What one run of the screen works on: the journal, the config, which incident, where evidence comes from.

The command describes the session it wants (`SessionRequest`, plain values, cheap to make); the screen
opens it with `open_session` right after its first frame is drawn, so the panes appear before pydantic,
the journal or the config file are loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from maestro import paths
from maestro.text import literal
from maestro.utc import utc_now

if TYPE_CHECKING:
    from maestro.collect.source import EvidenceSource
    from maestro.config import Config
    from maestro.incident_ahead import IncidentAhead
    from maestro.journal import Journal
    from maestro.model import IncidentContext

_T = TypeVar("_T")


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
    use_claude: bool = True
    """Ask Claude to refine every rules triage when an API key is set."""
    opened_ahead: bool = False
    """The incident was opened and triaged by this run's second process (maestro.incident_ahead): its first
    triage is followed up as one made here (refined by the first evidence, asked of Claude)."""


@dataclass(frozen=True)
class SessionRequest:
    """The session the person asked for on the command line."""

    config_path: Path | None = None
    journal_path: Path | None = None
    description: str | None = None
    """Open a new incident about this."""
    when: str | None = None
    """When the new incident began, as the person said it ("14:05", "20 minutes ago")."""
    incident: str | None = None
    """Resume this incident (an id prefix is enough)."""
    demo: bool = False
    docker_host: str | None = None
    use_docker: bool = True
    use_claude: bool = True
    actor: str | None = None
    """`--as NAME`: who acts, over the config's responder and the login."""
    ahead: IncidentAhead | None = None
    """The new incident, being opened and triaged in a second process started before the screen loaded."""
    opened_ahead: bool = False
    """`incident` is the one that second process opened."""


def guarded(errors: tuple[type[Exception], ...], action: Callable[[], _T]) -> _T:
    """Run `action`; the errors a person can fix become a SessionError with their one-line message."""
    try:
        return action()
    except errors as exc:
        raise SessionError(str(exc)) from None


def load_config(explicit: Path | None) -> Config:
    from maestro import config
    from maestro.config import ConfigError

    path = paths.config_path(explicit)
    return guarded((ConfigError,), lambda: config.load(path, required=explicit is not None))


def open_journal(explicit: Path | None, *, demo: bool = False, name: str | None = None) -> Journal:
    """The journal, writing as `name@host` (see default_actor: without a name, the login behind the account)."""
    from maestro.journal import Journal, JournalError, default_actor

    path = explicit or paths.journal_path(None, demo=demo)
    return guarded((JournalError,), lambda: Journal.open(path, actor=default_actor(name=name)))


def open_session(request: SessionRequest) -> Session:
    """Open what the request asks for; raises SessionError with a one-line reason."""
    from maestro.collect.source import SwarmSource, demo_source
    from maestro.journal import JournalError
    from maestro.model import IncidentContext

    config = load_config(request.config_path)
    journal = open_journal(request.journal_path, demo=request.demo, name=request.actor or config.responder)
    incident_id: str | None = None
    new_context: IncidentContext | None = None
    greeting = ""
    source: EvidenceSource | None
    if request.demo:
        source = demo_source(utc_now)
    else:
        source = SwarmSource(request.docker_host or config.docker_host) if request.use_docker else None
    if request.incident:
        incident_id = guarded((JournalError,), lambda: journal.resolve_id(request.incident or ""))
    elif request.demo:
        from maestro import demo

        latest = journal.latest_open()
        if latest is None:
            new_context = demo.CONTEXT
        else:
            incident_id = latest.id
    elif request.description:
        new_context = IncidentContext(description=request.description.strip(), when=request.when or "")
    else:
        latest = journal.latest_open()
        if latest is not None:
            greeting = f"Resumed {latest.id}: {literal(latest.description, one_line=True)}"
            incident_id = latest.id
    opened_ahead = request.opened_ahead and incident_id is not None
    return Session(journal, config, incident_id, new_context, source, greeting, request.use_claude, opened_ahead)
