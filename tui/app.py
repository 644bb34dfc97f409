"""The incident commander: opens the session and hands the incident to the incident screen.

The app owns what spans every screen: the intake form, opening (or failing to open) the session, toasts
and the clipboard (both made inert here), help and the palette. Everything about the open incident (its
triage, Claude, the polls, the panes and the reports) happens in the incident screen.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.screen import Screen

from maestro import lazy, paths
from maestro.incident_ahead import WAIT_S as AHEAD_WAIT_S
from maestro.session import Session, SessionError, SessionRequest, open_session
from maestro.text import copyable, literal
from maestro.utc import Clock, utc_now
from tui import actions, screens
from tui.palette import ActionPalette
from tui.screens.incident import IncidentScreen

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from maestro.collect.source import EvidenceSource
    from maestro.config import Config
    from maestro.incident import Incident
    from maestro.journal import Journal
    from maestro.model import IncidentContext

TOASTS_KEPT = 100


@dataclass(frozen=True)
class Toast:
    """A toast as it was shown: its text already made literal."""

    message: str
    title: str
    severity: str


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
        self.reports_root: Path = paths.reports_dir()
        """Reports go to reports_root / incident id."""
        self.open_error = ""
        """Why the session could not be opened; the command prints it once the screen is gone."""
        self.toasts: deque[Toast] = deque(maxlen=TOASTS_KEPT)
        """The latest toasts, newest last, as they were shown."""
        self._request = request
        self._session: Session | None = None
        self._panes_first = request is not None or incident_id is not None or new_context is not None
        """Whether the incident panes are the first screen (else the intake form asks for an incident)."""
        if request is None:
            if journal is None or config is None:
                raise TypeError("MaestroApp needs a journal and a config, or a session request")
            self._session = Session(journal, config, incident_id, new_context, evidence_source)

    @property
    def journal(self) -> Journal:
        assert self._session is not None
        return self._session.journal

    @property
    def incident_screen(self) -> IncidentScreen | None:
        """The incident screen, while the app runs (timers and messages can outlive it at shutdown)."""
        if not self.is_running:
            return None
        return next((s for s in self.screen_stack if isinstance(s, IncidentScreen)), None)

    @property
    def incident(self) -> Incident | None:
        """The open incident as the incident screen keeps it."""
        screen = self.incident_screen
        return screen.incident if screen is not None else None

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
        shown, heading = literal(message), literal(title, one_line=True)
        self.toasts.append(Toast(shown, heading, severity))
        super().notify(shown, title=heading, severity=severity, timeout=timeout, markup=False)

    def copy_to_clipboard(self, text: str) -> None:
        """The one way to the clipboard: the OSC 52 payload is the text alone, its control characters made
        visible, so a paste runs only what the screen showed."""
        super().copy_to_clipboard(copyable(text))

    def get_default_screen(self) -> Screen[None]:
        """The incident panes are the first frame whenever no intake form has to come first."""
        return IncidentScreen() if self._panes_first else super().get_default_screen()

    def on_mount(self) -> None:
        if not self._panes_first:
            self._ask_for_an_incident()
            return
        ahead = self._request.ahead if self._request is not None else None
        if ahead is None:
            self.call_after_refresh(self._open_or_resume)
            return
        asyncio.get_running_loop().add_reader(ahead.fileno(), self._ahead_wrote)
        self.set_timer(AHEAD_WAIT_S, self._take_ahead)

    def _ahead_wrote(self) -> None:
        request = self._request
        if request is not None and request.ahead is not None and request.ahead.read():
            self._take_ahead()

    def _take_ahead(self) -> None:
        """Draw the checklist the second process journaled (or read), then open the session on its incident; when
        it opened none, resumed one (it is the one asked for) or is still busy (it is stopped), the session opens
        as asked."""
        request = self._request
        if request is None or (ahead := request.ahead) is None:
            return
        asyncio.get_running_loop().remove_reader(ahead.fileno())
        ahead.stop()
        self._request = replace(request, ahead=None)
        opened = ahead.outcome()
        if opened is not None:
            if not opened.resumed:
                self._request = replace(self._request, incident=opened.incident_id, description=None, opened_ahead=True)
            self.sub_title = opened.incident_id
            if opened.checklist is not None and (screen := self.incident_screen) is not None:
                screen.show_checklist_view(opened.checklist)
        self.call_after_refresh(self._open_or_resume)

    def _ask_for_an_incident(self) -> None:
        def answered(context: IncidentContext | None) -> None:
            if context is None:
                self.exit(message="No incident opened.")
                return
            if self.incident_screen is None:
                self.push_screen(IncidentScreen())
            self.call_after_refresh(self._open_or_resume, context)

        self.push_screen(screens.intake.IntakeScreen(), answered)

    def _open_session(self) -> Session | None:
        """Open the requested session (once); None when it failed and the app is leaving."""
        if self._request is not None:
            try:
                self._session = open_session(self._request)
            except SessionError as exc:
                self.open_error = str(exc)
                self.exit(return_code=2)
                return None
            self._request = None
        return self._session

    def _open_or_resume(self, context: IncidentContext | None = None) -> None:
        """Open the incident (or resume it) and hand it to the incident screen: the one hop through the app."""
        session = self._open_session()
        if session is None:
            return
        context = context or session.new_context
        if session.incident_id is None and context is None:
            self._ask_for_an_incident()
            return
        try:
            incident_id = session.incident_id or session.journal.open_incident(context).incident_id  # type: ignore[arg-type]
            incident = session.journal.incident(incident_id)
        except lazy.journal.JournalError as exc:
            self.exit(return_code=1, message=f"maestro-tui: {exc}")
            return
        self.sub_title = incident.id
        if (screen := self.incident_screen) is not None:
            screen.open(session, incident, self.clock, self.reports_root / incident.id)
        if session.greeting:
            self.notify(session.greeting, markup=False)

    # --- actions ------------------------------------------------------------------

    def palette_offers(self, action: actions.Action) -> bool:
        """The palette offers what the keys would do now."""
        screen = self.incident_screen
        if action.where == "app":
            return True
        return screen is not None and screen.check_action(action.id, ()) is True

    def action_help(self) -> None:
        if not isinstance(self.screen, screens.help.HelpScreen):
            self.push_screen(screens.help.HelpScreen())

    def action_request_quit(self) -> None:
        """Quit; with an incident open, its screen offers the reports first."""
        if isinstance(self.screen, screens.dialogs.QuitDialog):
            return
        if (screen := self.incident_screen) is not None and screen.incident is not None:
            screen.request_quit()
        else:
            self.exit()
