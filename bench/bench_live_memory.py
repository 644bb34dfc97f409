"""Resident memory of the real program watching a live swarm of 1,000 services.

Method: a private swarm lab (its own dockerd and network namespace, removed afterwards) gets 1,000
services (replicas 0, every 20th with 1 replica, as bench_poll.py makes them). `maestro-tui` then runs
as a child process on a 160x48 pseudo-terminal against that engine, polling every second, opening a
new incident (so the rules triage reads the 1,000 services too). Once the services pane has shown
several polls of all 1,000 services, VmRSS and VmHWM are read from /proc/<pid>/status; then the
program is quit with ctrl+q, n and the time it takes to exit is measured. Target: VmRSS <= 150 MB.

    .venv/bin/python bench/bench_live_memory.py [services]
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ptyrun import PtyProgram
from bench.swarm_services import private_lab

TARGET_MB = 150.0
POLLS = 5
CHILD = "import sys\nfrom tui.cli import main\nraise SystemExit(main(sys.argv[1:]))\n"


def memory_kib(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {key: int(re.search(rf"{key}:\s+(\d+)", status).group(1)) for key in ("VmRSS", "VmHWM")}  # type: ignore[union-attr]


def watch(host: str, count: int) -> tuple[dict[str, int], int, float, float]:
    """Run the program until it showed POLLS polls of `count` services; its memory, polls seen, times."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        config.write_text("poll_interval_s = 1.0\n", encoding="utf-8")
        args = ["--config", str(config), "--journal", f"{tmp}/journal.sqlite3", "--docker-host", host, "bench"]
        os.environ.pop("ANTHROPIC_API_KEY", None)
        program = PtyProgram(CHILD, *args, size=(160, 48))
        try:
            first = program.read_until(f"{count} services".encode(), timeout=120)
            seen: set[bytes] = set()
            deadline = time.perf_counter() + 60
            while len(seen) < POLLS and time.perf_counter() < deadline:
                program.drain(0.2)
                seen |= set(re.findall(rb"(\d\d:\d\d:\d\d); " + str(count).encode() + rb" services", program.output))
            memory = memory_kib(program.process.pid)
            program.type(b"\x11")  # ctrl+q
            program.read_until(b"Export reports before leaving?", timeout=10, start=len(program.output) - 1)
            asked = time.perf_counter()
            program.type(b"n")
            code = program.wait(timeout=10)
            quit_s = time.perf_counter() - asked
            if code != 0:
                raise SystemExit(f"maestro-tui exited with {code}")
        finally:
            program.stop()
    return memory, len(seen), first, quit_s


def main(count: int) -> int:
    t0 = time.perf_counter()
    with private_lab(f"maestro-benchrss-{os.getpid()}", count) as (host, _):
        print(f"private lab with {count} services ready in {time.perf_counter() - t0:.0f} s")
        memory, polls, first, quit_s = watch(host, count)
    rss_mb, peak_mb = memory["VmRSS"] / 1024, memory["VmHWM"] / 1024
    print(f"maestro-tui on {count} live services: first full table after {first:.1f} s, {polls} polls seen")
    print(f"VmRSS {rss_mb:.1f} MiB, VmHWM (peak) {peak_mb:.1f} MiB; target VmRSS <= {TARGET_MB:.0f} MB")
    print(f"ratio VmRSS / target: {rss_mb * 1.048576 / TARGET_MB:.2f} (<= 1 passes)")
    print(f"quit (ctrl+q, n) to exit: {quit_s * 1000:.0f} ms")
    return 0 if rss_mb * 1.048576 <= TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
