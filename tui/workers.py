"""What the thread workers run: evidence sources, the rules triage, the report export.

Heavy modules (the docker SDK, jinja2, the report renderer) are imported here inside the functions,
so the first frame never waits for them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual.worker import get_current_worker

if TYPE_CHECKING:
    from maestro.config import Config
    from maestro.incident import Incident
    from maestro.model import Evidence, IncidentContext, Triage
    from maestro.triage.claude import Progress

EvidenceSource = Callable[[], "Evidence"]
"""Returns a fresh snapshot of the system; may block (it runs in a thread) and may raise."""

T = TypeVar("T")

POLL_CANCEL_S = 0.05


class Abandoned(Exception):
    """The worker was cancelled while the call it waited for was still running."""


def demo_source(clock: Callable[[], datetime]) -> EvidenceSource:
    """The bundled swarm snapshot, as if collected now."""

    def collect() -> Evidence:
        from maestro import demo

        return demo.evidence(clock())

    return collect


def interruptible(call: Callable[[], T], on_cancel: Callable[[], None] | None = None) -> T:
    """Run a blocking call in a daemon thread and wait for it, giving up when the worker is cancelled.

    A stuck engine call then never holds up quitting: the worker returns, the daemon thread is left behind
    (after `on_cancel`, which can ask the call to stop).
    """
    worker = get_current_worker()
    done = threading.Event()
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name=f"maestro-{worker.name or 'call'}", daemon=True).start()
    while not done.wait(POLL_CANCEL_S):
        if worker.is_cancelled:
            if on_cancel is not None:
                on_cancel()
            raise Abandoned
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def rules_triage(
    context: IncidentContext, evidence: Evidence | None, now: datetime, runbook_dir: Path | None = None
) -> Triage:
    """The offline triage, with the user's runbooks (config runbook_dir) over the shipped ones.

    A broken runbook file is left out and named in the triage's notice, so the checklist says which file to fix.
    """
    from maestro.runbooks.catalog import load_catalog
    from maestro.triage.rules import triage

    catalog = load_catalog(runbook_dir, skip_broken=True) if runbook_dir is not None else None
    result = triage(context, evidence, catalog=catalog, now=now)
    if catalog is not None and catalog.problems:
        more = f" (+{len(catalog.problems) - 1} more files)" if len(catalog.problems) > 1 else ""
        skipped = f"Runbook skipped: {catalog.problems[0]}{more}"
        result = result.model_copy(update={"notice": f"{skipped}; {result.notice}" if result.notice else skipped})
    return result


@dataclass(frozen=True)
class Refinement:
    triage: Triage | None
    """The draft merged with Claude's triage; None when Claude could not help."""
    note: str
    """What changed, or why Claude could not help: one line."""


def refine_with_claude(
    config: Config,
    context: IncidentContext,
    evidence: Evidence | None,
    draft: Triage,
    on_progress: Callable[[Progress], None],
    cancel: threading.Event,
) -> Refinement | None:
    """Claude's refinement of the rules triage, or None when no API key is set (nothing is sent then).

    `cancel` stops the stream; a cancelled worker also sets it as it gives up waiting.
    """
    from maestro.triage.claude import ClaudeSettings, stream_triage
    from maestro.triage.merge import merge

    settings = ClaudeSettings.from_env(**config.claude.model_dump())
    if settings.api_key is None or not settings.api_key.get_secret_value():
        return None
    call = partial(stream_triage, settings, context, evidence, draft, on_progress=on_progress, cancel=cancel)
    result = interruptible(call, on_cancel=cancel.set)
    if not result.ok or result.triage is None:
        return Refinement(None, result.reason)
    merged, changes = merge(draft, result.triage)
    return Refinement(merged, "; ".join(changes[:3]) if changes else "Claude agrees with the rules triage")


def export_reports(incident: Incident, config: Config, folder: Path, now: datetime) -> list[Path]:
    from maestro.report import export

    return export(incident, config, folder, now=now)


def one_line(exc: BaseException) -> str:
    """A short reason for a notification: the first line of the message, or the exception's name."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
