"""Services made in memory, as the engine would report them, for the benchmarks that run without an engine."""

from __future__ import annotations

from maestro.model import ServiceInfo


def service(n: int, running: int, restarts: int) -> ServiceInfo:
    """svc-NNNN, 2 replicas wanted, `running` of them up; a task error while fewer than 2 run."""
    return ServiceInfo(
        id=f"id{n}",
        name=f"svc-{n:04d}",
        image="img:1",
        desired=2,
        running=running,
        restarts=restarts,
        last_error="task: non-zero exit (1)" if running < 2 else "",
    )
