"""The description's rules triage, worked out in a second process while the screen starts.

The first frame and the first triage each cost a few hundred milliseconds of CPU; with a spare core they
need not queue. Before the UI toolkit loads (no thread exists yet), the command forks a child that loads
the config, triages the context the session is about to open and writes the result to a pipe. The
screen's first triage takes it when it was made for the same context and config. A child that failed,
a mismatch, or a child still busy after TAKE_WAIT_S is let go (stopped by its PID) and the triage runs
in-process as it always did: this only ever saves time.
"""

from __future__ import annotations

import hashlib
import os
import select
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from maestro.config import Config
    from maestro.model import IncidentContext, Triage

TAKE_WAIT_S = 3.0
"""How long the first triage waits for the child before triaging in-process."""
NICENESS = 10
"""The child yields the CPU to the screen's first frame when no core is free."""


class TriageAhead:
    """A child process triaging one context; `take` collects its answer once, `close` lets it go."""

    def __init__(self, pid: int, read_fd: int) -> None:
        self.pid = pid
        self._read_fd: int | None = read_fd

    @classmethod
    def start(cls, description: str, when: str, config_path: Path | None, *, demo: bool) -> TriageAhead | None:
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
            _child(write_fd, description, when, config_path, demo=demo)
        os.close(write_fd)
        return cls(pid, read_fd)

    def take(self, context: IncidentContext, config: Config) -> Triage | None:
        """The child's triage if it was made for this context and config; None otherwise. Once only."""
        from maestro.model import Triage

        try:
            raw = self._read()
        finally:
            self.close()
        made_for, _, body = raw.partition(b"\n")
        if not body or made_for.decode(errors="replace") != fingerprint(context, config):
            return None
        try:
            return Triage.model_validate_json(body)
        except ValueError:
            return None

    def _read(self) -> bytes:
        """All the child wrote, once it closed the pipe within TAKE_WAIT_S; else nothing."""
        fd, chunks, deadline = self._read_fd, [], time.monotonic() + TAKE_WAIT_S
        while fd is not None and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return b""
            chunk = os.read(fd, 65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
        return b""

    def close(self) -> None:
        """Stop the child if it still runs (by its PID) and reap it; idempotent."""
        if self._read_fd is None:
            return
        os.close(self._read_fd)
        self._read_fd = None
        try:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done == 0:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except (ChildProcessError, ProcessLookupError):
            pass


def fingerprint(context: IncidentContext, config: Config) -> str:
    """What a triage was made from: the context (but when it began, which the journal adds and the triage does
    not read) and the config, hashed."""
    made_from = context.model_dump_json(exclude={"began_at"}) + "\n" + config.model_dump_json()
    return hashlib.sha256(made_from.encode()).hexdigest()


def _child(write_fd: int, description: str, when: str, config_path: Path | None, *, demo: bool) -> NoReturn:
    """Triage and write `fingerprint\\ntriage json`; never touches the terminal, never returns."""
    code = 1
    try:
        os.nice(NICENESS)
        quiet = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(quiet, stream)
        from maestro.model import IncidentContext
        from maestro.session import load_config
        from maestro.triage.pipeline import rules_triage
        from maestro.utc import utc_now

        config = load_config(config_path)
        if demo:
            from maestro.demo import CONTEXT as context
        else:
            context = IncidentContext(description=description.strip(), when=when)
        answer = (
            f"{fingerprint(context, config)}\n".encode()
            + rules_triage(context, None, config, utc_now()).model_dump_json().encode()
        )
        while answer:
            answer = answer[os.write(write_fd, answer) :]
        code = 0
    except BaseException:
        pass
    finally:
        os._exit(code)
