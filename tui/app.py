"""The incident commander: the app holds the journal and the folded incident; every key becomes an event.

Order of every change: append to the journal, fold the new events into the in-memory incident, then
refresh the panes. Blocking work (collecting evidence, triage, reports) runs in thread workers that post
messages back; journal writes happen on the UI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input
from textual.worker import Worker, WorkerState

from maestro import paths
from tui import messages as msg
from tui.claude_run import ClaudeRun
from tui.commands import MaestroCommands
from tui.poller import Poller
from tui.screens.incident import IncidentScreen
from tui.session import Opener, Session, SessionError
from tui.signal_watch import SignalWatch
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

if TYPE_CHECKING:
    from maestro.config import Config
    from maestro.events import EventKind, Payload, SwarmEvent
    from maestro.incident import Incident
    from maestro.journal import Journal
    from maestro.model import Command, EscalationContact, Evidence, IncidentContext, Severity, Triage
    from maestro.triage.claude import Progress

# The core (pydantic models, journal, engines) is imported inside the methods that use it, so the first
# frame is drawn before any of it loads.
DANGER_ORDER = ("read-only", "mutating", "destructive")
"""The values of maestro.model.Danger, mildest first."""
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
        Binding(
            "escape",
            "cancel_claude",
            "Cancel Claude",
            priority=True,
            tooltip="Cancel Claude triage (the rules triage stays)",
            id="cancel_claude",
        ),
        Binding("r", "resolve", "Resolved", show=False, tooltip="Mark the incident resolved", id="resolve"),
        Binding("x", "export", "Export", tooltip="Export every report into a folder", id="export"),
        Binding("q", "request_quit", "Quit", tooltip="Quit (offers to export the reports first)", id="quit"),
        Binding("ctrl+c,ctrl+q", "request_quit", "Quit", show=False, priority=True, tooltip="Quit"),
    ]

    def __init__(
        self,
        *,
        journal: Journal | None = None,
        config: Config | None = None,
        incident_id: str | None = None,
        evidence_source: Callable[[], Evidence] | None = None,
        clock: Callable[[], datetime] = utc_now,
        new_context: IncidentContext | None = None,
        opener: Opener | None = None,
    ) -> None:
        """The session's parts (journal, config, ...), or an `opener` called right after the first frame."""
        super().__init__()
        self.clock = clock
        self.incident: Incident | None = None
        """The folded incident; replaced (never mutated) after every journal change."""
        self.live: Evidence | None = None
        """The last evidence the source returned, newer than the journaled snapshot."""
        self._signal_watch = SignalWatch()
        self.reports_root: Path = paths.reports_dir()
        """Reports go to reports_root / incident id."""
        self.open_error = ""
        """Why the opener could not open the session; the command prints it once the screen is gone."""
        self._opener = opener
        self._session: Session | None = None
        self._incident_id: str | None = None
        self._new_context: IncidentContext | None = None
        self._panes_first = opener is not None or incident_id is not None or new_context is not None
        """Whether the incident panes are the first screen (else the intake form asks for an incident)."""
        if opener is None:
            if journal is None or config is None:
                raise TypeError("MaestroApp needs a journal and a config, or an opener")
            self._use(Session(journal, config, incident_id, new_context, evidence_source))
        self._selected_issue: str | None = None
        self._journal_broken = False
        self._claude: ClaudeRun | None = None
        """The Claude triage in flight, if any."""

    # --- start ------------------------------------------------------------------

    def _use(self, session: Session) -> None:
        self._session = session
        self.journal = session.journal
        self.config = session.config
        self.evidence_source: EvidenceSource | None = session.evidence_source
        self.engine_problem = "" if session.evidence_source else "no engine for this session"
        self.poller = Poller(
            self, session.evidence_source, session.config.poll_interval_s, self.clock, self._journal_swarm_news
        )
        """Polls the evidence source in a worker and brings the engine's events to the timeline."""
        self._incident_id = session.incident_id
        self._new_context = session.new_context

    def get_default_screen(self) -> Screen[None]:
        """The incident panes are the first frame whenever no intake form has to come first."""
        return IncidentScreen() if self._panes_first else super().get_default_screen()

    def on_mount(self) -> None:
        if self._panes_first:
            self.call_after_refresh(self._open_or_resume)
            return
        self._ask_for_an_incident()

    def _ask_for_an_incident(self) -> None:
        from tui.screens.intake import IntakeScreen

        self.push_screen(IntakeScreen(), self._intake_done)

    def _intake_done(self, context: IncidentContext | None) -> None:
        if context is None:
            self.exit(message="No incident opened.")
            return
        self._new_context = context
        self._show_incident_screen()

    def _show_incident_screen(self) -> None:
        """Draw the panes first; the journal is read (or written) right after that first frame."""
        if self.incident_screen is None:
            self.push_screen(IncidentScreen())
        self.call_after_refresh(self._open_or_resume)

    def _open_session(self) -> bool:
        """Call the opener (once); False when it failed and the app is leaving."""
        if self._opener is None:
            return True
        try:
            session = self._opener()
        except SessionError as exc:
            self.open_error = str(exc)
            self.exit(return_code=2)
            return False
        self._opener = None
        self._use(session)
        return True

    def _open_or_resume(self) -> None:
        from maestro.journal import JournalError

        if not self._open_session():
            return
        if self._incident_id is None and self._new_context is None:
            self._ask_for_an_incident()
            return
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
        self.poller.start()
        if self._session is not None and self._session.greeting:
            self.notify(self._session.greeting, markup=False)

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
            notice = (self._claude.notice() if self._claude else "") or incident.triage_notice
            screen.checklist.show(incident.triage, set(incident.ticked), notice)

    def _total(self) -> str:
        from maestro.model import Severity

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
        screen.services.show(evidence, problem=self.engine_problem, live=self.evidence_source is not None)

    def _render_clock(self) -> None:
        from maestro.escalation import clock as escalation_clock

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
        claude = self._claude
        claude_long, claude_short = (f" · {claude.engine()}", f"+{claude.engine(short=True)}") if claude else ("", "")
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
                engine=f"triage {triage_engine}{claude_long} · {source}",
                engine_short=f"{triage_engine}{claude_short}·{'no engine' if self.engine_problem else source}",
                engine_ok=not self.engine_problem,
            )
        )

    def _tick(self) -> None:
        """Every second: pick up other processes' events, move the clocks."""
        from maestro.journal import JournalError

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

    def record(self, kind: EventKind, payload: Payload) -> bool:
        """Append one event, fold it (and anything another process wrote meanwhile), then refresh the panes."""
        from maestro.journal import JournalError

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
        from maestro import events as ev

        kind = ev.EventKind.ITEM_TICKED if done else ev.EventKind.ITEM_UNTICKED
        self.record(kind, ev.ItemTicked(item=item_id, label=label))

    def on_recovery_plan_phase_tick_requested(self, message: RecoveryPlan.PhaseTickRequested) -> None:
        from maestro import events as ev

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
        if (screen := self.incident_screen) and (service := screen.services.selected_service):
            self.show_tasks(service)

    # --- actions ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The incident keys wait for an incident (the intake form comes first).

        Escape cancels Claude only while it streams and nothing else wants escape (a dialog, the filter).
        """
        if action == "cancel_claude":
            return self._claude_cancellable()
        return self.incident is not None or action not in INCIDENT_ACTIONS

    def _claude_cancellable(self) -> bool:
        return (
            self._claude is not None
            and self._claude.on_screen
            and isinstance(self.screen, IncidentScreen)
            and not isinstance(self.focused, Input)
        )

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
            if binding.action == "cancel_claude" and not (self._claude and self._claude.on_screen):
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
                    Binding("enter", "", tooltip="Services: show the tasks of the service"),
                    Binding("escape", "", tooltip="Services: close the filter; dialogs: cancel"),
                ],
            ),
        ]
        self.push_screen(HelpScreen(sections))

    def action_copy(self) -> None:
        from maestro.model import Danger
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
        from maestro import events as ev

        command = entry.command
        payload = ev.CommandCopied(command=command.text, danger=command.danger, issue_id=entry.issue_id)
        if not self.record(ev.EventKind.COMMAND_COPIED, payload):
            return
        self.copy_to_clipboard(command.text)
        if screen := self.incident_screen:
            screen.commands.show_copied(command.text)
        self.notify(command.text.splitlines()[0], title=f"Copied ({command.danger.value})")

    def action_logs(self) -> None:
        screen = self.incident_screen
        service = screen.services.selected_service if screen else None
        if service is None:
            self.notify("No service selected.", severity="warning")
            return
        self.show_logs(service)

    def show_logs(self, service: str) -> None:
        """The service's logs: read from the engine in a worker when live, else the lines the last poll kept."""
        from tui.screens.logs import LogsScreen

        evidence = self.live or (self.incident.evidence if self.incident else None)
        captured = [line for line in (evidence.logs if evidence else []) if line.service == service]
        live = self.poller.live
        self.push_screen(LogsScreen(service, captured, (lambda: live.logs(service)) if live is not None else None))

    def show_tasks(self, service: str) -> None:
        from tui.screens.tasks import TasksScreen

        evidence = self.live or (self.incident.evidence if self.incident else None)
        tasks = TasksScreen(service, evidence.tasks if evidence else [], evidence.collected_at if evidence else None)
        self.push_screen(tasks, lambda choice: self.show_logs(service) if choice == "logs" else None)

    def action_filter(self) -> None:
        if screen := self.incident_screen:
            screen.show_pane("services")
            screen.services.open_filter()

    def action_escalate(self) -> None:
        from maestro import events as ev
        from maestro.escalation import clock as escalation_clock
        from maestro.escalation import next_escalation
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
        from maestro import events as ev
        from maestro.escalation import status_update
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
        from maestro import events as ev
        from tui.screens.dialogs import TextPrompt

        def answered(text: str | None) -> None:
            if text:
                self.record(ev.EventKind.NOTE_ADDED, ev.NoteAdded(text=text))

        self.push_screen(TextPrompt("Add a note to the timeline", "what happened, what you tried"), answered)

    def action_severity(self) -> None:
        from maestro import events as ev
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
        from maestro import events as ev
        from maestro.model import IncidentStatus
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

    def _start_claude(self, draft: Triage, evidence: Evidence | None) -> None:
        """Ask Claude to refine this triage; a run still streaming for an older one is stopped first."""
        if self._claude is not None:
            self._claude.cancel.set()
        self._claude = ClaudeRun()
        self.run_refinement(self._claude, draft, evidence)

    @work(thread=True, exclusive=True, exit_on_error=False, group="claude", description="Claude triage")
    def run_refinement(self, run: ClaudeRun, draft: Triage, evidence: Evidence | None) -> None:
        """Claude refines the rules triage when an API key is set; the rules triage stays until it answers."""
        incident = self.incident
        if incident is None:
            return

        def progress(update: Progress) -> None:
            self.post_message(msg.ClaudeProgress(run, update))

        try:
            refinement = refine_with_claude(self.config, incident.context, evidence, draft, progress, run.cancel)
        except Abandoned:
            return
        self.post_message(msg.ClaudeAnswered(run, refinement))

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
        from maestro import events as ev

        journaled = self.incident.evidence if self.incident else None
        fresh = message.evidence is not None and message.evidence != journaled
        if fresh and not self.record(ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=message.evidence)):
            return
        generated = ev.TriageGenerated(triage=message.triage, summary=message.summary)
        if self.record(ev.EventKind.TRIAGE_GENERATED, generated) and message.refine:
            self._start_claude(message.triage, message.evidence)

    def on_claude_progress(self, message: msg.ClaudeProgress) -> None:
        if message.run is not self._claude or message.run.cancel.is_set():
            return
        appeared = message.run.progress is None
        message.run.progress = message.progress
        if appeared:
            self.refresh_bindings()
        self._render_checklist()
        self._render_clock()

    def on_claude_answered(self, message: msg.ClaudeAnswered) -> None:
        """Merged: journaled with the short diff; failed: one line on screen and in the timeline."""
        from maestro import events as ev

        if message.run is not self._claude:
            return
        self._claude = None
        self.refresh_bindings()
        refinement = message.refinement
        if refinement is None:
            return
        if refinement.triage is None:
            self.notify(refinement.note, title="Claude triage", severity="warning", timeout=10, markup=False)
            self.record(ev.EventKind.TRIAGE_FAILED, ev.TriageFailed(engine="claude", reason=refinement.note))
        elif self.record(
            ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=refinement.triage, summary=refinement.note)
        ):
            self.notify(refinement.note, title="Claude triage merged", markup=False)
        self._render_checklist()
        self._render_clock()

    def action_cancel_claude(self) -> None:
        """A person's choice: the stream stops, the rules triage stays, the timeline says so."""
        from maestro import events as ev
        from maestro.triage.claude import CANCELLED

        run = self._claude
        if run is None:
            return
        self._claude = None
        run.cancel.set()
        self.workers.cancel_group(self, "claude")
        self.refresh_bindings()
        self.notify(CANCELLED, title="Claude triage")
        if not self.record(ev.EventKind.TRIAGE_FAILED, ev.TriageFailed(engine="claude", reason=CANCELLED)):
            self._render_checklist()
            self._render_clock()

    def on_triage_failed(self, message: msg.TriageFailed) -> None:
        from maestro import events as ev

        self.notify(f"{message.engine} triage failed: {message.reason}", severity="error", timeout=10)
        self.record(ev.EventKind.TRIAGE_FAILED, ev.TriageFailed(engine=message.engine, reason=message.reason))

    def on_evidence_polled(self, message: msg.EvidencePolled) -> None:
        if message.evidence is not None:
            self.live = message.evidence
            self.engine_problem = ""
            self._tell_drift(message.evidence)
        else:
            self.engine_problem = message.problem or "the engine did not answer"
        self._render_services()
        self._render_clock()

    def on_reports_exported(self, message: msg.ReportsExported) -> None:
        from maestro import events as ev
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

    def _tell_drift(self, live: Evidence) -> None:
        """Say when the live signals drift from the ones the triage saw; `t` runs the triage again."""
        incident = self.incident
        drift = self._signal_watch.update(incident.evidence, live) if incident and incident.triage else ""
        if drift:
            self.notify(drift, title="Evidence changed", timeout=20)

    def _journal_swarm_news(self, news: list[SwarmEvent]) -> None:
        """Engine events, already throttled, become timeline entries."""
        from maestro import events as ev

        for payload in news:
            if not self.record(ev.EventKind.SWARM_EVENT, payload):
                return

    def on_unmount(self) -> None:
        if self._session is not None:
            self.poller.stop()
        if self._claude is not None:
            self._claude.cancel.set()


def _labelled(command: Command) -> Command:
    """The command with its danger decided locally; a label given upstream is never lowered."""
    from maestro.safety import classify

    local = classify(command.text)
    danger = max(command.danger, local, key=DANGER_ORDER.index)
    return command if danger is command.danger else command.model_copy(update={"danger": danger})
