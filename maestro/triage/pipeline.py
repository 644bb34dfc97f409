"""The one way maestro triages, for the command and the screen alike: rules first, then Claude when a key is set.

The rules triage always exists (offline, instant, with the config's runbooks and service aliases); Claude
refines it and is merged into it, so a Claude failure of any kind costs nothing but the refinement. The
screen journals the rules triage before Claude answers; the command waits for both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from maestro.config import Config
    from maestro.model import Evidence, IncidentContext, Triage
    from maestro.triage.claude import ClaudeSettings, Progress

AGREES = "Claude agrees with the rules triage"


def rules_triage(context: IncidentContext, evidence: Evidence | None, config: Config, now: datetime) -> Triage:
    """The offline triage, with the user's runbooks (config runbook_dir) over the shipped ones and their aliases.

    A broken runbook file is left out and named in the triage's notice (the checklist shows it), so one bad
    file never takes the shipped runbooks down with it.
    """
    from maestro.runbooks.catalog import load_catalog
    from maestro.triage import rules

    catalog = load_catalog(config.runbook_dir, skip_broken=True) if config.runbook_dir is not None else None
    triage = rules.triage(context, evidence, catalog=catalog, now=now, aliases=config.service_aliases)
    if catalog is None or not catalog.problems:
        return triage
    more = f" (+{len(catalog.problems) - 1} more files)" if len(catalog.problems) > 1 else ""
    skipped = f"Runbook skipped: {catalog.problems[0]}{more}"
    return triage.model_copy(update={"notice": f"{skipped}; {triage.notice}" if triage.notice else skipped})


def claude_settings(config: Config, env: Mapping[str, str] | None = None) -> ClaudeSettings | None:
    """How to reach Claude, or None when no API key is set (then nothing is ever sent)."""
    from maestro.triage.claude import ClaudeSettings

    settings = ClaudeSettings.from_env(env, **config.claude.model_dump())
    if settings.api_key is None or not settings.api_key.get_secret_value():
        return None
    return settings


@dataclass(frozen=True)
class Refinement:
    triage: Triage | None
    """The draft merged with Claude's triage; None when Claude could not help."""
    note: str
    """What changed, or why Claude could not help: one line."""


def refine(
    settings: ClaudeSettings,
    context: IncidentContext,
    evidence: Evidence | None,
    draft: Triage,
    on_progress: Callable[[Progress], None],
    cancel: threading.Event,
) -> Refinement:
    """Claude's refinement of the rules triage; blocking, never raises for anything Claude or the network does.

    `on_progress` is called from the calling thread; `cancel` stops the stream.
    """
    from maestro.triage.claude import stream_triage
    from maestro.triage.merge import merge

    result = stream_triage(settings, context, evidence, draft, on_progress=on_progress, cancel=cancel)
    if not result.ok or result.triage is None:
        return Refinement(None, result.reason)
    merged, changes = merge(draft, result.triage)
    return Refinement(merged, "; ".join(changes[:3]) if changes else AGREES)


@dataclass(frozen=True)
class TriageOutcome:
    triage: Triage
    """Claude's merged triage, or the rules triage when Claude was not asked or could not help."""
    claude_note: str = ""
    """What Claude changed, or why it could not help; '' when it was not asked."""
    claude_failed: bool = False


def triage(
    context: IncidentContext,
    evidence: Evidence | None,
    config: Config,
    now: datetime,
    *,
    use_claude: bool = True,
    on_progress: Callable[[Progress], None] | None = None,
    env: Mapping[str, str] | None = None,
) -> TriageOutcome:
    """Rules, then Claude when `use_claude` and a key is set; the whole triage of an incident, blocking."""
    draft = rules_triage(context, evidence, config, now)
    settings = claude_settings(config, env) if use_claude else None
    if settings is None:
        return TriageOutcome(draft)
    refinement = refine(settings, context, evidence, draft, on_progress or _ignore, threading.Event())
    if refinement.triage is None:
        return TriageOutcome(draft, refinement.note, claude_failed=True)
    return TriageOutcome(refinement.triage, refinement.note)


def _ignore(progress: Progress) -> None:
    del progress
