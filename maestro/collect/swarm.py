"""The live swarm: one poll of the Docker Engine API becomes Evidence.

A poll costs a fixed number of calls whatever the number of services: `GET /services?status=true`,
`/tasks` and `/nodes` (plus `/version` and `/info` on the first poll and after the engine comes
back), at most MAX_INSPECTS container inspects (only for recently failed tasks whose cause they
decide, each container once its answer is final), and at most MAX_LOG_SERVICES log reads (only for
failing services whose newest task changed). An engine that cannot be read is evidence too: the poll
returns its reason in `Evidence.errors` and as a signal, and never raises.

    python -m maestro.collect.swarm --record maestro/demo/evidence.json   # snapshot the lab
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import docker
import docker.errors
import requests
from docker.constants import DEFAULT_DOCKER_API_VERSION
from docker.utils import version_lt

from maestro.collect.engine_events import EngineEvent, SwarmEvents, describe
from maestro.collect.logs import LogsUnavailable, service_logs
from maestro.collect.problems import EngineProblem, diagnose, engine_address, swarm_problem
from maestro.collect.signals import (
    CRASH_WINDOW,
    NODE_KINDS,
    ContainerFacts,
    Extracted,
    Raw,
    RawSwarm,
    ServiceMemo,
    container_id_of,
    examine_service,
    extract,
    needs_inspect,
    parse_time,
)
from maestro.model import Evidence, LogLine, ServiceInfo, Signal, SignalKind
from maestro.redact import redact_obj

__all__ = [
    "CollectorCache",
    "CollectorError",
    "EngineEvent",
    "LogsUnavailable",
    "SwarmEvents",
    "collect",
    "collect_service",
    "connect",
    "describe",
    "record",
    "service_logs",
    "snapshot",
]

DEFAULT_TIMEOUT = 5.0
MAX_INSPECTS = 10
MAX_LOG_SERVICES = 5
LOG_TAIL = 20
LOG_BYTES_PER_SERVICE = 6_000
# All log reads of one poll share this many seconds and each reads at most LOG_READ_BYTES: an engine that
# never ends a log stream delays a poll by LOG_SECONDS_PER_POLL at most.
LOG_SECONDS_PER_POLL = 4.0
LOG_READ_BYTES = 1 << 20
_MAX_CACHED_CONTAINERS = 512
# The engine may handle a container's `oom` event after its exit: an inspect this soon may not show it yet.
_SETTLED = timedelta(seconds=10)
_SDK_ERRORS = (docker.errors.DockerException, requests.exceptions.RequestException, OSError)
_FAILING = frozenset(
    {
        SignalKind.SERVICE_DOWN,
        SignalKind.REPLICAS_BELOW_DESIRED,
        SignalKind.CRASH_LOOP,
        SignalKind.OOM_KILLED,
        SignalKind.UNHEALTHY,
        SignalKind.UPDATE_PAUSED,
        SignalKind.UPDATE_ROLLING_BACK,
        SignalKind.UPDATE_ROLLED_BACK,
    }
)
_ERRORISH = re.compile(r"error|fail|fatal|panic|exception|cannot|can't|refused|denied|missing|killed|boom", re.I)


class CollectorError(Exception):
    """The Docker host given cannot be used; the message is one line saying what to do."""


_STOPPED_ON_PURPOSE = frozenset({"shutdown", "complete", "remove", "orphaned"})
"""Task states of a container swarm stopped itself (update, scale-down, node drain), not a crash."""


@dataclass
class CollectorCache:
    """What one poll leaves for the next. Pass the same object to every `collect` of a session.

    It holds the engine's identity (empty until the first good poll and after the engine is lost),
    container inspects by id, log excerpts by service, OOM events seen by `SwarmEvents`, and the
    services that showed nothing wrong, so an unchanged quiet service costs next to nothing.
    """

    engine: str = ""
    node_id: str = ""
    containers: dict[str, ContainerFacts] = field(default_factory=dict)
    logs: dict[str, tuple[str, list[LogLine]]] = field(default_factory=dict)
    oom_seen: dict[str, datetime] = field(default_factory=dict)
    deaths: dict[str, set[str]] = field(default_factory=dict)
    quiet: ServiceMemo = field(default_factory=dict)
    redacted: dict[int, tuple[ServiceInfo, ServiceInfo]] = field(default_factory=dict)
    """Last poll's redacted service by the object it was made from (a quiet service is the same object)."""

    def redacted_services(self, services: list[ServiceInfo]) -> list[ServiceInfo]:
        """Each service redacted; one redacted for the last poll (the same object) is not walked again."""
        done: dict[int, tuple[ServiceInfo, ServiceInfo]] = {}
        for service in services:
            hit = self.redacted.get(id(service))
            done[id(service)] = (service, hit[1] if hit is not None and hit[0] is service else redact_obj(service))
        self.redacted = done
        return [done[id(service)][1] for service in services]

    def observe(self, event: EngineEvent) -> None:
        """Remember what only events tell: an `oom` may come without an inspect to show it, and a container
        that died abnormally still counts as a restart after swarm has pruned its task from the history."""
        if event.kind == "oom":
            self.oom_seen[event.service] = event.at
        if event.kind == "die" and event.exit_code and event.container:
            self.deaths.setdefault(event.service, set()).add(event.container)

    def forget_clean_exits(self, tasks: list[Raw]) -> None:
        """Containers whose task swarm shows as stopped on purpose (an update, a scale-down) are no restart."""
        if not self.deaths:
            return
        for task in tasks:
            if (task.get("Status") or {}).get("State") in _STOPPED_ON_PURPOSE and (cid := container_id_of(task)):
                for died in self.deaths.values():
                    died.discard(cid)


def connect(host: str | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> docker.DockerClient:
    """A client for `host` (None: DOCKER_HOST, else the local socket) with a short timeout.

    An engine that does not answer yet is not an error here: `collect` reports it and negotiates the
    API version once it answers. Raises CollectorError only for a host that cannot be parsed.
    """
    try:
        try:
            return _client(host, "auto", timeout)
        except docker.errors.DockerException:
            return _client(host, DEFAULT_DOCKER_API_VERSION, timeout)
    except docker.errors.DockerException as exc:
        shown = host or "DOCKER_HOST"
        raise CollectorError(
            f"cannot use Docker host {shown!r}: {exc} (e.g. unix:///var/run/docker.sock or tcp://127.0.0.1:2375)"
        ) from None


def _client(host: str | None, version: str, timeout: float) -> docker.DockerClient:
    if host:
        return docker.DockerClient(base_url=host, version=version, timeout=timeout)
    return docker.from_env(version=version, timeout=timeout)


def snapshot(host: str | None = None, *, now: datetime | None = None) -> Evidence:
    """Connect, poll once, close. Never raises: trouble with the engine is in the evidence."""
    now = now or datetime.now(UTC)
    try:
        client = connect(host)
    except CollectorError as exc:
        return _trouble(now, EngineProblem(SignalKind.ENGINE_UNREACHABLE, str(exc)))
    try:
        return collect(client, now=now)
    finally:
        client.close()


def collect(client: Any, *, now: datetime | None = None, previous: CollectorCache | None = None) -> Evidence:
    """One poll of the swarm as Evidence. `previous` is updated in place for the next poll."""
    now = now or datetime.now(UTC)
    cache = previous if previous is not None else CollectorCache()
    api = client.api
    try:
        if not cache.engine and (problem := _handshake(api, cache)) is not None:
            return _trouble(now, problem)
        services: list[Raw] = api.services(status=True)
        tasks: list[Raw] = api.tasks()
        nodes: list[Raw] = api.nodes()
    except _SDK_ERRORS as exc:
        cache.engine = ""
        return _trouble(now, diagnose(exc, engine_address(client)))

    containers = _inspect_failed(api, tasks, cache, now)
    cache.forget_clean_exits(tasks)
    raw = RawSwarm(services, tasks, nodes, containers, cache.oom_seen, cache.deaths)
    found = extract(raw, now=now, memo=cache.quiet)
    logs = _failing_logs(client, found, services, tasks, cache)
    _add_last_log(found.signals, logs)
    # Labels, task errors and health output are the services' own words: redacted like their logs.
    evidence = Evidence(
        collected_at=now,
        source="swarm",
        engine=cache.engine,
        nodes=found.nodes,
        tasks=found.tasks,
        signals=found.signals,
        logs=[line for lines in logs.values() for line in lines],
    )
    return redact_obj(evidence).model_copy(update={"services": cache.redacted_services(found.services)})


def collect_service(
    client: Any, name: str, previous: Evidence, *, cache: CollectorCache, now: datetime | None = None
) -> Evidence:
    """`previous` with the service `name` read again: what an engine event about one service changes.

    Two calls (the service with its counts, its tasks) plus what a failing task needs (an inspect, its
    logs), whatever the size of the swarm; nodes and every other service stay as `previous` saw them.
    A service that is gone leaves the evidence. Without a good full poll to build on, this is one; an
    engine that cannot be read now leaves `previous` as it was, for the next full poll to report.
    """
    now = now or datetime.now(UTC)
    if not cache.engine or previous.errors or previous.source != "swarm":
        return collect(client, now=now, previous=cache)
    api = client.api
    try:
        named: list[Raw] = api.services(filters={"name": name}, status=True)
        found = [svc for svc in named if (svc.get("Spec") or {}).get("Name") == name]
        tasks: list[Raw] = api.tasks(filters={"service": str(found[0].get("ID", ""))}) if found else []
    except _SDK_ERRORS:
        return previous
    services = [s for s in previous.services if s.name != name]
    kept_tasks = [t for t in previous.tasks if t.service != name]
    signals = [s for s in previous.signals if s.subject != name or s.kind in NODE_KINDS]
    logs = [line for line in previous.logs if line.service != name]
    if found:
        containers = _inspect_failed(api, tasks, cache, now)
        raw = RawSwarm(found, tasks, [], containers, cache.oom_seen)
        hostnames = {node.id: node.hostname for node in previous.nodes}
        service_id = str(found[0].get("ID", ""))
        seen = examine_service(found[0], tasks, raw, hostnames, now, cache.quiet.get(service_id))
        if seen.quiet is not None:
            cache.quiet[service_id] = seen.quiet
        else:
            cache.quiet.pop(service_id, None)
        one = Extracted(services=[seen.info], tasks=seen.tasks, nodes=[], signals=seen.signals)
        fresh_logs = _failing_logs(client, one, found, tasks, cache)
        _add_last_log(seen.signals, fresh_logs)
        at = next((n for n, s in enumerate(previous.services) if s.name == name), len(services))
        services.insert(at, redact_obj(seen.info))
        kept_tasks += redact_obj(seen.tasks)
        signals += redact_obj(seen.signals)
        logs += redact_obj(fresh_logs.get(name, []))
    return previous.model_copy(
        update={"collected_at": now, "services": services, "tasks": kept_tasks, "signals": signals, "logs": logs}
    )


def _handshake(api: Any, cache: CollectorCache) -> EngineProblem | None:
    """Negotiate the API version and check this engine manages a swarm; fills the cache's identity."""
    version = api.version(api_version=False)
    server = str(version.get("ApiVersion") or DEFAULT_DOCKER_API_VERSION)
    wanted = server if version_lt(server, DEFAULT_DOCKER_API_VERSION) else DEFAULT_DOCKER_API_VERSION
    if api.api_version != wanted:
        # The SDK negotiates only when the client is built; an engine that was down then is met here.
        api._version = wanted
    info = api.info()
    if (problem := swarm_problem(info)) is not None:
        return problem
    cache.node_id = str((info.get("Swarm") or {}).get("NodeID") or "")
    cache.engine = f"Docker {version.get('Version', '?')} (API {server}), swarm manager {info.get('Name', '?')}"
    return None


def _trouble(now: datetime, problem: EngineProblem) -> Evidence:
    return Evidence(
        collected_at=now,
        source="swarm",
        errors=[problem.reason],
        signals=[Signal(kind=problem.kind, subject="", detail=problem.reason, observed_at=now)],
    )


def _inspect_failed(api: Any, tasks: list[Raw], cache: CollectorCache, now: datetime) -> dict[str, ContainerFacts]:
    """Inspect the newest failed tasks of each service whose cause only the container shows (this node).

    Two per service, so one container whose `oom` event the engine has not handled yet does not
    decide alone; such a fresh "not OOM-killed" answer is used for this poll but not cached.
    Returns the facts this poll knows, by container id.
    """
    recent: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for task in tasks:
        if task.get("NodeID") != cache.node_id or not needs_inspect(task):
            continue
        stamp = (task.get("Status") or {}).get("Timestamp") or ""
        at = parse_time(stamp)
        if at is None or now - at > CRASH_WINDOW:
            continue
        recent[str(task.get("ServiceID", ""))].append((stamp, container_id_of(task)))
    candidates = sorted((c for found in recent.values() for c in sorted(found, reverse=True)[:2]), reverse=True)
    known = dict(cache.containers)
    wanted = [(stamp, cid) for stamp, cid in candidates if cid not in known]
    for stamp, container_id in wanted[:MAX_INSPECTS]:
        try:
            facts = ContainerFacts.from_inspect(api.inspect_container(container_id))
        except docker.errors.NotFound:
            facts = ContainerFacts(id=container_id)
        except _SDK_ERRORS:
            continue
        known[container_id] = facts
        failed_at = parse_time(stamp)
        if facts.oom_killed or (failed_at is not None and now - failed_at > _SETTLED):
            cache.containers[container_id] = facts
    while len(cache.containers) > _MAX_CACHED_CONTAINERS:
        del cache.containers[next(iter(cache.containers))]
    return known


def _failing_logs(
    client: Any, found: Extracted, services: list[Raw], tasks: list[Raw], cache: CollectorCache
) -> dict[str, list[LogLine]]:
    """Log excerpts of failing services that ran a container, read again only when a newer task ran."""
    failing = dict.fromkeys(s.subject for s in found.signals if s.kind in _FAILING)
    names = {info.id: info.name for info in found.services if info.name in failing}
    specs = {str(svc["ID"]): svc for svc in services if svc.get("ID") in names}
    newest: dict[str, str] = {}
    for task in tasks:
        service_id = task.get("ServiceID")
        if service_id in names and container_id_of(task):
            stamp = f"{(task.get('Status') or {}).get('Timestamp') or ''} {task.get('ID', '')}"
            newest[service_id] = max(newest.get(service_id, ""), stamp)
    logs: dict[str, list[LogLine]] = {}
    reads = 0
    deadline = time.monotonic() + LOG_SECONDS_PER_POLL
    for service_id, name in names.items():
        if service_id not in newest:
            continue
        svc = specs[service_id]
        marker = newest[service_id]
        cached = cache.logs.get(service_id)
        if cached is not None and cached[0] == marker:
            logs[name] = cached[1]
            continue
        left = deadline - time.monotonic()
        if reads >= MAX_LOG_SERVICES or left < 0.2:
            if cached is not None:
                logs[name] = cached[1]
            continue
        reads += 1
        tty = bool((((svc.get("Spec") or {}).get("TaskTemplate") or {}).get("ContainerSpec") or {}).get("TTY"))
        try:
            lines = service_logs(
                client,
                service_id,
                tail=LOG_TAIL,
                max_bytes=LOG_BYTES_PER_SERVICE,
                tty=tty,
                seconds=min(left, 3.0),
                max_read=LOG_READ_BYTES,
            )
        except LogsUnavailable:
            continue
        lines = [line.model_copy(update={"service": name}) for line in lines]
        cache.logs[service_id] = (marker, lines)
        logs[name] = lines
    return logs


def _add_last_log(signals: list[Signal], logs: dict[str, list[LogLine]]) -> None:
    """Give failure signals the newest log line that reads like an error (else the newest line)."""
    for signal in signals:
        lines = logs.get(signal.subject)
        if signal.kind not in _FAILING or not lines:
            continue
        last = next((line for line in reversed(lines) if _ERRORISH.search(line.text)), lines[-1])
        signal.data["last_log"] = last.text[:300]


# --- recording ------------------------------------------------------------------------------


def record(client: Any, path: Path, *, raw: bool = False) -> Evidence:
    """Write one poll to `path` as Evidence JSON; with `raw`, the Engine API answers it was made from."""
    evidence = collect(client)
    if evidence.errors:
        raise CollectorError(evidence.errors[0])
    if raw:
        path.write_text(json.dumps(_raw_answers(client), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    else:
        path.write_text(evidence.model_dump_json(indent=1) + "\n", encoding="utf-8")
    return evidence


def _raw_answers(client: Any) -> dict[str, Any]:
    """What a poll reads, trimmed of certificates and plugin lists, plus the inspects of failed tasks."""
    api = client.api
    tasks = api.tasks()
    nodes = api.nodes()
    for node in nodes:
        description = node.get("Description") or {}
        description.pop("TLSInfo", None)
        (description.get("Engine") or {}).pop("Plugins", None)
    containers = {}
    for task in tasks:
        if needs_inspect(task):
            try:
                found = api.inspect_container(container_id_of(task))
            except docker.errors.NotFound:
                continue
            containers[found["Id"]] = {"Id": found["Id"], "State": found["State"]}
    return {
        "recorded_at": datetime.now(UTC).isoformat(),
        "services": api.services(status=True),
        "tasks": tasks,
        "nodes": nodes,
        "containers": containers,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m maestro.collect.swarm", description=__doc__.splitlines()[0])
    parser.add_argument("--docker-host", help="Docker host (default: DOCKER_HOST or the local socket)")
    parser.add_argument("--record", type=Path, metavar="PATH", help="write one poll as Evidence JSON")
    parser.add_argument("--raw", action="store_true", help="with --record: write the raw Engine API answers")
    args = parser.parse_args(argv)
    try:
        client = connect(args.docker_host)
        if args.record:
            evidence = record(client, args.record, raw=args.raw)
            print(f"recorded {len(evidence.services)} services, {len(evidence.signals)} signals to {args.record}")
        else:
            print(collect(client).model_dump_json(indent=1))
    except CollectorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
