"""The incident commander: opens the session, runs the workers, and hands the incident screen what to show.

Order of every change: append to the journal, fold the new events into the in-memory incident, then
redraw the panes (the Recorder does all three). Blocking work (collecting evidence, triage, reports) runs
in thread workers that post messages back; journal writes happen on the UI thread only. The panes' own
keys and messages are handled by the incident screen.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from maestro import paths
from maestro.session import Session, SessionError, SessionRequest, open_session
from maestro.text import copyable, literal
from maestro.utc import Clock, utc_now
from tui import actions, lazy, workers
from tui import messages as msg
from tui.palette import ActionPalette
from tui.poller import Poller
from tui.screens.incident import IncidentScreen

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from maestro.collect.drift import DriftWatch
    from maestro.collect.source import EvidenceSource
    from maestro.config import Config
    from maestro.escalation import Sustained
    from maestro.events import EventKind, Payload, SwarmEvent
    from maestro.incident import Incident
    from maestro.journal import Journal
    from maestro.model import Evidence, IncidentContext, Triage
    from maestro.recorder import Recorder
    from maestro.triage.claude_run import ClaudeRun
    from tui.views import Situation
    from widgets.services import ServiceRows

JOURNAL_POLL_S = 1.0


class MaestroApp(App[None], inherit_bindings=False):
    """Resume an incident, open one from a context, or ask for one with the intake form."""

    TITLE = "maestro"
    CSS_PATH = "maestro.tcss"
    COMMANDS = {ActionPalette}
    BINDINGS = actions.bindings("app")

    def __init__(
        self,
        *,
        journal: Journal | None = None,
        config: Config | None = None,
        incident_id: str | None = None,
        evidence_source: EvidenceSource | None = None,
        clock: Clock = utc_now,
        new_context: IncidentContext | None = None,
        request: SessionRequest | None = None,
    ) -> None:
        """The session's parts (journal, config, ...), or a `request` opened right after the first frame."""
        super().__init__()
        self.clock = clock
        self.recorder: Recorder | None = None
        """Writes to the journal and holds the folded incident, once it is open."""
        self.latest: Evidence | None = None
        """The last evidence a poll returned, newer than the journaled snapshot."""
        self.latest_rows: ServiceRows | None = None
        """The service table's rows of `latest`, worked out by the poll worker."""
        self.reports_root: Path = paths.reports_dir()
        """Reports go to reports_root / incident id."""
        self.open_error = ""
        """Why the session could not be opened; the command prints it once the screen is gone."""
        self._request = request
        self._session: Session | None = None
        self._drift: DriftWatch | None = None
        self._sustained: Sustained | None = None
        """Which escalation rules have held long enough to be journaled."""
        self._claude: ClaudeRun | None = None
        """The Claude triage in flight, if any."""
        self._awaiting_evidence = False
        """The first triage saw no evidence and an engine is there: its first poll refines it."""
        self._panes_first = request is not None or incident_id is not None or new_context is not None
        """Whether the incident panes are the first screen (else the intake form asks for an incident)."""
        if request is None:
            if journal is None or config is None:
                raise TypeError("MaestroApp needs a journal and a config, or a session request")
            self._use(Session(journal, config, incident_id, new_context, evidence_source))

    @property
    def incident(self) -> Incident | None:
        """The folded incident; replaced (never mutated) after every journal change."""
        return self.recorder.incident if self.recorder else None

    # --- start ------------------------------------------------------------------

    def _use(self, session: Session) -> None:
        self._session = session
        self.journal = session.journal
        self.config = session.config
        self.engine_problem = "" if session.evidence_source else "no engine for this session"
        self.poller = Poller(
            self, session.evidence_source, session.config.poll_interval_s, self.clock, self._journal_swarm_news
        )
        """Polls the evidence source in a worker and brings the engine's events to the timeline."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast, from any screen: its text shown literally, never parsed as markup or sent raw to the
        terminal (a command, a log line or a model's words can hold `[link=...]` or escape sequences)."""
        super().notify(
            literal(message), title=literal(title, one_line=True), severity=severity, timeout=timeout, markup=False
        )

    def copy_to_clipboard(self, text: str) -> None:
        """The one way to the clipboard: the OSC 52 payload is the text alone, its control characters made
        visible, so a paste runs only what the screen showed."""
        super().copy_to_clipboard(copyable(text))

    def get_default_screen(self) -> Screen[None]:
        """The incident panes are the first frame whenever no intake form has to come first."""
        return IncidentScreen() if self._panes_first else super().get_default_screen()

    def on_mount(self) -> None:
        if self._panes_first:
            self.call_after_refresh(self._open_or_resume)
            return
        self._ask_for_an_incident()

    def _ask_for_an_incident(self) -> None:
        def answered(context: IncidentContext | None) -> None:
            if context is None:
                self.exit(message="No incident opened.")
                return
            if self.incident_screen is None:
                self.push_screen(IncidentScreen())
            self.call_after_refresh(self._open_or_resume, context)

        self.push_screen(lazy.intake.IntakeScreen(), answered)

    def _open_session(self) -> Session | None:
        """Open the requested session (once); None when it failed and the app is leaving."""
        if self._request is not None:
            try:
                self._use(open_session(self._request))
            except SessionError as exc:
                self.open_error = str(exc)
                self.exit(return_code=2)
                return None
            self._request = None
        return self._session

    def _open_or_resume(self, context: IncidentContext | None = None) -> None:
        session = self._open_session()
        if session is None:
            return
        context = context or session.new_context
        if session.incident_id is None and context is None:
            self._ask_for_an_incident()
            return
        try:
            incident_id = session.incident_id or self.journal.open_incident(context).incident_id  # type: ignore[arg-type]
            incident = self.journal.incident(incident_id)
        except lazy.journal.JournalError as exc:
            self.exit(return_code=1, message=f"maestro-tui: {exc}")
            return
        self.recorder = lazy.recorder.Recorder(self.journal, incident, self.redraw, self._say_error)
        self._drift = lazy.drift.DriftWatch()
        self._sustained = lazy.escalation.Sustained()
        self.sub_title = incident.id
        if screen := self.incident_screen:
            engine = self.poller.engine
            screen.attach(self.recorder, self.clock, engine.logs if engine is not None else None)
            screen.reports_folder = self._reports_folder()
        if incident.triage is None:
            self._first_triage(incident)
        else:
            self.redraw()
            self._journal_rule_firings()
            self.poller.start()
        self.set_interval(JOURNAL_POLL_S, self._each_second)
        if session.greeting:
            self.notify(session.greeting, markup=False)

    def _first_triage(self, incident: Incident) -> None:
        """The rules triage of what is known now (the description, any journaled evidence) comes first.

        The engine is read only once it is on screen; its first evidence then refines it, and Claude is asked
        about the triage that saw the evidence (or about this one when there is no engine to wait for).
        """
        self._awaiting_evidence = self.poller.source is not None and incident.evidence is None
        self.redraw("clock")
        work = partial(
            workers.triage_now, self.post_message, incident.evidence, incident, self.config, self.clock, "",
            refine=not self._awaiting_evidence,
        )  # fmt: skip
        self._in_worker(work, "triage", "rules triage")

    def _triage_with(self, evidence: Evidence, summary: str) -> None:
        """The rules triage again with this evidence (no new poll); Claude is asked about the result."""
        if (incident := self.incident) is None:
            return
        work = partial(
            workers.triage_now, self.post_message, evidence, incident, self.config, self.clock, summary, refine=True
        )
        self._in_worker(work, "triage", "rules triage")

    # --- the view ---------------------------------------------------------------

    @property
    def incident_screen(self) -> IncidentScreen | None:
        """The incident screen, while the app runs (timers and messages can outlive it at shutdown)."""
        if not self.is_running:
            return None
        return next((s for s in self.screen_stack if isinstance(s, IncidentScreen)), None)

    def situation(self) -> Situation | None:
        """What the panes are drawn from now."""
        if self.incident is None:
            return None
        has_engine = self.poller.source is not None
        not_saving = str(self.journal.not_saving or "")
        return lazy.views.Situation(
            self.incident, self.config, self.clock(), self.latest, self.engine_problem, has_engine, self._claude,
            not_saving, self.latest_rows,
        )  # fmt: skip

    def redraw(self, *parts: str) -> None:
        """Redraw the incident screen: every pane, or only `parts` (checklist, services, clock)."""
        screen, situation = self.incident_screen, self.situation()
        if screen is None or situation is None:
            return
        if not parts:
            screen.show(situation)
        for part in parts:
            getattr(screen, f"show_{part}")(situation)

    def _each_second(self) -> None:
        """Pick up other processes' events, retry saving, journal the escalation rules that fired, move the clocks."""
        if self.recorder is not None:
            self.journal.retry_writable()
            self.recorder.catch_up()
            self._journal_rule_firings()
            self.redraw("clock")

    def _journal_rule_firings(self) -> None:
        """Each rule once it has held for a while, once per incident, whichever process sees it first."""
        situation = self.situation()
        if situation is not None and self.recorder is not None and self._sustained is not None:
            sustained = self._sustained.update(situation.advice.fired, situation.now)
            lazy.escalation.record_firings(self.recorder.record_once, situation.incident, sustained)

    def _say_error(self, text: str) -> None:
        self.notify(text, severity="error", timeout=10, markup=False)
        self.redraw("clock")

    def record(self, kind: EventKind, payload: Payload) -> bool:
        """Record through the session's recorder (for the workers' results and the engine's events)."""
        return self.recorder is not None and self.recorder.record(kind, payload)

    # --- actions ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Triage waits for an incident; escape cancels Claude only while it streams and nothing else wants
        escape (a dialog, the filter)."""
        if action == "cancel_claude":
            return self.claude_streaming and self.screen is self.incident_screen and not isinstance(self.focused, Input)
        return self.incident is not None or action not in actions.NEEDS_AN_INCIDENT

    @property
    def claude_streaming(self) -> bool:
        return self._claude is not None and self._claude.on_screen

    def palette_offers(self, action: actions.Action) -> bool:
        if action.id == "cancel_claude":
            return self.claude_streaming
        return self.incident is not None or action.id not in actions.NEEDS_AN_INCIDENT

    def action_help(self) -> None:
        if not isinstance(self.screen, lazy.help.HelpScreen):
            self.push_screen(lazy.help.HelpScreen())

    def action_triage(self) -> None:
        self.notify("Running the triage again...", markup=False)
        self.run_triage("run again by hand")

    def action_request_quit(self) -> None:
        if isinstance(self.screen, lazy.dialogs.QuitDialog):
            return
        incident = self.incident
        if incident is None or incident.exported:
            self.exit()
            return

        def answered(export: bool | None) -> None:
            if export is None:
                return
            if export and (screen := self.incident_screen) is not None:
                screen.action_export(then_quit=True)
            else:
                self.exit()

        self.push_screen(lazy.dialogs.QuitDialog(str(self._reports_folder())), answered)

    def _in_worker(self, work: Callable[[], None], group: str, description: str) -> None:
        """One operation at a time per group, in a thread; its failure is said, never raised."""
        self.run_worker(work, thread=True, exclusive=True, exit_on_error=False, group=group, description=description)

    def _reports_folder(self) -> Path:
        assert self.incident is not None
        return self.reports_root / self.incident.id

    # --- workers --------------------------------------------------------------------

    def run_triage(self, summary: str) -> None:
        """Fresh evidence and the rules triage, in a worker; the result is journaled on the UI thread."""
        if (incident := self.incident) is None:
            return
        fallback = self.latest or incident.evidence
        work = partial(
            workers.collect_and_triage, self.post_message, self.poller.source, fallback, incident, self.config,
            self.clock, summary,
        )  # fmt: skip
        self._in_worker(work, "triage", "rules triage")

    def _start_claude(self, draft: Triage, evidence: Evidence | None) -> None:
        """Ask Claude to refine this triage (when a key is set); a run for an older one is stopped first."""
        if self._claude is not None:
            self._claude.cancel.set()
            self._claude = None
        settings = lazy.pipeline.claude_settings(self.config) if self._session and self._session.use_claude else None
        if settings is None or self.incident is None:
            return
        self._claude = run = lazy.claude_run.ClaudeRun()
        work = partial(workers.ask_claude, self.post_message, run, settings, self.incident, evidence, draft)
        self._in_worker(work, "claude", "Claude triage")

    def on_triage_ready(self, message: msg.TriageReady) -> None:
        self.call_after_refresh(self.poller.start)  # once the first triage is on screen; then a no-op
        journaled = self.incident.evidence if self.incident else None
        fresh = message.evidence is not None and message.evidence != journaled
        if fresh and not self.record(
            lazy.ev.EventKind.EVIDENCE_CAPTURED, lazy.ev.EvidenceCaptured(evidence=message.evidence)
        ):
            return
        generated = lazy.ev.TriageGenerated(triage=message.triage, summary=message.summary)
        if self.recorder is not None and self.recorder.record_triage(generated) and message.refine:
            self._start_claude(message.triage, message.evidence)

    def on_claude_progress(self, message: msg.ClaudeProgress) -> None:
        if message.run is not self._claude or message.run.cancel.is_set():
            return
        appeared = message.run.progress is None
        message.run.progress = message.progress
        if appeared:
            self.refresh_bindings()
        self.redraw("checklist", "clock")

    def on_claude_answered(self, message: msg.ClaudeAnswered) -> None:
        """Merged: journaled with the short diff; failed: one line on screen and in the timeline."""
        if message.run is not self._claude:
            return
        self._claude = None
        self.refresh_bindings()
        refinement = message.refinement
        if refinement.triage is None:
            self.notify(refinement.note, title="Claude triage", severity="warning", timeout=10, markup=False)
            self.record(lazy.ev.EventKind.TRIAGE_FAILED, lazy.ev.TriageFailed(engine="claude", reason=refinement.note))
        elif self.recorder is not None and self.recorder.record_triage(
            lazy.ev.TriageGenerated(triage=refinement.triage, summary=refinement.note)
        ):
            self.notify(refinement.note, title="Claude triage merged", markup=False)
        self.redraw("checklist", "clock")

    def action_cancel_claude(self) -> None:
        """A person's choice: the stream stops, the rules triage stays, the timeline says so."""
        run = self._claude
        if run is None:
            return
        self._claude = None
        run.cancel.set()
        self.workers.cancel_group(self, "claude")
        self.refresh_bindings()
        self.notify(lazy.claude.CANCELLED, title="Claude triage", markup=False)
        if not self.record(
            lazy.ev.EventKind.TRIAGE_FAILED, lazy.ev.TriageFailed(engine="claude", reason=lazy.claude.CANCELLED)
        ):
            self.redraw("checklist", "clock")

    def on_triage_failed(self, message: msg.TriageFailed) -> None:
        self.notify(f"{message.engine} triage failed: {message.reason}", severity="error", timeout=10, markup=False)
        self.record(lazy.ev.EventKind.TRIAGE_FAILED, lazy.ev.TriageFailed(engine=message.engine, reason=message.reason))
        self.call_after_refresh(self.poller.start)

    def on_evidence_polled(self, message: msg.EvidencePolled) -> None:
        awaited, self._awaiting_evidence = self._awaiting_evidence, False
        if message.evidence is not None:
            self.latest, self.latest_rows = message.evidence, message.rows
            self.engine_problem = ""
            if awaited:
                self._triage_with(message.evidence, "with the engine's first evidence")
            else:
                self._tell_drift(message.evidence)
        else:
            self.engine_problem = message.problem or "the engine did not answer"
            if awaited and message.unusable is not None:
                self._triage_with(message.unusable, "the engine could not be read")
            elif awaited and self.incident is not None and self.incident.triage is not None:
                self._start_claude(self.incident.triage, None)
        self.redraw("services", "clock")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR:
            failed = f"{worker.description or worker.name} failed: {worker.error}"
            self.notify(failed, severity="error", timeout=10, markup=False)

    def _tell_drift(self, latest: Evidence) -> None:
        """Say when the latest signals drift from the ones the triage saw; `t` runs the triage again."""
        incident = self.incident
        drift = self._drift.update(incident.evidence, latest) if self._drift and incident and incident.triage else ""
        if drift:
            self.notify(drift, title="Evidence changed", timeout=20, markup=False)

    def _journal_swarm_news(self, news: list[SwarmEvent]) -> None:
        """Engine events, already throttled, become timeline entries (once, whichever process hears them)."""
        if self.recorder is not None:
            self.recorder.record_swarm_events(news)

    def on_unmount(self) -> None:
        if self._session is not None:
            self.poller.stop()
        if self._claude is not None:
            self._claude.cancel.set()
