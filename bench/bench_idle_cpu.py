"""Idle CPU of the real program watching 1,000 live services, beside a bare Textual app.

Method: a private swarm lab (its own dockerd and network namespace, removed afterwards) gets 1,000
services as bench_poll.py makes them (replicas 0, every 20th with 1 replica) plus two services that
crash-loop, so the engine keeps sending events as a real swarm in trouble does. `maestro-tui` runs on
a 160x48 pseudo-terminal against that engine with the default config (poll every 2 s), opening a new
incident; a bare Textual app (Header, Static, Footer) runs on its own pty at the same time. Once the
services pane has shown all 1,000 services and settled, nobody touches a key for the window: the CPU
time each process used (utime + stime from /proc/<pid>/stat) over the window's wall time is its idle
CPU. The bare app is the floor. Target: maestro <= 3 % of one core. Needs root (the lab).

    .venv/bin/python bench/bench_idle_cpu.py [services] [window_s]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import docker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_startup import BARE
from bench.ptyrun import PtyProgram
from bench.swarm_services import private_lab

TARGET_PERCENT = 3.0
SETTLE_S = 8.0
CHILD = "import sys\nfrom tui.cli import main\nraise SystemExit(main(sys.argv[1:]))\n"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def crash_loops(client: docker.DockerClient, count: int = 2) -> None:
    spec = docker.types.ContainerSpec("maestro/busybox:lab", ["sh", "-c", "sleep 3; exit 1"])
    for n in range(count):
        client.api.create_service(docker.types.TaskTemplate(spec), name=f"crashloop-{n}")


def idle(host: str, count: int, window_s: float) -> tuple[float, float, float]:
    """Percent of one core used by maestro and by the bare app over the same idle window; first table time."""
    with tempfile.TemporaryDirectory() as tmp:
        env: dict[str, str | None] = {"MAESTRO_CONFIG": f"{tmp}/no-config.toml", "ANTHROPIC_API_KEY": None}
        args = ["--journal", f"{tmp}/journal.sqlite3", "--docker-host", host, "checkout is down"]
        maestro = PtyProgram(CHILD, *args, size=(160, 48), env=env)
        bare = PtyProgram(BARE, size=(160, 48))
        try:
            first = maestro.read_until(f"{count + 2} services".encode(), timeout=120)
            bare.read_until(b"bare-first-frame")
            settle_until = time.perf_counter() + SETTLE_S
            while time.perf_counter() < settle_until:
                maestro.drain(0.1)
                bare.drain(0.0)
            pids = {"maestro": maestro.process.pid, "bare": bare.process.pid}
            before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            started = time.perf_counter()
            while time.perf_counter() - started < window_s:
                maestro.drain(0.1)
                bare.drain(0.0)
            wall = time.perf_counter() - started
            used = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
        finally:
            maestro.stop()
            bare.stop()
    return used["maestro"] / wall * 100, used["bare"] / wall * 100, first


def main(count: int, window_s: float) -> int:
    t0 = time.perf_counter()
    with private_lab(f"maestro-benchcpu-{os.getpid()}", count) as (host, client):
        crash_loops(client)
        print(f"private lab with {count} services (+2 crash-looping) ready in {time.perf_counter() - t0:.0f} s")
        maestro, bare, first = idle(host, count, window_s)
    print(f"maestro-tui watching {count} live services: first full table after {first:.1f} s")
    print(f"idle CPU over the same {window_s:.0f} s: maestro {maestro:.1f} %, bare Textual app {bare:.1f} % (floor)")
    print(f"ratio maestro / target ({TARGET_PERCENT:.0f} %): {maestro / TARGET_PERCENT:.2f} (<= 1 passes)")
    return 0 if maestro <= TARGET_PERCENT else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, float(sys.argv[2]) if len(sys.argv) > 2 else 30))
