"""The incident commander: the app holds the journal and the folded incident; every key becomes an event.

Order of every change: append to the journal, fold the new events into the in-memory incident, then
refresh the panes. Blocking work (collecting evidence, triage, reports) runs in thread workers that post
messages back; journal writes happen on the UI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from maestro import events as ev
from maestro import paths
from maestro.config import Config
from maestro.escalation import clock as escalation_clock
from maestro.escalation import next_escalation, status_update
from maestro.incident import Incident
from maestro.journal import Journal, JournalError
from maestro.model import (
    Command,
    Danger,
    EscalationContact,
    Evidence,
    IncidentContext,
    IncidentStatus,
    Severity,
    Triage,
)
from tui import messages as msg
from tui.commands import MaestroCommands
from tui.screens.incident import IncidentScreen
from tui.workers import (
    Abandoned,
    EvidenceSource,
    export_reports,
    interruptible,
    one_line,
    refine_with_claude,
    rules_triage,
)
from widgets.checklist import SeverityChecklist
from widgets.commands import DeckCommand
from widgets.escalation import TimerView
from widgets.incident_header import HeaderView
from widgets.recovery import RecoveryPlan
from widgets.text import duration

DANGER_ORDER = (Danger.READ_ONLY, Danger.MUTATING, Danger.DESTRUCTIVE)
JOURNAL_POLL_S = 1.0
INCIDENT_ACTIONS = frozenset(
    {"copy", "logs", "filter", "escalate", "status_update", "note", "severity", "triage", "resolve", "export"}
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def who(contact: EscalationContact) -> str:
    parts = [contact.role]
    if contact.name:
        parts.append(f"({contact.name})")
    if contact.contact:
        parts.append(f"- {contact.contact}")
    return " ".join(parts)


class MaestroApp(App[None], inherit_bindings=False):
    """Resume an incident, open one from a context, or ask for one with the intake form."""

    TITLE = "maestro"
    CSS_PATH = "maestro.tcss"
    COMMANDS = {MaestroCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", tooltip="Show every key", id="help"),
        Binding("ctrl+p", "command_palette", "Palette", show=False, priority=True, tooltip="Open the command palette"),
        Binding("colon", "command_palette", "Palette", show=False, tooltip="Open the command palette"),
        Binding("c", "copy", "Copy", tooltip="Copy the highlighted command (destructive ones ask first)", id="copy"),
        Binding("l", "logs", "Logs", show=False, tooltip="Show the logs of the selected service", id="logs"),
        Binding("slash", "filter", "Filter", show=False, tooltip="Filter the services", id="filter"),
        Binding("e", "escalate", "Escalate", tooltip="Escalate to the next person in the chain", id="escalate"),
        Binding("u", "status_update", "Update", tooltip="Draft a status update", id="status_update"),
        Binding("n", "note", "Note", show=False, tooltip="Add a note to the timeline", id="note"),
        Binding("s", "severity", "Severity", show=False, tooltip="Change the severity", id="severity"),
        Binding("t", "triage", "Triage", show=False, tooltip="Run the triage again", id="triage"),
        Binding("r", "resolve", "Resolved", show=False, tooltip="Mark the incident resolved", id="resolve"),
        Binding("x", "export", "Export", tooltip="Export every report into a folder", id="export"),
        Binding("q", "request_quit", "Quit", tooltip="Quit (offers to export the reports first)", id="quit"),
        Binding("ctrl+c,ctrl+q", "request_quit", "Quit", show=False, priority=True, tooltip="Quit"),
    ]

    def __init__(
        self,
        *,
        journal: Journal,
        config: Config,
        incident_id: str | None,
        evidence_source: Callable[[], Evidence] | None,
        clock: Callable[[], datetime] = utc_now,
        new_context: IncidentContext | None = None,
    ) -> None:
        super().__init__()
        self.journal = journal
        self.config = config
        self.evidence_source: EvidenceSource | None = evidence_source
        self.clock = clock
        self.incident: Incident | None = None
        """The folded incident; replaced (never mutated) after every journal change."""
        self.live: Evidence | None = None
        """The last evidence the source returned, newer than the journaled snapshot."""
        self.engine_problem = "" if evidence_source else "no engine for this session"
        self.reports_root: Path = paths.reports_dir()
        """Reports go to reports_root / incident id."""
        self._incident_id = incident_id
        self._new_context = new_context
        self._selected_issue: str | None = None
        self._journal_broken = False
        self._refining = ""

    # --- start ------------------------------------------------------------------

    def on_mount(self) -> None:
        if self._incident_id is None and self._new_context is None:
            from tui.screens.intake import IntakeScreen

            self.push_screen(IntakeScreen(), self._intake_done)
            return
        self._show_incident_screen()

    def _intake_done(self, context: IncidentContext | None) -> None:
        if context is None:
            self.exit(message="No incident opened.")
            return
        self._new_context = context
        self._show_incident_screen()

    def _show_incident_screen(self) -> None:
        """Draw the panes first; the journal is read (or written) right after that first frame."""
        self.push_screen(IncidentScreen())
        self.call_after_refresh(self._open_or_resume)

    def _open_or_resume(self) -> None:
        try:
            if self._incident_id is None:
                assert self._new_context is not None
                self._incident_id = self.journal.open_incident(self._new_context).incident_id
            incident = self.journal.incident(self._incident_id)
        except JournalError as exc:
            self.exit(return_code=1, message=f"maestro-tui: {exc}")
            return
        self.incident = incident
        self.sub_title = incident.id
        self._render()
        self.set_interval(JOURNAL_POLL_S, self._tick)
        if incident.triage is None:
            self.run_triage("")
        if self.evidence_source is not None:
            self.poll_evidence()

    # --- the view ---------------------------------------------------------------

    @property
    def incident_screen(self) -> IncidentScreen | None:
        """The incident screen, while the app runs (timers and messages can outlive it at shutdown)."""
        if not self.is_running:
            return None
        for screen in self.screen_stack:
            if isinstance(screen, IncidentScreen):
                return screen
        return None

    def _render(self) -> None:
        screen, incident = self.incident_screen, self.incident
        if screen is None or incident is None or not screen.is_mounted:
            return
        ticked = set(incident.ticked)
        self._render_checklist()
        screen.recovery.show(incident.phases(), ticked, set(incident.phases_done), self._total())
        screen.timeline.show(incident.timeline)
        self._render_deck()
        self._render_services()
        self._render_clock()

    def _render_checklist(self) -> None:
        screen, incident = self.incident_screen, self.incident
        if screen is not None and incident is not None:
            notice = self._refining or incident.triage_notice
            screen.checklist.show(incident.triage, set(incident.ticked), notice)

    def _total(self) -> str:
        triage = self.incident.triage if self.incident else None
        if triage is None:
            return ""
        p0, p1 = triage.minutes_for(Severity.P0), triage.minutes_for(Severity.P1)
        return f"Total to full recovery: {p0} min (P0) + {p1} min (P1) = {p0 + p1} min"

    def _render_deck(self) -> None:
        from maestro.emergency import emergency_sections, service_like

        screen, incident = self.incident_screen, self.incident
        if screen is None or incident is None:
            return
        issue = incident.triage.issue(self._selected_issue) if incident.triage and self._selected_issue else None
        entries = [DeckCommand(section, _labelled(c), issue.id) for section, c in issue.commands()] if issue else []
        redis = service_like(self.live or incident.evidence, "redis")
        for section in emergency_sections([issue.subject] if issue and issue.subject else [], redis):
            entries += [DeckCommand(f"emergency: {section.title.lower()}", _labelled(c)) for c in section.commands]
        heading = f"Commands for: {issue.title}" if issue else "No issue selected: emergency commands"
        screen.commands.show(heading, entries)

    def _render_services(self) -> None:
        screen, incident = self.incident_screen, self.incident
        if screen is None or incident is None:
            return
        evidence = self.live or incident.evidence
        screen.services.show(evidence, problem=self.engine_problem)

    def _render_clock(self) -> None:
        screen, incident = self.incident_screen, self.incident
        if screen is None or incident is None:
            return
        now = self.clock()
        state = escalation_clock(incident, self.config, now)
        next_s = state.next_escalation_in.total_seconds() if state.next_escalation_in is not None else None
        screen.escalation.show(
            TimerView(
                incident=f"{incident.id} opened {incident.opened_at:%H:%M} by {incident.opened_by}",
                severity=incident.severity,
                elapsed_s=state.elapsed.total_seconds(),
                running=state.running,
                current=who(state.current),
                next_contact=who(state.next_contact) if state.next_contact else "",
                next_escalation_s=next_s,
                next_update_s=state.next_update_in.total_seconds() if state.next_update_in is not None else None,
                update_every_min=state.severity.info.status_update_every_min,
                last_update=incident.status_updates[-1].text if incident.status_updates else "",
            )
        )
        if next_s is None or state.next_contact is None:
            next_escalation_text = "none due"
        elif next_s <= 0:
            next_escalation_text = f"{state.next_contact.role} OVERDUE {duration(-next_s)}"
        else:
            next_escalation_text = f"{state.next_contact.role} {duration(next_s)}"
        triage_engine = incident.triage.engine.value if incident.triage else "pending"
        evidence = self.live or incident.evidence
        source = "engine not connected" if self.engine_problem else evidence.source if evidence else "no evidence"
        screen.header.show(
            HeaderView(
                title=incident.context.description,
                severity=incident.severity,
                status=incident.status.value,
                elapsed=duration(state.elapsed.total_seconds()),
                next_escalation=next_escalation_text,
                escalation_due=state.overdue,
                engine=f"triage {triage_engine} · {source}",
                engine_short=f"{triage_engine}·{'no engine' if self.engine_problem else source}",
                engine_ok=not self.engine_problem,
            )
        )

    def _tick(self) -> None:
        """Every second: pick up other processes' events, move the clocks."""
        if self.incident is None:
            return
        try:
            if self.journal.changed():
                self.incident = self.journal.refresh(self.incident)
                self._render()
        except JournalError as exc:
            if not self._journal_broken:
                self._journal_broken = True
                self.notify(f"Journal unreadable: {exc}", severity="error", timeout=10)
        self._render_clock()

    # --- journal ----------------------------------------------------------------

    def record(self, kind: ev.EventKind, payload: ev.Payload) -> bool:
        """Append one event, fold it (and anything another process wrote meanwhile), then refresh the panes."""
        incident = self.incident
        if incident is None:
            return False
        try:
            self.journal.append(incident.id, kind, payload)
            self.incident = self.journal.refresh(incident)
        except JournalError as exc:
            self.notify(f"Not saved, nothing changed: {exc}", severity="error", timeout=10)
            return False
        self._render()
        return True

    # --- pane messages --------------------------------------------------------------

    def on_severity_checklist_tick_requested(self, message: SeverityChecklist.TickRequested) -> None:
        self._tick_item(message.item_id, message.label, message.done)

    def on_recovery_plan_tick_requested(self, message: RecoveryPlan.TickRequested) -> None:
        self._tick_item(message.item_id, message.label, message.done)

    def _tick_item(self, item_id: str, label: str, done: bool) -> None:
        kind = ev.EventKind.ITEM_TICKED if done else ev.EventKind.ITEM_UNTICKED
        self.record(kind, ev.ItemTicked(item=item_id, label=label))

    def on_recovery_plan_phase_tick_requested(self, message: RecoveryPlan.PhaseTickRequested) -> None:
        kind = ev.EventKind.PHASE_TICKED if message.done else ev.EventKind.PHASE_UNTICKED
        self.record(kind, ev.PhaseTicked(phase=message.phase_id, label=message.label))

    def on_severity_checklist_issue_highlighted(self, message: SeverityChecklist.IssueHighlighted) -> None:
        if message.issue_id != self._selected_issue:
            self._selected_issue = message.issue_id
            self._render_deck()

    def on_severity_checklist_details_requested(self, message: SeverityChecklist.DetailsRequested) -> None:
        from tui.screens.issue import IssueCard

        incident = self.incident
        issue = incident.triage.issue(message.issue_id) if incident and incident.triage else None
        if incident is not None and issue is not None:
            labelled = issue.model_copy(
                update={
                    "fix": [_labelled(c) for c in issue.fix],
                    "verify": [_labelled(c) for c in issue.verify],
                    "rollback": [_labelled(c) for c in issue.rollback],
                }
            )
            self.push_screen(IssueCard(labelled, done=incident.is_ticked(issue.id)))

    @on(DataTable.RowSelected, "#services-table")
    def _service_chosen(self) -> None:
        self.action_logs()

    # --- actions ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The incident keys wait for an incident (the intake form comes first)."""
        return self.incident is not None or action not in INCIDENT_ACTIONS

    def palette_bindings(self) -> list[Binding]:
        """The bindings the command palette offers, one per action."""
        seen: set[str] = set()
        chosen: list[Binding] = []
        screen_bindings = [
            Binding(b.key, f"screen.{b.action}", b.description, tooltip=b.tooltip) for b in IncidentScreen.BINDINGS
        ]
        for binding in [*self.BINDINGS, *screen_bindings]:
            assert isinstance(binding, Binding)
            if binding.action in seen or binding.action == "command_palette":
                continue
            seen.add(binding.action)
            chosen.append(binding)
        return chosen

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        sections = [
            ("Anywhere", [b for b in self.BINDINGS if isinstance(b, Binding)]),
            ("Panes", list(IncidentScreen.BINDINGS)),
            ("Checklist (pane 1)", list(SeverityChecklist.BINDINGS)),
            ("Recovery (pane 2)", list(RecoveryPlan.BINDINGS)),
            (
                "Lists and tables",
                [
                    Binding("up", "", tooltip="Previous row"),
                    Binding("down", "", tooltip="Next row"),
                    Binding("enter", "", tooltip="Services: show the logs of the service"),
                    Binding("escape", "", tooltip="Services: close the filter; dialogs: cancel"),
                ],
            ),
        ]
        self.push_screen(HelpScreen(sections))

    def action_copy(self) -> None:
        from tui.screens.dialogs import ConfirmDialog

        screen = self.incident_screen
        entry = screen.commands.selected if screen else None
        if entry is None:
            self.notify("No command highlighted in the command deck.", severity="warning")
            return
        if entry.command.danger is Danger.DESTRUCTIVE:
            from maestro.safety import reasons

            why = "\n".join(f"- {reason}" for reason in reasons(entry.command.text))
            self.push_screen(
                ConfirmDialog(
                    "This command is DESTRUCTIVE. Copy it anyway?",
                    f"{entry.command.text}\n\n{why}".rstrip(),
                    yes="Copy",
                    danger=True,
                ),
                lambda ok: self._copy(entry) if ok else None,
            )
            return
        self._copy(entry)

    def _copy(self, entry: DeckCommand) -> None:
        command = entry.command
        payload = ev.CommandCopied(command=command.text, danger=command.danger, issue_id=entry.issue_id)
        if not self.record(ev.EventKind.COMMAND_COPIED, payload):
            return
        self.copy_to_clipboard(command.text)
        if screen := self.incident_screen:
            screen.commands.show_copied(command.text)
        self.notify(command.text.splitlines()[0], title=f"Copied ({command.danger.value})")

    def action_logs(self) -> None:
        from tui.screens.dialogs import TextViewer

        screen, incident = self.incident_screen, self.incident
        if screen is None or incident is None:
            return
        service = screen.services.selected_service
        if service is None:
            self.notify("No service selected.", severity="warning")
            return
        evidence = self.live or incident.evidence
        lines = [line for line in (evidence.logs if evidence else []) if line.service == service]
        text = "\n".join(f"{line.at:%H:%M:%S} {line.text}" if line.at else line.text for line in lines)
        self.push_screen(TextViewer(f"Logs of {service}", text or f"No log lines captured for {service}."))

    def action_filter(self) -> None:
        if screen := self.incident_screen:
            screen.show_pane("services")
            screen.services.open_filter()

    def action_escalate(self) -> None:
        from tui.screens.dialogs import ConfirmDialog

        incident = self.incident
        if incident is None:
            return
        step = next_escalation(incident, self.config)
        if step is None:
            current = self.config.escalation[min(incident.escalation_level, len(self.config.escalation) - 1)]
            self.notify(f"Already at the top of the chain: {who(current)}", severity="warning")
            return
        level, contact = step
        state = escalation_clock(incident, self.config, self.clock())
        reason = f"{state.severity} open {duration(state.elapsed.total_seconds())}"
        detail = "Escalate if: " + "; ".join(contact.escalate_if) if contact.escalate_if else ""

        def answered(ok: bool | None) -> None:
            if ok:
                payload = ev.Escalated(
                    level=level, role=contact.role, name=contact.name, contact=contact.contact, reason=reason
                )
                if self.record(ev.EventKind.ESCALATED, payload):
                    self.notify(f"Escalated to {who(contact)}", title="Escalated")

        self.push_screen(ConfirmDialog(f"Escalate to {who(contact)}?", detail, yes="Escalate"), answered)

    def action_status_update(self) -> None:
        from tui.screens.dialogs import TextViewer

        incident = self.incident
        if incident is None:
            return
        text = status_update(incident, self.clock())
        number = len(incident.status_updates) + 1
        if self.record(ev.EventKind.STATUS_UPDATE_DRAFTED, ev.StatusUpdateDrafted(number=number, text=text)):
            channels = ", ".join(c.name for c in self.config.channels) or "your channels"
            hint = f"c copy all · esc close · post it to {channels}"
            self.push_screen(TextViewer(f"Status update #{number}", text, hint))

    def action_note(self) -> None:
        from tui.screens.dialogs import TextPrompt

        def answered(text: str | None) -> None:
            if text:
                self.record(ev.EventKind.NOTE_ADDED, ev.NoteAdded(text=text))

        self.push_screen(TextPrompt("Add a note to the timeline", "what happened, what you tried"), answered)

    def action_severity(self) -> None:
        from tui.screens.dialogs import SeverityDialog

        incident = self.incident
        if incident is None:
            return

        def answered(severity: Severity | None) -> None:
            if severity is None or self.incident is None:
                return
            if severity == self.incident.severity:
                self.notify(f"Severity is already {severity}.")
                return
            self.record(ev.EventKind.SEVERITY_CHANGED, ev.SeverityChanged(severity=severity, reason="set by hand"))

        self.push_screen(SeverityDialog(incident.severity), answered)

    def action_triage(self) -> None:
        self.notify("Running the triage again...")
        self.run_triage("run again by hand")

    def action_resolve(self) -> None:
        from tui.screens.dialogs import TextPrompt

        incident = self.incident
        if incident is None:
            return
        if incident.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
            self.notify(f"Already {incident.status.value}: {incident.resolution}")
            return

        def answered(text: str | None) -> None:
            if text:
                self.record(ev.EventKind.RESOLVED, ev.Resolved(resolution=text))

        prompt = TextPrompt("Resolved: what fixed it?", "rolled back web to v1; queue reachable again")
        self.push_screen(prompt, answered)

    def action_export(self) -> None:
        if self.incident is not None:
            self.notify(f"Exporting the reports to {self._reports_folder()} ...")
            self.run_export(then_quit=False)

    def action_request_quit(self) -> None:
        from tui.screens.dialogs import QuitDialog

        if isinstance(self.screen, QuitDialog):
            return
        incident = self.incident
        if incident is None or incident.exported:
            self.exit()
            return

        def answered(export: bool | None) -> None:
            if export is None:
                return
            if export:
                self.notify(f"Exporting the reports to {self._reports_folder()} ...")
                self.run_export(then_quit=True)
            else:
                self.exit()

        self.push_screen(QuitDialog(str(self._reports_folder())), answered)

    def _reports_folder(self) -> Path:
        assert self.incident is not None
        return self.reports_root / self.incident.id

    # --- workers --------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="triage", description="rules triage")
    def run_triage(self, summary: str) -> None:
        """Collect fresh evidence and run the rules triage; the result is journaled on the UI thread."""
        incident = self.incident
        if incident is None:
            return
        evidence = None
        if self.evidence_source is not None:
            try:
                evidence = interruptible(self.evidence_source)
            except Abandoned:
                return
            except Exception as exc:
                self.post_message(msg.EvidencePolled(None, one_line(exc)))
        evidence = evidence or self.live or incident.evidence
        try:
            triage = rules_triage(incident.context, evidence, self.clock(), self.config.runbook_dir)
        except Exception as exc:
            self.post_message(msg.TriageFailed("rules", one_line(exc)))
            return
        self.post_message(msg.TriageReady(triage, evidence, summary, refine=True))

    @work(thread=True, exclusive=True, exit_on_error=False, group="claude", description="Claude triage")
    def run_refinement(self, draft: Triage, evidence: Evidence | None) -> None:
        """Claude refines the rules triage when an API key is set; the rules triage stays until it answers."""
        incident = self.incident
        if incident is None:
            return

        def progress(line: str) -> None:
            self.post_message(msg.RefineProgress(line))

        try:
            refinement = refine_with_claude(self.config, incident.context, evidence, draft, progress)
        except Abandoned:
            return
        finally:
            self.post_message(msg.RefineProgress(""))
        if refinement is None:
            return
        if refinement.triage is None:
            self.post_message(msg.TriageFailed("claude", refinement.note))
        else:
            self.post_message(msg.TriageReady(refinement.triage, None, refinement.note))

    @work(thread=True, exclusive=True, exit_on_error=False, group="evidence", description="poll evidence")
    def poll_evidence(self) -> None:
        source = self.evidence_source
        if source is None:
            return
        try:
            evidence = interruptible(source)
        except Abandoned:
            return
        except Exception as exc:
            self.post_message(msg.EvidencePolled(None, one_line(exc)))
            return
        self.post_message(msg.EvidencePolled(evidence))

    @work(thread=True, exclusive=True, exit_on_error=False, group="export", description="export reports")
    def run_export(self, then_quit: bool) -> None:
        incident = self.incident
        if incident is None:
            return
        folder = self._reports_folder()
        try:
            files = export_reports(incident, self.config, folder, self.clock())
        except Exception as exc:
            self.post_message(msg.ReportsFailed(one_line(exc)))
            return
        self.post_message(msg.ReportsExported(folder, files, then_quit))

    def on_triage_ready(self, message: msg.TriageReady) -> None:
        journaled = self.incident.evidence if self.incident else None
        fresh = message.evidence is not None and message.evidence != journaled
        if fresh and not self.record(ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=message.evidence)):
            return
        generated = ev.TriageGenerated(triage=message.triage, summary=message.summary)
        if self.record(ev.EventKind.TRIAGE_GENERATED, generated) and message.refine:
            self.run_refinement(message.triage, message.evidence)

    def on_refine_progress(self, message: msg.RefineProgress) -> None:
        self._refining = message.line
        self._render_checklist()

    def on_triage_failed(self, message: msg.TriageFailed) -> None:
        self.notify(f"{message.engine} triage failed: {message.reason}", severity="error", timeout=10)
        self.record(ev.EventKind.TRIAGE_FAILED, ev.TriageFailed(engine=message.engine, reason=message.reason))

    def on_evidence_polled(self, message: msg.EvidencePolled) -> None:
        if message.evidence is not None:
            self.live = message.evidence
            self.engine_problem = ""
        else:
            self.engine_problem = message.problem or "the engine did not answer"
        self._render_services()
        self._render_clock()

    def on_reports_exported(self, message: msg.ReportsExported) -> None:
        from tui.screens.dialogs import TextViewer

        files = [str(path) for path in message.files]
        if not self.record(ev.EventKind.REPORTS_EXPORTED, ev.ReportsExported(folder=str(message.folder), files=files)):
            return
        if message.then_quit:
            self.exit(message=f"Reports exported to {message.folder}")
            return
        listing = "\n".join(Path(f).name for f in files)
        self.push_screen(TextViewer(f"Reports exported to {message.folder}", f"{message.folder}\n\n{listing}"))

    def on_reports_failed(self, message: msg.ReportsFailed) -> None:
        self.notify(f"Export failed, nothing written to the journal: {message.reason}", severity="error", timeout=10)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR:
            self.notify(f"{worker.description or worker.name} failed: {worker.error}", severity="error", timeout=10)
        if worker.group == "evidence" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self.set_timer(self.config.poll_interval_s, self.poll_evidence)


def _labelled(command: Command) -> Command:
    """The command with its danger decided locally; a label given upstream is never lowered."""
    from maestro.safety import classify

    local = classify(command.text)
    danger = max(command.danger, local, key=DANGER_ORDER.index)
    return command if danger is command.danger else command.model_copy(update={"danger": danger})
