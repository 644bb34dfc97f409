"""What the app's thread workers run, and how they wait on a blocking call without holding up quitting."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual.message import Message
from textual.worker import get_current_worker

from maestro import lazy
from maestro.utc import Clock
from tui import messages as msg

if TYPE_CHECKING:
    from maestro.collect.source import EvidenceSource
    from maestro.config import Config
    from maestro.events import EventKind, Payload
    from maestro.incident import Incident
    from maestro.model import Evidence, Triage
    from maestro.notify.send import Delivery
    from maestro.triage.claude import ClaudeSettings, Progress
    from maestro.triage.claude_run import ClaudeRun

T = TypeVar("T")
Post = Callable[[Message], object]
"""The app's post_message: safe from any thread."""
Record = Callable[["EventKind", "Payload"], bool]
"""Journals one event on the UI thread and says whether it was saved."""

POLL_CANCEL_S = 0.05


class Abandoned(Exception):
    """The worker was cancelled while the call it waited for was still running."""


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


def one_line(exc: BaseException) -> str:
    """A short reason for a notification: the first line of the message, or the exception's name."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# --- what the app's thread workers run: each posts its outcome back as a message ------------------------------
# They reach the core through maestro.lazy: they run after the first frame, in a thread.


def collect_and_triage(
    post: Post,
    source: EvidenceSource | None,
    fallback: Evidence | None,
    incident: Incident,
    config: Config,
    clock: Clock,
    summary: str,
) -> None:
    """Collect fresh evidence (else use `fallback`) and run the rules triage; the app journals the result."""
    evidence = None
    if source is not None:
        try:
            evidence = interruptible(source)
        except Abandoned:
            return
        except Exception as exc:
            post(msg.EvidencePolled(None, one_line(exc)))
    triage_now(post, evidence or fallback, incident, config, clock, summary, refine=True)


def triage_now(
    post: Post,
    evidence: Evidence | None,
    incident: Incident,
    config: Config,
    clock: Clock,
    summary: str,
    *,
    refine: bool,
) -> None:
    """The rules triage of what is known now; `refine` asks for Claude once the screen has journaled it."""
    try:
        triage = lazy.pipeline.rules_triage(incident.context, evidence, config, clock())
    except Exception as exc:
        post(msg.TriageFailed("rules", one_line(exc)))
        return
    post(msg.TriageReady(triage, evidence, summary, refine=refine))


def ask_claude(
    post: Post, run: ClaudeRun, settings: ClaudeSettings, incident: Incident, evidence: Evidence | None, draft: Triage
) -> None:
    """Claude refines the rules triage; its progress and its answer go back to the app."""

    def progress(update: Progress) -> None:
        post(msg.ClaudeProgress(run, update))

    call = partial(lazy.pipeline.refine, settings, incident.context, evidence, draft, progress, run.cancel)
    try:
        refinement = interruptible(call, on_cancel=run.cancel.set)
    except Abandoned:
        return
    post(msg.ClaudeAnswered(run, refinement))


def export_reports(
    post: Post, record: Record, incident: Incident, config: Config, folder: Path, now: datetime, then_quit: bool
) -> None:
    """Write the reports here; `record` journals them (on the UI thread), as the command records them."""
    recorded: list[bool] = []
    try:
        files = lazy.report.export_and_record(
            incident, config, folder, now=now, record=lambda kind, payload: recorded.append(record(kind, payload))
        )
    except Exception as exc:
        post(msg.ReportsFailed(one_line(exc)))
        return
    if all(recorded):
        post(msg.ReportsExported(folder, files, then_quit))


def send_notifications(post: Post, record: Record, title: str, send: Callable[[Record], list[Delivery]]) -> None:
    """Run one notifying operation (bounded by each channel's timeout and retries); `record` journals on the UI
    thread as it goes. What happened comes back as one line per channel."""
    try:
        deliveries = interruptible(lambda: send(record))
    except Abandoned:
        return
    except Exception as exc:
        post(msg.NotificationsSent(title, (f"not sent: {one_line(exc)}",), ok=False))
        return
    if deliveries:
        post(msg.NotificationsSent(title, tuple(d.line() for d in deliveries), all(d.ok for d in deliveries)))
