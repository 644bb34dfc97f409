"""The incident's long operations, run by the incident screen: the triage (rules, then Claude) and the export.

A part of IncidentScreen: the workers post back to the screen, which records through its recorder, so
a description's walk from the command to the reports crosses the app only where the app opens the session.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.widgets import Input

from tui import lazy, workers
from tui import messages as msg

if TYPE_CHECKING:
    from textual.screen import Screen

    from maestro.collect.source import EvidenceSource
    from maestro.model import Evidence, Triage
    from maestro.recorder import Recorder
    from maestro.triage.claude_run import ClaudeRun
    from maestro.utc import Clock
    from tui.views import Situation

    _Screen = Screen[None]
else:
    _Screen = object


@dataclass(frozen=True)
class WorkSetup:
    """What the operations need from the session, handed over when it is open."""

    source: EvidenceSource | None
    """Where fresh evidence comes from; None without an engine."""
    reports_folder: Path
    use_claude: bool = True


class IncidentWork(_Screen):
    recorder: Recorder | None
    situation: Situation | None
    claude: ClaudeRun | None = None
    """The Claude triage in flight, if any."""
    work_setup: WorkSetup | None = None
    _clock: Clock | None

    # --- the triage -------------------------------------------------------------------------------------------

    @property
    def claude_streaming(self) -> bool:
        return self.claude is not None and self.claude.on_screen

    def claude_cancellable(self) -> bool:
        """Escape cancels Claude while it streams and nothing else wants escape (a dialog, the filter)."""
        return self.claude_streaming and self.app.screen is self and not isinstance(self.app.focused, Input)

    def action_triage(self) -> None:
        self.notify("Running the triage again...")
        self.run_triage("run again by hand")

    def run_triage(self, summary: str) -> None:
        """Fresh evidence and the rules triage, in a worker; the result is journaled on the UI thread."""
        setup, situation = self.work_setup, self.situation
        if setup is None or situation is None or self._clock is None:
            return
        work = partial(
            workers.collect_and_triage, self.post_message, setup.source, situation.evidence, situation.incident,
            situation.config, self._clock, summary,
        )  # fmt: skip
        self.run_worker(
            work, thread=True, exclusive=True, exit_on_error=False, group="triage", description="rules triage"
        )

    def on_triage_ready(self, message: msg.TriageReady) -> None:
        message.stop()
        if self.recorder is None:
            return
        fresh = message.evidence is not None and message.evidence != self.recorder.incident.evidence
        if fresh and not self._record(
            lazy.ev.EventKind.EVIDENCE_CAPTURED, lazy.ev.EvidenceCaptured(evidence=message.evidence)
        ):
            return
        generated = lazy.ev.TriageGenerated(triage=message.triage, summary=message.summary)
        if self._record(lazy.ev.EventKind.TRIAGE_GENERATED, generated) and message.refine:
            self._start_claude(message.triage, message.evidence)

    def on_triage_failed(self, message: msg.TriageFailed) -> None:
        message.stop()
        self.notify(f"{message.engine} triage failed: {message.reason}", severity="error", timeout=10)
        failed = lazy.ev.TriageFailed(engine=message.engine, reason=message.reason)
        self._record(lazy.ev.EventKind.TRIAGE_FAILED, failed)

    def _start_claude(self, draft: Triage, evidence: Evidence | None) -> None:
        """Ask Claude to refine this triage (when a key is set); a run for an older one is stopped first."""
        if self.claude is not None:
            self.claude.cancel.set()
            self.claude = None
        setup, situation = self.work_setup, self.situation
        if setup is None or situation is None or not setup.use_claude or self.recorder is None:
            return
        settings = lazy.pipeline.claude_settings(situation.config)
        if settings is None:
            return
        self.claude = run = lazy.claude_run.ClaudeRun()
        work = partial(workers.ask_claude, self.post_message, run, settings, self.recorder.incident, evidence, draft)
        self.run_worker(
            work, thread=True, exclusive=True, exit_on_error=False, group="claude", description="Claude triage"
        )

    def on_claude_progress(self, message: msg.ClaudeProgress) -> None:
        message.stop()
        if message.run is not self.claude or message.run.cancel.is_set():
            return
        appeared = message.run.progress is None
        message.run.progress = message.progress
        if appeared:
            self.app.refresh_bindings()
        self._show_claude()

    def on_claude_answered(self, message: msg.ClaudeAnswered) -> None:
        """Merged: journaled with the short diff; failed: one line on screen and in the timeline."""
        message.stop()
        if message.run is not self.claude:
            return
        self.claude = None
        self.app.refresh_bindings()
        refinement = message.refinement
        if refinement.triage is None:
            self.notify(refinement.note, title="Claude triage", severity="warning", timeout=10, markup=False)
            self._record(lazy.ev.EventKind.TRIAGE_FAILED, lazy.ev.TriageFailed(engine="claude", reason=refinement.note))
        elif self._record(
            lazy.ev.EventKind.TRIAGE_GENERATED,
            lazy.ev.TriageGenerated(triage=refinement.triage, summary=refinement.note),
        ):
            self.notify(refinement.note, title="Claude triage merged", markup=False)
        self._show_claude()

    def action_cancel_claude(self) -> None:
        """A person's choice: the stream stops, the rules triage stays, the timeline says so."""
        run = self.claude
        if run is None:
            return
        self.claude = None
        run.cancel.set()
        self.workers.cancel_group(self, "claude")
        self.app.refresh_bindings()
        self.notify(lazy.claude.CANCELLED, title="Claude triage")
        reason = lazy.claude.CANCELLED
        if not self._record(lazy.ev.EventKind.TRIAGE_FAILED, lazy.ev.TriageFailed(engine="claude", reason=reason)):
            self._show_claude()

    def _show_claude(self) -> None:
        """Redraw what shows Claude's progress: the checklist's notice and the header."""
        if self.situation is not None:
            situation = replace(self.situation, claude=self.claude)
            self.show_checklist(situation)
            self.show_clock(situation)

    # --- the export -------------------------------------------------------------------------------------------

    @property
    def reports_folder(self) -> Path | None:
        return self.work_setup.reports_folder if self.work_setup else None

    def action_export(self) -> None:
        if self.reports_folder is not None:
            self.notify(f"Exporting the reports to {self.reports_folder} ...")
            self.run_export(then_quit=False)

    def run_export(self, then_quit: bool) -> None:
        """Write the reports in a worker; the journal records them here, on the UI thread, as the command does."""
        folder, situation = self.reports_folder, self.situation
        if folder is None or situation is None or self.recorder is None or self._clock is None:
            return
        record = partial(self.app.call_from_thread, self._record)
        work = partial(
            workers.export_reports, self.post_message, record, self.recorder.incident, situation.config, folder,
            self._clock(), then_quit,
        )  # fmt: skip
        self.run_worker(
            work, thread=True, exclusive=True, exit_on_error=False, group="export", description="export reports"
        )

    def on_reports_exported(self, message: msg.ReportsExported) -> None:
        message.stop()
        if message.then_quit:
            self.app.exit(message=f"Reports exported to {message.folder}")
            return
        listing = "\n".join(path.name for path in message.files)
        viewer = lazy.dialogs.TextViewer(f"Reports exported to {message.folder}", f"{message.folder}\n\n{listing}")
        self.app.push_screen(viewer)

    def on_reports_failed(self, message: msg.ReportsFailed) -> None:
        message.stop()
        self.notify(f"Export failed, nothing written to the journal: {message.reason}", severity="error", timeout=10)

    def stop_work(self) -> None:
        """The app is leaving: a Claude stream still open is told to stop."""
        if self.claude is not None:
            self.claude.cancel.set()
