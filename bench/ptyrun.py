"""Run a Python snippet as a real terminal program: a child process on a pseudo-terminal of a given size."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class PtyProgram:
    """`python -c code *args` on a pty; read its output, type into it, stop it by its pid."""

    def __init__(
        self, code: str, *args: str, size: tuple[int, int] = (160, 48), env: Mapping[str, str | None] | None = None
    ) -> None:
        """`env` adds variables to this process's environment; a None value removes one."""
        master, slave = pty.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        terminal = {"TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows), "TEXTUAL": None}
        changes = {**terminal, **(env or {})}
        child_env = {k: v for k, v in {**os.environ, **changes}.items() if v is not None}
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=ROOT,
            env=child_env,
            start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.output = b""

    def read_until(self, marker: bytes, timeout: float = 20.0, start: int = 0) -> float:
        """Seconds since the program started when `marker` first appears in its output after offset `start`."""
        deadline = time.perf_counter() + timeout
        while marker not in self.output[start:]:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{marker!r} not written within {timeout} s")
            if not self._read(left):
                raise EOFError(f"program ended before writing {marker!r}")
        return time.perf_counter() - self.started

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the program has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def drain(self, quiet_s: float = 0.05) -> None:
        while self._read(quiet_s):
            pass

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:
            return False
        self.output += chunk
        return bool(chunk)

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def wait(self, timeout: float = 10.0) -> int:
        deadline = time.perf_counter() + timeout
        while self.process.poll() is None and time.perf_counter() < deadline:
            self._read(0.05)
        return self.process.wait(timeout=max(deadline - time.perf_counter(), 0.1))

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.master)
