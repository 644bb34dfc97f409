"""The incident screen's live side: it keeps one open incident current and says when to redraw.

Once the app has opened the session it hands this screen the incident, and everything after runs here:
the rules triage of the description, its refinement by the engine's first evidence and by Claude, the
polls, the engine's events, the escalation rules, and the quit that offers the reports. Order of every
change: append to the journal, fold the new events into the in-memory incident, then redraw (the
Recorder does all three). Blocking work runs in thread workers that post messages back to this screen;
journal writes happen on the UI thread only.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from maestro import lazy
from maestro.utc import Clock, utc_now
from tui import messages as msg
from tui import screens, workers
from tui.poller import Poller

if TYPE_CHECKING:
    from maestro.collect.drift import DriftWatch
    from maestro.escalation import Sustained
    from maestro.events import EventKind, Payload, SwarmEvent
    from maestro.incident import Incident
    from maestro.model import Evidence, Triage
    from maestro.pane_views import ServiceRows
    from maestro.recorder import Recorder
    from maestro.screen_view import Scene
    from maestro.session import Session
    from maestro.triage.claude_run import ClaudeRun

JOURNAL_POLL_S = 1.0


class IncidentSession(Screen[None]):
    """A screen that keeps an incident current; the incident screen draws it (`show`, `show_<part>`)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session: Session | None = None
        self.recorder: Recorder | None = None
        """Writes to the journal and holds the folded incident, once it is open."""
        self.clock: Clock = utc_now
        self.poller: Poller | None = None
        """Polls the evidence source in a worker and brings the engine's events to the timeline."""
        self.latest: Evidence | None = None
        """The last evidence a poll returned, newer than the journaled snapshot."""
        self.latest_rows: ServiceRows | None = None
        """The service table's rows of `latest`, worked out by the poll worker."""
        self.engine_problem = ""
        self.reports_folder: Path | None = None
        """Where the reports go; set when the incident is known."""
        self.claude: ClaudeRun | None = None
        """The Claude triage in flight, if any."""
        self._drift: DriftWatch | None = None
        self._sustained: Sustained | None = None
        """Which escalation rules have held long enough to be journaled."""
        self._awaiting_evidence = False
        """The first triage saw no evidence and an engine is there: its first poll refines it."""
        self.memory_settled = False
        """Whether start-up's objects were moved out of the cyclic collector's way (gc.freeze)."""
        self._early_ticks: list[tuple[str, str]] = []
        """Ticks pressed on a checklist drawn before the incident was open here: journaled once it is."""

    @property
    def incident(self) -> Incident | None:
        """The folded incident; replaced (never mutated) after every journal change."""
        return self.recorder.incident if self.recorder else None

    def open(self, session: Session, incident: Incident, clock: Clock, reports_folder: Path) -> None:
        """Show this incident and keep it current: the first triage if it has none, then the polls."""
        self.session, self.clock, self.reports_folder = session, clock, reports_folder
        self.engine_problem = "" if session.evidence_source else lazy.screen_view.NO_ENGINE
        self.poller = Poller(self, session.evidence_source, session.config.poll_interval_s, clock, self._swarm_news)
        self.recorder = lazy.recorder.Recorder(session.journal, incident, self.redraw, self._say_error)
        self._drift = lazy.drift.DriftWatch()
        self._sustained = lazy.escalation.Sustained()
        for item_id, label in self._early_ticks:
            self._tick_item(item_id, label)
        self._early_ticks.clear()
        if incident.triage is None:
            self._first_triage(incident)
        else:
            self.redraw()
            self._journal_rule_firings()
            if session.opened_ahead:
                self._first_triage(incident)
            self.call_after_refresh(self.poller.start)
        self.set_interval(JOURNAL_POLL_S, self._each_second)

    # --- drawing: the incident screen implements these ------------------------------------------------------

    def show(self, scene: Scene) -> None:
        raise NotImplementedError

    def scene_now(self) -> Scene | None:
        """What the panes are drawn from now."""
        if self.session is None or (incident := self.incident) is None:
            return None
        journal = self.session.journal
        return lazy.screen_view.Scene(
            incident, self.session.config, self.clock(), self.latest, self.engine_problem,
            self.poller is not None and self.poller.source is not None, self.claude, str(journal.not_saving or ""),
            self.latest_rows,
        )  # fmt: skip

    def redraw(self, *parts: str) -> None:
        """Redraw every pane, or only `parts` (checklist, services, clock)."""
        scene = self.scene_now()
        if scene is None or not self.is_attached:
            return
        if not parts:
            self.show(scene)
        for part in parts:
            getattr(self, f"show_{part}")(scene)

    def _say_error(self, text: str) -> None:
        self.notify(text, severity="error", timeout=10, markup=False)
        self.redraw("clock")

    def _record(self, kind: EventKind, payload: Payload) -> bool:
        return self.recorder is not None and self.recorder.record(kind, payload)

    def _tick_item(self, item_id: str, label: str) -> None:
        """Tick the item if it is open, reopen it if it is ticked; pressed before the incident is open here (on
        the checklist the second process drew), once it is."""
        if self.recorder is None:
            self._early_ticks.append((item_id, label))
            return
        self.recorder.toggle(lazy.ev.ItemTicked(item=item_id, label=label))

    # --- every second ---------------------------------------------------------------------------------------

    def _each_second(self) -> None:
        """Pick up other processes' events, retry saving, journal the escalation rules that fired, move the clocks."""
        if self.recorder is not None:
            self.recorder.journal.retry_writable()
            self.recorder.catch_up()
            self._journal_rule_firings()
            self.redraw("clock")
            self._settle_memory()

    def _settle_memory(self) -> None:
        """Once the incident is triaged and the engine has answered (or there is none), what start-up made is
        kept out of the cyclic collector's way. Its full passes then walk only what came after: watching 1,000
        services, a pass over everything took ~80 ms of the UI thread every 10-20 s."""
        if self.memory_settled or (incident := self.incident) is None or incident.triage is None:
            return
        if self.poller is not None and self.poller.source is not None and self.latest is None:
            return
        gc.freeze()
        self.memory_settled = True

    def _journal_rule_firings(self) -> None:
        """Each rule once it has held for a while, once per incident, whichever process sees it first."""
        scene = self.scene_now()
        if scene is not None and self.recorder is not None and self._sustained is not None:
            sustained = self._sustained.update(scene.advice.fired, scene.now)
            lazy.escalation.record_firings(self.recorder.record_once, scene.incident, sustained)

    # --- the triage -----------------------------------------------------------------------------------------

    def _first_triage(self, incident: Incident) -> None:
        """The rules triage of what is known now (the description, any journaled evidence) comes first.

        The engine is read only once it is on screen; its first evidence then refines it, and Claude is asked
        about the triage that saw the evidence (or about this one when there is no engine to wait for). A first
        triage the second process made and journaled (maestro.incident_ahead) is followed up the same way.
        """
        assert self.poller is not None
        self._awaiting_evidence = self.poller.source is not None and incident.evidence is None
        if incident.triage is not None:
            if not self._awaiting_evidence:
                self._start_claude(incident.triage, incident.evidence)
            return
        self.redraw("clock")
        self._triage(incident.evidence, "", refine=not self._awaiting_evidence)

    def _triage(self, evidence: Evidence | None, summary: str, *, refine: bool) -> None:
        """The rules triage with this evidence (no new poll), in a worker; `refine` asks Claude about it."""
        if (incident := self.incident) is None or self.session is None:
            return
        work = partial(
            workers.triage_now, self.post_message, evidence, incident, self.session.config, self.clock, summary,
            refine=refine,
        )  # fmt: skip
        self._in_worker(work, "triage", "rules triage")

    def action_triage(self) -> None:
        """Fresh evidence and the rules triage, in a worker; the result is journaled on the UI thread."""
        if (incident := self.incident) is None or self.session is None or self.poller is None:
            return
        self.notify("Running the triage again...", markup=False)
        fallback = self.latest or incident.evidence
        work = partial(
            workers.collect_and_triage, self.post_message, self.poller.source, fallback, incident,
            self.session.config, self.clock, "run again by hand",
        )  # fmt: skip
        self._in_worker(work, "triage", "rules triage")

    def _in_worker(self, work: Callable[[], None], group: str, description: str) -> None:
        """One operation at a time per group, in a thread; its failure is said, never raised."""
        self.run_worker(work, thread=True, exclusive=True, exit_on_error=False, group=group, description=description)

    def on_triage_ready(self, message: msg.TriageReady) -> None:
        message.stop()
        if self.poller is not None:
            self.call_after_refresh(self.poller.start)  # once the first triage is on screen; then a no-op
        journaled = self.incident.evidence if self.incident else None
        fresh = message.evidence is not None and message.evidence != journaled
        if fresh and not self._record(
            lazy.ev.EventKind.EVIDENCE_CAPTURED, lazy.ev.EvidenceCaptured(evidence=message.evidence)
        ):
            return
        generated = lazy.ev.TriageGenerated(triage=message.triage, summary=message.summary)
        if self.recorder is not None and self.recorder.record_triage(generated) and message.refine:
            self._start_claude(message.triage, message.evidence)

    def on_triage_failed(self, message: msg.TriageFailed) -> None:
        message.stop()
        self.notify(f"{message.engine} triage failed: {message.reason}", severity="error", timeout=10, markup=False)
        self._record(
            lazy.ev.EventKind.TRIAGE_FAILED, lazy.ev.TriageFailed(engine=message.engine, reason=message.reason)
        )
        if self.poller is not None:
            self.call_after_refresh(self.poller.start)

    # --- Claude ---------------------------------------------------------------------------------------------

    @property
    def claude_streaming(self) -> bool:
        return self.claude is not None and self.claude.on_screen

    def _start_claude(self, draft: Triage, evidence: Evidence | None) -> None:
        """Ask Claude to refine this triage (when a key is set); a run for an older one is stopped first."""
        if self.claude is not None:
            self.claude.cancel.set()
            self.claude = None
        session = self.session
        settings = lazy.pipeline.claude_settings(session.config) if session and session.use_claude else None
        if settings is None or self.incident is None:
            return
        self.claude = run = lazy.claude_run.ClaudeRun()
        work = partial(workers.ask_claude, self.post_message, run, settings, self.incident, evidence, draft)
        self._in_worker(work, "claude", "Claude triage")

    def on_claude_progress(self, message: msg.ClaudeProgress) -> None:
        message.stop()
        if message.run is not self.claude or message.run.cancel.is_set():
            return
        appeared = message.run.progress is None
        message.run.progress = message.progress
        if appeared:
            self.app.refresh_bindings()
        self.redraw("checklist", "clock")

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
        elif self.recorder is not None and self.recorder.record_triage(
            lazy.ev.TriageGenerated(triage=refinement.triage, summary=refinement.note)
        ):
            self.notify(refinement.note, title="Claude triage merged", markup=False)
        self.redraw("checklist", "clock")

    def action_cancel_claude(self) -> None:
        """A person's choice: the stream stops, the rules triage stays, the timeline says so."""
        run = self.claude
        if run is None:
            return
        self.claude = None
        run.cancel.set()
        self.workers.cancel_group(self, "claude")
        self.app.refresh_bindings()
        self.notify(lazy.claude.CANCELLED, title="Claude triage", markup=False)
        if not self._record(
            lazy.ev.EventKind.TRIAGE_FAILED, lazy.ev.TriageFailed(engine="claude", reason=lazy.claude.CANCELLED)
        ):
            self.redraw("checklist", "clock")

    # --- the engine -----------------------------------------------------------------------------------------

    def on_evidence_polled(self, message: msg.EvidencePolled) -> None:
        message.stop()
        awaited, self._awaiting_evidence = self._awaiting_evidence, False
        if message.evidence is not None:
            self.latest, self.latest_rows = message.evidence, message.rows
            self.engine_problem = ""
            if awaited:
                self._triage(message.evidence, "with the engine's first evidence", refine=True)
            else:
                self._tell_drift(message.evidence)
        else:
            self.engine_problem = message.problem or "the engine did not answer"
            if awaited and message.unusable is not None:
                self._triage(message.unusable, "the engine could not be read", refine=True)
            elif awaited and self.incident is not None and self.incident.triage is not None:
                self._start_claude(self.incident.triage, None)
        self.redraw("services", "clock")

    def _tell_drift(self, latest: Evidence) -> None:
        """Say when the latest signals drift from the ones the triage saw; `t` runs the triage again."""
        incident = self.incident
        drift = self._drift.update(incident.evidence, latest) if self._drift and incident and incident.triage else ""
        if drift:
            self.notify(drift, title="Evidence changed", timeout=20, markup=False)

    def _swarm_news(self, news: list[SwarmEvent]) -> None:
        """Engine events, already throttled, become timeline entries (once, whichever process hears them)."""
        if self.recorder is not None:
            self.recorder.record_swarm_events(news)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR:
            failed = f"{worker.description or worker.name} failed: {worker.error}"
            self.notify(failed, severity="error", timeout=10, markup=False)

    # --- leaving --------------------------------------------------------------------------------------------

    def request_quit(self) -> None:
        """Quit, offering the reports first while they have not been exported."""
        incident = self.incident
        if incident is None or incident.exported or self.reports_folder is None:
            self.app.exit()
            return

        def answered(export: bool | None) -> None:
            if export is None:
                return
            if export:
                self.action_export(then_quit=True)
            else:
                self.app.exit()

        self.app.push_screen(screens.dialogs.QuitDialog(str(self.reports_folder)), answered)

    def action_export(self, then_quit: bool = False) -> None:
        raise NotImplementedError

    def on_unmount(self) -> None:
        if self.poller is not None:
            self.poller.stop()
        if self.claude is not None:
            self.claude.cancel.set()
