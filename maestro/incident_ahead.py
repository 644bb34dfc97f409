"""The incident opened ahead: a second process opens it (a new one: triaged and its triage journaled) while the
screen starts, so the checklist can be drawn before the screen's process has loaded the models.

The screen's first frame and the first triage each cost a few hundred milliseconds of CPU; with a spare core
they need not queue. Before the UI toolkit loads (no thread exists yet), the command forks a child that does
what the screen would do first, with the same functions: it opens the session (`open_session`), opens the new
incident in the journal, runs the rules triage, journals it (`Recorder.record_triage`) and works out the
checklist (`screen_view.checklist_view`). It writes `incident <id>` to a pipe as soon as the incident is
journaled, then the checklist as JSON. The screen draws that checklist (already in the journal, as everything
the screen shows) and then opens the session on that incident. An incident the session resumes instead (the
latest open one, `--incident`, the demo's) is only read: `resumed <id>`, then its checklist.

A child that failed, found nothing to open, or is still busy after WAIT_S is stopped by its PID; the screen
then opens or resumes the incident itself, as it always could: this only ever saves time.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from maestro.config import Config
    from maestro.incident import Incident
    from maestro.pane_views import ChecklistView
    from maestro.session import SessionRequest

WAIT_S = 3.0
"""How long the screen waits for the child before opening the incident itself."""
NICENESS = 5
"""On a busy machine the child yields some CPU to the screen's first frame (which it cannot speed up)."""
OPENED = b"incident "
RESUMED = b"resumed "


@dataclass(frozen=True)
class OpenedAhead:
    """What the child did: the incident it opened (or found to resume) and, once its triage was journaled (or
    read), the checklist of it."""

    incident_id: str
    checklist: ChecklistView | None = None
    resumed: bool = False
    """The incident was there already: the screen resumes it as asked, nothing of it is new."""


class IncidentAhead:
    """A child process opening one new incident; the screen reads its pipe without blocking (`fileno`, `read`)."""

    def __init__(self, pid: int, read_fd: int) -> None:
        self.pid = pid
        self._read_fd: int | None = read_fd
        self._received = b""
        self.done = False
        """The child closed its end of the pipe: it has written all it will."""

    @classmethod
    def start(cls, request: SessionRequest) -> IncidentAhead | None:
        """Fork the child, on Linux with a second core; None when there is no point or it cannot start."""
        if not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2:
            return None
        try:
            read_fd, write_fd = os.pipe()
        except OSError:
            return None
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return None
        if pid == 0:
            os.close(read_fd)
            _child(write_fd, request)
        os.close(write_fd)
        os.set_blocking(read_fd, False)
        return cls(pid, read_fd)

    def fileno(self) -> int:
        if self._read_fd is None:
            raise ValueError("the child's pipe is closed")
        return self._read_fd

    def read(self) -> bool:
        """Take what the child has written so far, without waiting; True once it has written all it will."""
        while self._read_fd is not None and not self.done:
            try:
                chunk = os.read(self._read_fd, 65536)
            except BlockingIOError:
                break
            except OSError:
                chunk = b""
            self._received += chunk
            self.done = not chunk
        return self.done

    def outcome(self) -> OpenedAhead | None:
        """What the child got done (read so far): None when it opened no incident."""
        first, newline, rest = self._received.partition(b"\n")
        said = next((word for word in (OPENED, RESUMED) if first.startswith(word)), None)
        if not newline or said is None:
            return None
        incident_id = first.removeprefix(said).decode(errors="replace").strip()
        if not incident_id:
            return None
        from maestro.pane_views import ChecklistView  # the command forks sooner without it

        try:
            checklist = ChecklistView.from_dict(json.loads(rest)) if self.done and rest else None
        except (ValueError, TypeError, KeyError):
            checklist = None
        return OpenedAhead(incident_id, checklist, resumed=said == RESUMED)

    def stop(self) -> None:
        """Stop the child if it still runs (by its PID), reap it and close the pipe; idempotent."""
        if self._read_fd is None:
            return
        self.read()
        os.close(self._read_fd)
        self._read_fd = None
        try:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done == 0:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except (ChildProcessError, ProcessLookupError):
            pass


def _child(write_fd: int, request: SessionRequest) -> NoReturn:
    """Open, triage, journal and write; never touches the terminal, never returns."""
    code = 1
    try:
        os.nice(NICENESS)
        quiet = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(quiet, stream)
        _open(write_fd, request)
        code = 0
    except BaseException:
        pass
    finally:
        os._exit(code)


def _open(write_fd: int, request: SessionRequest) -> None:
    from maestro.events import TriageGenerated
    from maestro.recorder import Recorder
    from maestro.session import open_session
    from maestro.triage.pipeline import rules_triage
    from maestro.utc import utc_now

    session = open_session(request)
    if session.new_context is None:
        if session.incident_id is not None:
            _write(write_fd, RESUMED + session.incident_id.encode() + b"\n")
            _write_checklist(write_fd, session.journal.incident(session.incident_id), session.config)
        return
    opened = session.journal.open_incident(session.new_context)
    _write(write_fd, OPENED + opened.incident_id.encode() + b"\n")
    recorder = Recorder(session.journal, session.journal.incident(opened.incident_id), _ignore, _ignore)
    triage = rules_triage(recorder.incident.context, None, session.config, utc_now())
    if not recorder.record_triage(TriageGenerated(triage=triage, summary="")):
        return
    _write_checklist(write_fd, recorder.incident, session.config)


def _write_checklist(fd: int, incident: Incident, config: Config) -> None:
    from maestro import screen_view
    from maestro.utc import utc_now

    _write(fd, json.dumps(asdict(screen_view.checklist_view(screen_view.Scene(incident, config, utc_now())))).encode())


def _write(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


def _ignore(*_: object) -> None:
    pass
