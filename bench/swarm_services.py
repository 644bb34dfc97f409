"""Many throwaway services in a lab swarm, for the benchmarks that need a big swarm."""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import ThreadPoolExecutor

import docker

PREFIX = "bench-"


def create(client: docker.DockerClient, count: int) -> None:
    """`count` services named bench-NNNN: replicas 0, every 20th with 1 replica."""
    spec = docker.types.ContainerSpec("maestro/busybox:lab", ["sleep", "1000000"], stop_grace_period=1_000_000_000)

    def one(n: int) -> None:
        mode = docker.types.ServiceMode("replicated", 1 if n % 20 == 0 else 0)
        client.api.create_service(docker.types.TaskTemplate(spec), name=f"{PREFIX}{n:04d}", mode=mode)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, range(count)))


def settle(client: docker.DockerClient, timeout: float = 180) -> None:
    """Wait until every bench service runs what it should, so the timings see a steady swarm."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        bench = client.api.services(filters={"name": PREFIX}, status=True)
        if all(s["ServiceStatus"]["RunningTasks"] == s["ServiceStatus"]["DesiredTasks"] for s in bench):
            return
        time.sleep(0.5)
    raise SystemExit("the bench services did not settle in time")


def remove(client: docker.DockerClient) -> int:
    names = [s["Spec"]["Name"] for s in client.api.services(filters={"name": PREFIX})]

    def one(name: str) -> None:
        with contextlib.suppress(docker.errors.NotFound):
            client.api.remove_service(name)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, names))
    return len(names)
