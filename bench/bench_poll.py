"""What one poll of a 1,000-service swarm costs, side by side with the raw API calls and the docker CLI.

    scripts/swarm-lab up && .venv/bin/python bench/bench_poll.py

Creates SERVICES extra services in the lab (replicas 0, every 20th with 1 replica), then times, in the
same run and interleaved:
  (a) the raw Engine API calls one poll needs: services(status=True), tasks(), nodes()
  (b) collect() with a warm cache: the same calls plus signal extraction and the typed model
  (c) `docker service ls` + `docker service ps <every service>` as whole processes
and prints the ratios (b)/(a) (target <= 1.3) and (b)/(c) (target < 1). The extra services are
removed afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from maestro.collect import swarm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.swarm_services import create, remove, settle

LAB_HOST = "unix:///tmp/maestro-lab/docker.sock"


def timed(call: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docker-host", default=LAB_HOST)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()

    client = swarm.connect(args.docker_host)
    if not client.ping():
        print(f"no engine at {args.docker_host}: run scripts/swarm-lab up", file=sys.stderr)
        return 2
    api = client.api
    remove(client)
    t0 = time.perf_counter()
    create(client, args.services)
    print(f"created {args.services} services in {time.perf_counter() - t0:.1f} s")
    try:
        settle(client)
        total = len(api.services())
        cache = swarm.CollectorCache()
        cold = timed(lambda: swarm.collect(client, previous=swarm.CollectorCache()), 3)
        swarm.collect(client, previous=cache)

        def raw() -> None:
            api.services(status=True)
            api.tasks()
            api.nodes()

        def poll() -> None:
            swarm.collect(client, previous=cache)

        def cli() -> None:
            names = subprocess.run(
                ["docker", "-H", args.docker_host, "service", "ls", "--format", "{{.Name}}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            subprocess.run(["docker", "-H", args.docker_host, "service", "ps", *names], capture_output=True, check=True)

        a: list[float] = []
        b: list[float] = []
        for _ in range(args.rounds):
            a += timed(raw, 1)
            b += timed(poll, 1)
        c = timed(cli, 3)
        evidence = swarm.collect(client, previous=cache)
    finally:
        removed = remove(client)
        client.close()

    ma, mb, mc = (statistics.median(x) * 1000 for x in (a, b, c))
    paired = statistics.median(y / x for x, y in zip(a, b, strict=True))
    print(f"swarm: {total} services, {len(evidence.tasks)} tasks kept, {len(evidence.signals)} signals")
    print(f"(a) raw API calls of one poll  median {ma:7.1f} ms  min {min(a) * 1000:6.1f} ms  ({len(a)} rounds)")
    print(f"(b) collect(), warm cache      median {mb:7.1f} ms  min {min(b) * 1000:6.1f} ms  ({len(b)} rounds)")
    print(f"    collect(), first poll      median {statistics.median(cold) * 1000:7.1f} ms")
    print(f"(c) docker service ls + ps     median {mc:7.1f} ms  ({len(c)} runs)")
    print(f"(b)/(a) = {paired:.2f} median of paired rounds, {min(b) / min(a):.2f} by minimums  (target <= 1.3)")
    print(f"(b)/(c) = {mb / mc:.3f}  (target < 1)")
    print(f"removed {removed} services")
    return 0 if paired <= 1.3 and mb < mc else 1


if __name__ == "__main__":
    sys.exit(main())
