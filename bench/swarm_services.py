"""Many throwaway services in a lab swarm, for the benchmarks that need a big swarm."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import docker

from bench.ptyrun import ROOT

PREFIX = "bench-"
LAB = ROOT / "scripts" / "swarm-lab"


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


def swarm_lab(name: str, *args: str) -> None:
    """scripts/swarm-lab for a private lab `name`: its own dockerd in its own network namespace."""
    env = {**os.environ, "MAESTRO_LAB_DIR": f"/tmp/{name}", "MAESTRO_LAB_NETNS": name}
    done = subprocess.run([str(LAB), *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"swarm-lab {' '.join(args)} failed: {done.stderr.strip().splitlines()[-1:]}")


@contextlib.contextmanager
def private_lab(name: str, count: int) -> Iterator[tuple[str, docker.DockerClient]]:
    """A private lab with `count` settled bench services: its DOCKER_HOST and a client; taken down on exit."""
    host = f"unix:///tmp/{name}/docker.sock"
    swarm_lab(name, "up", "--bare")
    try:
        with contextlib.closing(docker.DockerClient(base_url=host, timeout=60)) as client:
            create(client, count)
            settle(client)
            yield host, client
    finally:
        with contextlib.suppress(SystemExit):
            swarm_lab(name, "down")
