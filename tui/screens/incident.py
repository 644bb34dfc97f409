"""The incident screen: six panes in a grid when there is room, one pane per tab when there is not.

It owns its panes' keys and messages (copy, logs, escalate, ticks, ...): each reads the scene it was
last shown and writes through the recorder. What keeps the incident current (triage, Claude, polls) is its
live side, tui.screens.incident_session; the app only opens the session and hands it over.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widget import Widget
from textual.widgets import DataTable, Input, Tab, Tabs

from maestro import lazy
from maestro.text import copyable, hms
from tui import actions, screens, workers
from tui.screens.incident_session import IncidentSession
from widgets.checklist import SeverityChecklist
from widgets.command_deck import CommandDeck
from widgets.escalation import EscalationPanel
from widgets.footer import KeysFooter
from widgets.incident_header import IncidentHeader
from widgets.recovery import RecoveryPlan
from widgets.saving_banner import SavingBanner
from widgets.services import ServicesPanel
from widgets.timeline import Timeline

if TYPE_CHECKING:
    from maestro.model import Severity
    from maestro.notify.send import Delivery, Record
    from maestro.pane_views import ChecklistView, DeckCommand
    from maestro.screen_view import Scene
    from tui.messages import NotificationsSent, ReportsExported, ReportsFailed
    from tui.screens.status_update import UpdateChoice

PANES: tuple[tuple[str, str], ...] = tuple((title.lower(), title) for title in actions.PANE_TITLES)
"""Focus order (and the digit keys): down the left column, then down the right one."""

ISSUE_PANES = ("checklist", "recovery", "commands")
"""Panes about one issue: there `l` shows the logs of the issue's service."""

GRID_MIN_WIDTH = 120
GRID_MIN_HEIGHT = 32


class PaneTabs(Tabs, can_focus=False):
    """Pane names for small terminals; `tab` moves between panes, so this never takes focus."""


class IncidentScreen(IncidentSession, inherit_bindings=False):
    BINDINGS = actions.bindings("incident")

    def __init__(self) -> None:
        super().__init__(id="incident")
        self.active_pane = PANES[0][0]
        self._pane_history: list[str] = []
        """The panes shown before the active one, for `esc`."""
        self.scene: Scene | None = None
        """What the panes show now; None until the session is open."""
        self._early_checklist: ChecklistView | None = None
        """The checklist the second process journaled, drawn until the session is open here."""
        self.selected_issue: str | None = None

    def compose(self) -> ComposeResult:
        self._layout_for(self.app.size.width, self.app.size.height)
        yield IncidentHeader(id="header")
        yield SavingBanner(id="not-saving")
        if not self.has_class("-grid"):
            yield self._tabs()
        panes = {  # the grid fills row by row: left pane, right pane
            "checklist": SeverityChecklist,
            "services": ServicesPanel,
            "recovery": RecoveryPlan,
            "commands": CommandDeck,
            "escalation": EscalationPanel,
            "timeline": Timeline,
        }
        titles = {name: f"{number} {title}" for number, (name, title) in enumerate(PANES, start=1)}
        with Grid(id="panes"):
            for name, widget_class in panes.items():
                widget = widget_class(id=name, classes="pane -active" if name == self.active_pane else "pane")
                widget.border_title = titles[name]
                yield widget
        yield KeysFooter()

    def on_mount(self) -> None:
        self.show_pane(self.active_pane)
        if self._early_checklist is not None and self.scene is None:
            self.checklist.show(self._early_checklist)

    def on_resize(self, event: events.Resize) -> None:
        self._layout_for(event.size.width, event.size.height)
        if not self.has_class("-grid") and not self.query(PaneTabs):
            self.mount(self._tabs(), before="#panes")

    def _layout_for(self, width: int, height: int) -> None:
        self.set_class(width >= GRID_MIN_WIDTH and height >= GRID_MIN_HEIGHT, "-grid")

    def _tabs(self) -> PaneTabs:
        """Pane names for small terminals, made only when the terminal is small."""
        tabs = [Tab(f"{number} {title}", id=f"tab-{pane}") for number, (pane, title) in enumerate(PANES, start=1)]
        return PaneTabs(*tabs, active=f"tab-{self.active_pane}")

    @property
    def checklist(self) -> SeverityChecklist:
        return self.query_one(SeverityChecklist)

    @property
    def recovery(self) -> RecoveryPlan:
        return self.query_one(RecoveryPlan)

    @property
    def services(self) -> ServicesPanel:
        return self.query_one(ServicesPanel)

    @property
    def escalation(self) -> EscalationPanel:
        return self.query_one(EscalationPanel)

    @property
    def commands(self) -> CommandDeck:
        return self.query_one(CommandDeck)

    @property
    def timeline(self) -> Timeline:
        return self.query_one(Timeline)

    @property
    def header(self) -> IncidentHeader:
        return self.query_one(IncidentHeader)

    # --- drawing -------------------------------------------------------------------

    def show(self, scene: Scene) -> None:
        """Redraw every pane from this scene."""
        self.scene = scene
        if not self.is_mounted:
            return
        incident = scene.incident
        self.show_checklist(scene)
        self.recovery.show(
            incident.phases(),
            set(incident.ticked),
            set(incident.phases_done),
            lazy.screen_view.recovery_total(incident),
        )
        self.timeline.show(incident.timeline)
        self.call_after_refresh(self._show_deck)  # the checklist and the rest reach the terminal first
        self.show_services(scene)
        self.show_clock(scene)

    def _show_deck(self) -> None:
        if self.scene is not None and self.is_mounted:
            self.commands.show(lazy.screen_view.deck_view(self.scene, self.selected_issue))

    def show_checklist_view(self, view: ChecklistView) -> None:
        """Draw a checklist worked out before the incident was open in this process (maestro.incident_ahead): now,
        or as soon as the panes are mounted."""
        self._early_checklist = view
        if self.is_mounted:
            self.checklist.show(view)

    def show_checklist(self, scene: Scene) -> None:
        self.scene = scene
        self.checklist.show(lazy.screen_view.checklist_view(scene))

    def show_services(self, scene: Scene) -> None:
        self.scene = scene
        latest = scene.latest
        rows = scene.latest_rows if latest is not None and scene.evidence is latest else None
        self.services.show(scene.evidence, problem=scene.engine_problem, has_engine=scene.has_engine, rows=rows)

    def show_clock(self, scene: Scene) -> None:
        """The escalation timer and the header: every second, and whenever what they show changes."""
        self.scene = scene
        self.escalation.show(lazy.screen_view.timer_view(scene))
        self.header.show(lazy.screen_view.header_view(scene))
        self.query_one(SavingBanner).show(scene.not_saving)

    def pane(self, pane: str) -> Widget:
        return self.query_one(f"#{pane}", Widget)

    def show_pane(self, pane: str, *, remember: bool = True) -> None:
        """Make this pane the active one (the visible tab on small terminals) and focus it."""
        self._activate(pane, remember=remember)
        widget = self.pane(pane)
        focus_main = getattr(widget, "focus_main", None)
        if focus_main is not None:
            focus_main()
        else:
            widget.focus()

    def _activate(self, pane: str, *, remember: bool = True) -> None:
        if remember and pane != self.active_pane:
            self._pane_history = [*[p for p in self._pane_history if p != self.active_pane][-5:], self.active_pane]
        self.active_pane = pane
        for name, _ in PANES:
            self.pane(name).set_class(name == pane, "-active")
        for tabs in self.query(PaneTabs):
            tabs.active = f"tab-{pane}"

    def action_next_pane(self) -> None:
        self._step(1)

    def action_previous_pane(self) -> None:
        self._step(-1)

    def action_pane(self, number: int) -> None:
        """Digits 1-6: that pane (on small terminals, its tab)."""
        self.show_pane(PANES[number - 1][0])

    def action_back(self) -> None:
        """`esc`: the pane shown before this one (and again, the one before that)."""
        if self._pane_history:
            self.show_pane(self._pane_history.pop(), remember=False)

    def _step(self, direction: int) -> None:
        names = [name for name, _ in PANES]
        self.show_pane(names[(names.index(self.active_pane) + direction) % len(names)])

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        pane = (event.tab.id or "").removeprefix("tab-")
        if pane and pane != self.active_pane:
            self.show_pane(pane)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        for name, _ in PANES:
            pane = self.pane(name)
            if event.widget is pane or pane in event.widget.ancestors:
                if name != self.active_pane:
                    self._activate(name)
                return

    # --- pane actions ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The pane keys wait for an incident (the intake form comes first); escape cancels Claude only while it
        streams and the filter does not want escape."""
        if action == "cancel_claude":
            return self.claude_streaming and not isinstance(self.focused, Input)
        return self.incident is not None or action not in actions.NEEDS_AN_INCIDENT

    def action_copy(self) -> None:
        """Copy the highlighted command; a destructive one (its label or its text says so) asks first, with why."""
        entry = self.commands.selected
        if entry is None:
            self.notify("No command highlighted in the command deck.", severity="warning", markup=False)
            return
        text = entry.command.text
        if (
            lazy.model.Danger.worst(entry.command.danger, lazy.safety.classify(text))
            is not lazy.model.Danger.DESTRUCTIVE
        ):
            self._copy(entry)
            return
        why = "\n".join(f"- {reason}" for reason in lazy.safety.reasons(text)) or "- labelled destructive"
        shown = copyable(text)
        if shown != text:
            why += "\n\nIt holds control characters: it is copied with them made visible, as shown above."
        question = "This command is DESTRUCTIVE. Copy it anyway?"
        dialog = screens.dialogs.ConfirmDialog(question, f"{shown}\n\n{why}", yes="Copy", danger=True)
        self.app.push_screen(dialog, lambda ok: self._copy(entry) if ok else None)

    def _copy(self, entry: DeckCommand) -> None:
        command = entry.command
        danger = lazy.model.Danger.worst(command.danger, lazy.safety.classify(command.text))
        payload = lazy.ev.CommandCopied(command=command.text, danger=danger, issue_id=entry.issue_id)
        if not self._record(lazy.ev.EventKind.COMMAND_COPIED, payload):
            return
        copied = copyable(command.text)
        self.app.copy_to_clipboard(copied)
        self.commands.show_copied(copied)
        self.notify(copied.splitlines()[0] if copied else "", title=f"Copied ({danger.value})", markup=False)

    def action_logs(self) -> None:
        """The logs of the service in front of the person: the highlighted issue's in the checklist, recovery
        and command panes, else the one selected in the services pane."""
        service = self._issue_service() if self.active_pane in ISSUE_PANES else None
        service = service or self.services.selected_service
        if service is None:
            self.notify("No service selected.", severity="warning", markup=False)
            return
        self.show_logs(service)

    def _issue_service(self) -> str | None:
        """The service the highlighted issue is about, when it is one the evidence knows."""
        scene = self.scene
        triage = scene.incident.triage if scene else None
        issue = triage.issue(self.selected_issue) if triage and self.selected_issue else None
        evidence = scene.evidence if scene else None
        if issue is None or evidence is None:
            return None
        return issue.subject if any(s.name == issue.subject for s in evidence.services) else None

    def show_logs(self, service: str) -> None:
        """The service's logs: read from the engine in a worker when there is one, else the lines the poll kept."""
        evidence = self.scene.evidence if self.scene else None
        captured = [line for line in (evidence.logs if evidence else []) if line.service == service]
        engine = self.poller.engine if self.poller is not None else None
        read = engine.logs if engine is not None else None
        self.app.push_screen(
            screens.logs.LogsScreen(service, captured, (lambda: read(service)) if read is not None else None)
        )

    def show_tasks(self, service: str) -> None:
        evidence = self.scene.evidence if self.scene else None
        tasks = screens.tasks.TasksScreen(
            service, evidence.tasks if evidence else [], evidence.collected_at if evidence else None
        )
        self.app.push_screen(tasks, lambda choice: self.show_logs(service) if choice == "logs" else None)

    @on(DataTable.RowSelected, "#services-table")
    def _service_chosen(self) -> None:
        if service := self.services.selected_service:
            self.show_tasks(service)

    def action_filter(self) -> None:
        self.show_pane("services")
        self.services.open_filter()

    def action_escalate(self) -> None:
        """Escalate to whom the rules say (else one step up the chain); the contact's channel is told."""
        if self.scene is None:
            return
        incident, config = self.scene.incident, self.scene.config
        top = self.scene.advice.top
        step = (top.level, config.escalation[top.level]) if top else lazy.escalation.next_escalation(incident, config)
        if step is None:
            current = config.escalation[min(incident.escalation_level, len(config.escalation) - 1)]
            top_of_chain = f"Already at the top of the chain: {current.label_with_contact}"
            self.notify(top_of_chain, severity="warning", markup=False)
            return
        level, contact = step
        if top is not None:
            reason = top.reason
        else:
            state = lazy.escalation.clock(incident, config, self.clock())
            reason = f"{state.severity} open {hms(state.elapsed.total_seconds())}"
        lines = [f"Why: {reason}"]
        if contact.escalate_if:
            lines.append("Escalate if: " + "; ".join(contact.escalate_if))
        channel = config.notify_channel(contact.notify) if contact.notify else None
        lines.append(f"Notifies: {channel.name} ({channel.kind})" if channel else "No [[notify]] channel: call them")

        def answered(ok: bool | None) -> None:
            if ok:
                self._escalate(level, reason)

        question = f"Escalate to {contact.label_with_contact}?"
        self.app.push_screen(screens.dialogs.ConfirmDialog(question, "\n".join(lines), yes="Escalate"), answered)

    def _escalate(self, level: int, reason: str) -> None:
        if self.scene is None or self.recorder is None:
            return
        incident, config, who = self.scene.incident, self.scene.config, self.recorder.journal.actor
        contact = config.escalation[level]
        now = self.clock()
        self._send(
            f"Escalated to {contact.label}",
            lambda record: lazy.escalation.escalate(record, incident, level, reason, config, now, who),
        )

    def action_status_update(self) -> None:
        """Draft (journaled, the clock keeps running), let the person edit and choose, confirm, then send."""
        if self.scene is None:
            return
        incident, config = self.scene.incident, self.scene.config
        text = lazy.status_update.draft(incident, self.clock(), self.scene.evidence)
        number = incident.next_update_number
        if not self._record(
            lazy.ev.EventKind.STATUS_UPDATE_DRAFTED, lazy.ev.StatusUpdateDrafted(number=number, text=text)
        ):
            return
        channels = [
            screens.status_update.ChannelChoice(c.name, c.kind.value, c.kind is not lazy.channel.ChannelKind.PAGERDUTY)
            for c in config.notify
        ]
        title = f"Status update #{number}: edit it, tick where it goes"
        self.app.push_screen(screens.status_update.StatusUpdateDialog(title, text, channels), self._update_chosen)

    def _update_chosen(self, choice: UpdateChoice | None) -> None:
        if choice is None:
            return
        if not choice.channels:
            self._send_update(choice)
            return
        question = f"Send this update to {', '.join(choice.channels)}?"
        detail = "\n".join(choice.text.splitlines()[:6])
        self.app.push_screen(
            screens.dialogs.ConfirmDialog(question, detail, yes="Send"),
            lambda ok: self._send_update(choice) if ok else None,
        )

    def _send_update(self, choice: UpdateChoice) -> None:
        if self.scene is None or self.recorder is None:
            return
        incident, config, who = self.recorder.incident, self.scene.config, self.recorder.journal.actor
        now = self.clock()
        number = incident.next_update_number
        title = f"Status update #{number}"
        if not choice.channels:
            lazy.status_update.send(self._record, incident, choice.text, (), config, now, who)
            self.notify(f"{title} marked as posted by hand.", title=title, markup=False)
            return
        self._send(
            title,
            lambda record: lazy.status_update.send(record, incident, choice.text, choice.channels, config, now, who),
        )

    def _send(self, title: str, operation: Callable[[Record], list[Delivery]]) -> None:
        """Run a notifying operation in a worker: the screen never waits on the network."""
        record = partial(self.app.call_from_thread, self._record)
        work = partial(workers.send_notifications, self.post_message, record, title, operation)
        self.run_worker(work, thread=True, exit_on_error=False, group="notify", description=title)

    def on_notifications_sent(self, message: NotificationsSent) -> None:
        message.stop()
        text = "\n".join(message.lines)
        self.notify(text, title=message.title, severity="information" if message.ok else "error", markup=False)

    def action_conditions(self) -> None:
        if self.scene is None:
            return
        present = frozenset(self.scene.incident.conditions)

        def answered(chosen: frozenset[lazy.ev.Condition] | None) -> None:
            if chosen is None:
                return
            for condition in lazy.ev.Condition:
                if (condition in chosen) != (condition in present):
                    payload = lazy.ev.ConditionReported(condition=condition, present=condition in chosen)
                    if not self._record(lazy.ev.EventKind.CONDITION_REPORTED, payload):
                        return

        self.app.push_screen(screens.conditions.ConditionsDialog(present), answered)

    def action_note(self) -> None:
        def answered(text: str | None) -> None:
            if text:
                self._record(lazy.ev.EventKind.NOTE_ADDED, lazy.ev.NoteAdded(text=text))

        self.app.push_screen(
            screens.dialogs.TextPrompt("Add a note to the timeline", "what happened, what you tried"), answered
        )

    def action_severity(self) -> None:
        if self.scene is None:
            return

        def answered(severity: Severity | None) -> None:
            current = self.recorder.incident.severity if self.recorder else None
            if severity is None:
                return
            if severity == current:
                self.notify(f"Severity is already {severity}.", markup=False)
                return
            self._record(
                lazy.ev.EventKind.SEVERITY_CHANGED, lazy.ev.SeverityChanged(severity=severity, reason="set by hand")
            )

        self.app.push_screen(screens.dialogs.SeverityDialog(self.scene.incident.severity), answered)

    def action_resolve(self) -> None:
        """Resolve with a word on what fixed it; with P0 issues open or services down, ask first."""
        if self.scene is None:
            return
        incident = self.scene.incident
        if incident.status in (lazy.model.IncidentStatus.RESOLVED, lazy.model.IncidentStatus.CLOSED):
            self.notify(f"Already {incident.status.value}: {incident.resolution}", markup=False)
            return

        def answered(text: str | None) -> None:
            if text and self._record(lazy.ev.EventKind.RESOLVED, lazy.ev.Resolved(resolution=text)):
                self._announce_resolution()

        def ask_what_fixed_it(ok: bool | None = True) -> None:
            if ok:
                prompt = screens.dialogs.TextPrompt(
                    "Resolved: what fixed it?", "rolled back web to v1; queue reachable again"
                )
                self.app.push_screen(prompt, answered)

        against = lazy.screen_view.before_resolving(self.scene)
        if not against:
            ask_what_fixed_it()
            return
        detail = "\n".join(f"- {reason}" for reason in against)
        dialog = screens.dialogs.ConfirmDialog(
            "Resolve while the incident still shows trouble?", detail, yes="Resolve", danger=True
        )
        self.app.push_screen(dialog, ask_what_fixed_it)

    def _announce_resolution(self) -> None:
        """Every configured channel gets the final update (PagerDuty resolves its alert)."""
        if self.scene is None or self.recorder is None or not self.scene.config.notify:
            return
        incident, config, who = self.recorder.incident, self.scene.config, self.recorder.journal.actor
        now = self.clock()
        text = lazy.status_update.draft(incident, now, self.scene.evidence)
        names = [c.name for c in config.notify]
        self._send(
            "Resolution sent", lambda record: lazy.status_update.send(record, incident, text, names, config, now, who)
        )

    def action_root_cause(self) -> None:
        """Confirm the highlighted issue's cause as the incident's root cause (asks first), or withdraw it."""
        if self.scene is None:
            return
        incident = self.scene.incident
        issue = incident.triage.issue(self.selected_issue) if incident.triage and self.selected_issue else None
        if issue is None:
            self.notify("Highlight an issue in the checklist first.", severity="warning", markup=False)
            return
        confirmed = any(r.issue_id == issue.id for r in incident.root_causes_confirmed)
        if confirmed:
            question, yes = f"Withdraw the confirmed root cause: {issue.title}?", "Withdraw"
            detail = issue.root_cause
        else:
            question, yes = f"Confirm the root cause: {issue.title}?", "Confirm"
            facts = [
                f"measured: {s.kind} on {s.subject}: {s.detail}" for s in lazy.root_cause.measured(incident, issue)
            ]
            facts += [f"check: {issue.check}"] if issue.check else []
            detail = "\n".join([issue.root_cause, *facts]).strip()

        def answered(ok: bool | None) -> None:
            if not ok:
                return
            payload = lazy.ev.RootCauseConfirmed(issue_id=issue.id, confirmed=not confirmed)
            if self._record(lazy.ev.EventKind.ROOT_CAUSE_CONFIRMED, payload):
                done = "withdrawn" if confirmed else "confirmed"
                self.notify(f"Root cause {done}: {issue.title}", title="Root cause", markup=False)

        self.app.push_screen(screens.dialogs.ConfirmDialog(question, detail, yes=yes), answered)

    # --- pane messages ------------------------------------------------------------------

    # A press toggles what the journal holds at that moment, not what the pane showed: eight fast presses are
    # eight alternating events, and another responder's tick in between is taken into account.

    def on_severity_checklist_tick_requested(self, message: SeverityChecklist.TickRequested) -> None:
        self._tick_item(message.item_id, message.label)

    def on_recovery_plan_tick_requested(self, message: RecoveryPlan.TickRequested) -> None:
        self._tick_item(message.item_id, message.label)

    def on_recovery_plan_phase_tick_requested(self, message: RecoveryPlan.PhaseTickRequested) -> None:
        if self.recorder is not None:
            self.recorder.toggle(lazy.ev.PhaseTicked(phase=message.phase_id, label=message.label))

    def on_severity_checklist_issue_highlighted(self, message: SeverityChecklist.IssueHighlighted) -> None:
        if message.issue_id == self.selected_issue:
            return
        self.selected_issue = message.issue_id
        if self.scene is not None:
            self.commands.show(lazy.screen_view.deck_view(self.scene, self.selected_issue))

    def on_severity_checklist_details_requested(self, message: SeverityChecklist.DetailsRequested) -> None:
        incident = self.scene.incident if self.scene else None
        issue = incident.triage.issue(message.issue_id) if incident and incident.triage else None
        if incident is not None and issue is not None:
            self.app.push_screen(
                screens.issue.IssueCard(lazy.screen_view.checked_issue(issue), done=incident.is_ticked(issue.id))
            )

    # --- the export -------------------------------------------------------------------------------------------

    def action_export(self, then_quit: bool = False) -> None:
        """Write the reports in a worker; they are recorded here (as the command records them), then shown."""
        folder, scene = self.reports_folder, self.scene
        if folder is None or scene is None or self.recorder is None:
            return
        self.notify(f"Exporting the reports to {folder} ...", markup=False)
        record = partial(self.app.call_from_thread, self._record)
        work = partial(
            workers.export_reports, self.post_message, record, self.recorder.incident, scene.config, folder,
            self.clock(), then_quit,
        )  # fmt: skip
        self.run_worker(
            work, thread=True, exclusive=True, exit_on_error=False, group="export", description="export reports"
        )

    def on_reports_exported(self, message: ReportsExported) -> None:
        message.stop()
        if message.then_quit:
            self.app.exit(message=f"Reports exported to {message.folder}")
            return
        listing = "\n".join(path.name for path in message.files)
        viewer = screens.dialogs.TextViewer(f"Reports exported to {message.folder}", f"{message.folder}\n\n{listing}")
        self.app.push_screen(viewer)

    def on_reports_failed(self, message: ReportsFailed) -> None:
        message.stop()
        failed = f"Export failed, nothing written to the journal: {message.reason}"
        self.notify(failed, severity="error", timeout=10, markup=False)
