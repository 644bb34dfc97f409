"""Raw Docker Swarm API JSON -> maestro.model: services, tasks, nodes and the signals they show.

Pure functions over the dicts the Engine API returns (`GET /services?status=true`, `/tasks`, `/nodes`,
`/containers/{id}/json`), so they run on recorded JSON without an engine.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from maestro.model import FAILED_TASK_STATES, NodeInfo, ServiceInfo, Signal, SignalKind, TaskInfo
from maestro.redact import redact

Raw = Mapping[str, Any]

CRASH_WINDOW = timedelta(minutes=10)
STEADY_AFTER = timedelta(seconds=15)
CRASH_LOOP_FAILURES = 3
DEPLOY_WINDOW = timedelta(hours=1)
ROLLBACK_WINDOW = timedelta(hours=24)
TASKS_PER_SERVICE = 10
# A service spec written more than this after its creation was updated, not just created.
_CREATED_SLACK = timedelta(seconds=2)

_CRASHED = FAILED_TASK_STATES - {"orphaned"}
"""Failed task states that count towards a crash loop: an orphaned task lost its node, it did not crash."""
_IMAGE_ERRORS = re.compile(
    r"no such image|pull access denied|manifest unknown|manifest for .* not found|repository does not exist"
    r"|not found: manifest|unauthorized: authentication required|invalid reference format",
    re.IGNORECASE,
)
_EXIT_CODE = re.compile(r"non-zero exit \((\d+)\)")
_ZERO_TIME = "0001-01-01T00:00:00Z"


class ContainerFacts(BaseModel):
    """What a container inspect adds to a task: the OOM flag and the health check's last words."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    oom_killed: bool = False
    exit_code: int | None = None
    health_status: str = ""
    health_output: str = ""
    failing_streak: int = 0

    @classmethod
    def from_inspect(cls, raw: Raw) -> ContainerFacts:
        state = raw.get("State") or {}
        health = state.get("Health") or {}
        log = health.get("Log") or []
        return cls(
            id=str(raw.get("Id", "")),
            oom_killed=bool(state.get("OOMKilled")),
            exit_code=state.get("ExitCode"),
            health_status=str(health.get("Status") or ""),
            health_output=redact(str(log[-1].get("Output") or "").strip()[:500]) if log else "",
            failing_streak=int(health.get("FailingStreak") or 0),
        )


@dataclass(frozen=True)
class RawSwarm:
    """One poll's raw answers, plus what earlier polls and engine events taught."""

    services: list[Raw]
    tasks: list[Raw]
    nodes: list[Raw]
    containers: Mapping[str, ContainerFacts] = field(default_factory=dict)
    oom_seen: Mapping[str, datetime] = field(default_factory=dict)
    """Service name -> time of the last `oom` container event."""
    deaths: Mapping[str, AbstractSet[str]] = field(default_factory=dict)
    """Service name -> containers seen dying abnormally by engine events (swarm prunes old tasks)."""


@dataclass
class Extracted:
    services: list[ServiceInfo]
    tasks: list[TaskInfo]
    nodes: list[NodeInfo]
    signals: list[Signal]


def parse_time(value: str | None) -> datetime | None:
    """An Engine API timestamp (RFC 3339, nanoseconds) as an aware datetime; None for empty or zero."""
    if not value or value == _ZERO_TIME:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def human_bytes(size: int) -> str:
    """Bytes the way `docker service update --limit-memory` takes them: 16777216 -> "16M"."""
    for unit, factor in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f}{unit}" if value == int(value) else f"{value:.1f}{unit}"
    return f"{size}B"


def strip_digest(image: str) -> str:
    return image.split("@", 1)[0]


def exit_code_of(task: Raw) -> int | None:
    status = task.get("Status") or {}
    container = status.get("ContainerStatus") or {}
    if code := container.get("ExitCode"):
        return int(code)
    if found := _EXIT_CODE.search(status.get("Err") or ""):
        return int(found.group(1))
    return 0 if status.get("State") == "complete" else None


def container_id_of(task: Raw) -> str:
    return str(((task.get("Status") or {}).get("ContainerStatus") or {}).get("ContainerID") or "")


def needs_inspect(task: Raw) -> bool:
    """Only an inspect tells an OOM kill from another exit 137, and shows a health check's output."""
    status = task.get("Status") or {}
    if status.get("State") != "failed" or not container_id_of(task):
        return False
    return exit_code_of(task) == 137 or "unhealthy" in (status.get("Err") or "")


ServiceMemo = dict[str, tuple[tuple[Any, ...], ServiceInfo]]
"""Service id -> (fingerprint of its raw data, ServiceInfo) for services that showed nothing wrong."""


def extract(raw: RawSwarm, *, now: datetime, memo: ServiceMemo | None = None) -> Extracted:
    """Everything the raw answers show. With `memo` (kept by the caller between polls), a quiet service
    whose raw data did not change is not examined again: time alone only ever removes signals."""
    nodes = [_node_info(n) for n in raw.nodes]
    hostnames = {n.id: n.hostname for n in nodes}
    by_service: dict[str, list[Raw]] = defaultdict(list)
    for task in raw.tasks:
        by_service[task.get("ServiceID", "")].append(task)

    services: list[ServiceInfo] = []
    tasks: list[TaskInfo] = []
    signals = _node_signals(nodes, now)
    quiet: ServiceMemo = {}
    for svc in raw.services:
        service_id = str(svc.get("ID", ""))
        known = memo.get(service_id) if memo is not None else None
        found = examine_service(svc, by_service.get(service_id, []), raw, hostnames, now, known)
        services.append(found.info)
        tasks.extend(found.tasks)
        signals.extend(found.signals)
        if found.quiet is not None:
            quiet[service_id] = found.quiet
    if memo is not None:
        memo.clear()
        memo.update(quiet)
    return Extracted(services=services, tasks=tasks, nodes=nodes, signals=signals)


@dataclass
class ServiceFound:
    """One service as a poll sees it: its tasks and signals when something is wrong, else none."""

    info: ServiceInfo
    tasks: list[TaskInfo]
    signals: list[Signal]
    quiet: tuple[tuple[Any, ...], ServiceInfo] | None
    """Its memo entry when it showed nothing wrong and nothing recent enough to count."""


def examine_service(
    svc: Raw,
    own_tasks: list[Raw],
    raw: RawSwarm,
    hostnames: Mapping[str, str],
    now: datetime,
    known: tuple[tuple[Any, ...], ServiceInfo] | None = None,
) -> ServiceFound:
    """One service of `raw` with its own tasks; `known` is its memo entry from an earlier poll, if any."""
    key = _fingerprint(svc, own_tasks)
    if known is not None and known[0] == key:
        return ServiceFound(known[1], [], [], known)
    service_tasks = sorted(own_tasks, key=_task_time, reverse=True)
    info, found, settled = _service(svc, service_tasks, raw, hostnames, now)
    if found:
        shown = [_task_info(t, info.name, hostnames) for t in service_tasks[:TASKS_PER_SERVICE]]
        return ServiceFound(info, shown, found, None)
    return ServiceFound(info, [], [], (key, info) if settled else None)


def _fingerprint(svc: Raw, tasks: list[Raw]) -> tuple[Any, ...]:
    """Changes whenever the service, its counts or any of its tasks change (every store write bumps Version)."""
    status = svc.get("ServiceStatus") or {}
    return (
        (svc.get("Version") or {}).get("Index"),
        status.get("RunningTasks"),
        status.get("DesiredTasks"),
        tuple((t.get("ID"), (t.get("Version") or {}).get("Index")) for t in tasks),
    )


# --- services -----------------------------------------------------------------------------


def _steady(current: list[Raw], looping: set[str], now: datetime) -> int:
    """Running tasks, less those of crash-looping replicas that have been up only for a moment."""
    return sum(
        1
        for t in current
        if (t.get("Status") or {}).get("State") == "running"
        and not (_replica(t) in looping and ((at := parse_time(_task_time(t))) is None or now - at < STEADY_AFTER))
    )


def _pruned_deaths(raw: RawSwarm, service: str, tasks: list[Raw]) -> set[str]:
    """Containers that died abnormally (engine events) and whose task swarm no longer lists."""
    died = raw.deaths.get(service)
    if not died:
        return set()
    return set(died) - {container_id_of(t) for t in tasks}


def _task_time(task: Raw) -> str:
    return (task.get("Status") or {}).get("Timestamp") or ""


def _mode(spec: Raw) -> tuple[str, int | None]:
    mode = spec.get("Mode") or {}
    if "Replicated" in mode:
        return "replicated", int((mode["Replicated"] or {}).get("Replicas") or 0)
    if "Global" in mode:
        return "global", None
    if "ReplicatedJob" in mode:
        return "replicated-job", None
    if "GlobalJob" in mode:
        return "global-job", None
    return "replicated", None


def _service(
    svc: Raw, tasks: list[Raw], raw: RawSwarm, hostnames: Mapping[str, str], now: datetime
) -> tuple[ServiceInfo, list[Signal], bool]:
    """The service, its signals, and whether it is settled (no failure recent enough to count)."""
    spec = svc.get("Spec") or {}
    template = spec.get("TaskTemplate") or {}
    container_spec = template.get("ContainerSpec") or {}
    name = str(spec.get("Name", ""))
    image = strip_digest(str(container_spec.get("Image", "")))
    mode, replicas = _mode(spec)
    status = svc.get("ServiceStatus") or {}
    current = [t for t in tasks if t.get("DesiredState") in ("running", "ready")]
    desired = int(status.get("DesiredTasks", replicas if replicas is not None else len(current)))
    failures = [t for t in tasks if (t.get("Status") or {}).get("State") in _CRASHED]
    recent = [t for t in failures if (at := parse_time(_task_time(t))) is not None and now - at <= CRASH_WINDOW]
    running = int(
        status.get("RunningTasks", sum(1 for t in current if (t.get("Status") or {}).get("State") == "running"))
    )
    if looping := _looping_replicas(recent):
        running = min(running, _steady(current, looping, now))
    update = svc.get("UpdateStatus") or {}
    memory = ((template.get("Resources") or {}).get("Limits") or {}).get("MemoryBytes") or None
    constraints = list((template.get("Placement") or {}).get("Constraints") or [])
    errors = [e for t in tasks if (e := (t.get("Status") or {}).get("Err"))]
    created = parse_time(svc.get("CreatedAt"))
    updated = parse_time(svc.get("UpdatedAt"))
    info = ServiceInfo(
        id=str(svc.get("ID", "")),
        name=name,
        image=image,
        mode=mode,
        desired=desired,
        running=running,
        update_state=str(update.get("State") or ""),
        update_message=str(update.get("Message") or ""),
        updated_at=updated if created is None or updated is None or updated - created > _CREATED_SLACK else None,
        memory_limit=int(memory) if memory else None,
        constraints=constraints,
        last_error=errors[0] if errors else "",
        restarts=len({container_id_of(t) or str(t.get("ID")) for t in failures} | _pruned_deaths(raw, name, tasks)),
    )
    base = {
        "service": name,
        "image": image,
        "replicas": str(replicas if replicas is not None else desired),
        "desired": str(desired),
        "running": str(running),
    }
    if info.memory_limit:
        base["memory_limit"] = human_bytes(info.memory_limit)
        base["suggested_memory_limit"] = human_bytes(info.memory_limit * 2)
    if constraints:
        base["constraint"] = constraints[0]
    if (test := (container_spec.get("Healthcheck") or {}).get("Test")) and test[0] != "NONE":
        base["healthcheck"] = " ".join(test[1:]) if test[0] in ("CMD", "CMD-SHELL") else " ".join(test)
    previous = ((svc.get("PreviousSpec") or {}).get("TaskTemplate") or {}).get("ContainerSpec") or {}
    if previous.get("Image"):
        base["previous_image"] = strip_digest(str(previous["Image"]))
    context = _Context(info, base, hostnames, now)
    signals = [
        *_replica_signals(context, mode),
        *_failure_signals(context, recent, raw),
        *_pending_signals(context, current),
        *_update_signals(context, svc, update),
    ]
    return info, signals, not recent


@dataclass
class _Context:
    service: ServiceInfo
    base: dict[str, str]
    hostnames: Mapping[str, str]
    now: datetime

    def signal(self, kind: SignalKind, detail: str, at: datetime | None = None, **data: str) -> Signal:
        return Signal(
            kind=kind,
            subject=self.service.name,
            detail=detail,
            observed_at=at or self.now,
            data={**self.base, **{k: v for k, v in data.items() if v}},
        )

    def node(self, task: Raw) -> str:
        node_id = str(task.get("NodeID") or "")
        return self.hostnames.get(node_id, node_id)


def _replica_signals(ctx: _Context, mode: str) -> list[Signal]:
    svc = ctx.service
    if mode.endswith("-job") or svc.desired <= 0 or svc.running >= svc.desired:
        return []
    if svc.running == 0:
        return [ctx.signal(SignalKind.SERVICE_DOWN, f"0 of {svc.desired} replicas running")]
    return [ctx.signal(SignalKind.REPLICAS_BELOW_DESIRED, f"{svc.running} of {svc.desired} replicas running")]


def _cause(task: Raw, facts: ContainerFacts | None, oom_service: bool) -> str:
    status = task.get("Status") or {}
    err = status.get("Err") or ""
    if status.get("State") == "rejected" and _IMAGE_ERRORS.search(err):
        return "image"
    if "unhealthy container" in err or (facts is not None and facts.health_status == "unhealthy"):
        return "unhealthy"
    if (facts is not None and facts.oom_killed) or (oom_service and exit_code_of(task) == 137):
        return "oom"
    return "crash"


def _failure_signals(ctx: _Context, recent: list[Raw], raw: RawSwarm) -> list[Signal]:
    if not recent:
        return []
    facts = {t["ID"]: raw.containers.get(container_id_of(t)) for t in recent}
    oom_at = raw.oom_seen.get(ctx.service.name)
    oom_service = any(f is not None and f.oom_killed for f in facts.values()) or (
        oom_at is not None and ctx.now - oom_at <= CRASH_WINDOW
    )
    by_cause: dict[str, list[Raw]] = defaultdict(list)
    for task in recent:
        by_cause[_cause(task, facts[task["ID"]], oom_service)].append(task)

    signals: list[Signal] = []
    minutes = int(CRASH_WINDOW.total_seconds() // 60)
    if image_tasks := by_cause.get("image"):
        newest = image_tasks[0]
        err = (newest.get("Status") or {}).get("Err") or ""
        image = ctx.base["image"]
        signals.append(
            ctx.signal(
                SignalKind.IMAGE_MISSING,
                f"image {image} cannot be used: {err}",
                parse_time(_task_time(newest)),
                node=ctx.node(newest),
                error=err,
                failures=str(len(image_tasks)),
            )
        )
    if oom_tasks := by_cause.get("oom"):
        newest = oom_tasks[0]
        limit = ctx.base.get("memory_limit")
        at_limit = f"at its {limit} memory limit" if limit else "with no memory limit set"
        signals.append(
            ctx.signal(
                SignalKind.OOM_KILLED,
                f"{len(oom_tasks)} task(s) OOM-killed {at_limit} in the last {minutes} min (exit 137)",
                parse_time(_task_time(newest)),
                node=ctx.node(newest),
                exit_code="137",
                error=(newest.get("Status") or {}).get("Err") or "",
                failures=str(len(oom_tasks)),
            )
        )
    elif oom_at is not None and ctx.now - oom_at <= CRASH_WINDOW:
        signals.append(ctx.signal(SignalKind.OOM_KILLED, "a container was OOM-killed (engine event)", oom_at))
    if sick_tasks := by_cause.get("unhealthy"):
        newest = sick_tasks[0]
        fact = facts[newest["ID"]]
        err = (newest.get("Status") or {}).get("Err") or ""
        streak = f" ({fact.failing_streak} checks in a row)" if fact and fact.failing_streak else ""
        signals.append(
            ctx.signal(
                SignalKind.UNHEALTHY,
                f"health check failing{streak}: {len(sick_tasks)} task(s) killed as unhealthy in {minutes} min",
                parse_time(_task_time(newest)),
                node=ctx.node(newest),
                exit_code=_str(exit_code_of(newest)),
                error=err,
                health_output=fact.health_output if fact else "",
                failures=str(len(sick_tasks)),
            )
        )
    crashes = by_cause.get("crash", [])
    if _worst_slot(crashes) >= CRASH_LOOP_FAILURES:
        newest = crashes[0]
        err = (newest.get("Status") or {}).get("Err") or ""
        code = exit_code_of(newest)
        signals.append(
            ctx.signal(
                SignalKind.CRASH_LOOP,
                f"{len(crashes)} task failures in the last {minutes} min, last: {err or f'exit {code}'}",
                parse_time(_task_time(newest)),
                node=ctx.node(newest),
                exit_code=_str(code),
                error=err,
                failures=str(len(crashes)),
            )
        )
    return signals


def _worst_slot(failures: list[Raw]) -> int:
    """Failures of the one replica that failed most (slot, or node for global services): a node that
    restarts fails every replica once, which is no crash loop."""
    return max(_failures_per_replica(failures).values(), default=0)


def _looping_replicas(failures: list[Raw]) -> set[str]:
    return {replica for replica, n in _failures_per_replica(failures).items() if n >= CRASH_LOOP_FAILURES}


def _failures_per_replica(failures: list[Raw]) -> dict[str, int]:
    per_replica: dict[str, int] = defaultdict(int)
    for task in failures:
        per_replica[_replica(task)] += 1
    return per_replica


def _replica(task: Raw) -> str:
    """The replica a task belongs to: its slot, or its node for global services."""
    return str(task.get("Slot") or task.get("NodeID") or "")


def _pending_signals(ctx: _Context, current: list[Raw]) -> list[Signal]:
    stuck = [
        t for t in current if (t.get("Status") or {}).get("State") == "pending" and (t.get("Status") or {}).get("Err")
    ]
    if not stuck:
        return []
    err = stuck[0]["Status"]["Err"]
    oldest = min((parse_time(_task_time(t)) for t in stuck), key=lambda at: at or ctx.now) or ctx.now
    return [
        ctx.signal(
            SignalKind.UNSCHEDULABLE,
            f"{len(stuck)} task(s) pending: {err}",
            oldest,
            error=err,
            pending=str(len(stuck)),
        )
    ]


def _update_signals(ctx: _Context, svc: Raw, update: Raw) -> list[Signal]:
    signals: list[Signal] = []
    state = str(update.get("State") or "")
    message = str(update.get("Message") or "")
    started = parse_time(update.get("StartedAt"))
    completed = parse_time(update.get("CompletedAt"))
    if state in ("paused", "rollback_paused"):
        what = "rollback paused" if state == "rollback_paused" else "update paused"
        signals.append(ctx.signal(SignalKind.UPDATE_PAUSED, f"{what}: {message}", started, update_state=state))
    elif state == "rollback_started":
        signals.append(
            ctx.signal(SignalKind.UPDATE_ROLLING_BACK, f"update rolling back: {message}", started, update_state=state)
        )
    elif state == "rollback_completed" and completed and ctx.now - completed <= ROLLBACK_WINDOW:
        signals.append(
            ctx.signal(SignalKind.UPDATE_ROLLED_BACK, f"update rolled back: {message}", completed, update_state=state)
        )
    deployed = max((at for at in (ctx.service.updated_at, started) if at is not None), default=None)
    if deployed is not None and ctx.now - deployed <= DEPLOY_WINDOW:
        signals.append(
            ctx.signal(
                SignalKind.RECENT_DEPLOY,
                f"service spec changed within the last hour{f' (update {state})' if state else ''}",
                deployed,
                update_state=state,
            )
        )
    return signals


def _task_info(task: Raw, service: str, hostnames: Mapping[str, str]) -> TaskInfo:
    status = task.get("Status") or {}
    node_id = str(task.get("NodeID") or "")
    return TaskInfo(
        id=str(task.get("ID", "")),
        service=service,
        slot=task.get("Slot"),
        node=hostnames.get(node_id, node_id),
        desired_state=str(task.get("DesiredState") or ""),
        state=str(status.get("State") or ""),
        message=str(status.get("Message") or ""),
        error=str(status.get("Err") or ""),
        exit_code=exit_code_of(task),
        container_id=container_id_of(task),
        timestamp=parse_time(status.get("Timestamp")),
    )


# --- nodes --------------------------------------------------------------------------------


def _node_info(node: Raw) -> NodeInfo:
    spec = node.get("Spec") or {}
    status = node.get("Status") or {}
    manager = node.get("ManagerStatus") or {}
    return NodeInfo(
        id=str(node.get("ID", "")),
        hostname=str((node.get("Description") or {}).get("Hostname") or node.get("ID", "")),
        role=str(spec.get("Role") or ""),
        availability=str(spec.get("Availability") or ""),
        state=str(status.get("State") or ""),
        addr=str(status.get("Addr") or ""),
        leader=bool(manager.get("Leader")),
        reachability=str(manager.get("Reachability") or ""),
    )


NODE_KINDS = frozenset(
    {SignalKind.NODE_DOWN, SignalKind.NODE_DRAINED, SignalKind.MANAGER_UNREACHABLE, SignalKind.QUORUM_AT_RISK}
)
"""The signals about nodes and the swarm's managers; every other signal's subject is a service."""


def _node_signals(nodes: Sequence[NodeInfo], now: datetime) -> list[Signal]:
    signals: list[Signal] = []
    for node in nodes:
        troubles = [
            (node.state not in ("ready", ""), SignalKind.NODE_DOWN, f"{node.role} node is {node.state}"),
            (
                node.availability in ("drain", "pause"),
                SignalKind.NODE_DRAINED,
                f"availability {node.availability}: the swarm places no new task here",
            ),
            (
                node.role == "manager" and node.reachability == "unreachable",
                SignalKind.MANAGER_UNREACHABLE,
                "manager unreachable from the other managers",
            ),
        ]
        data = {"node": node.hostname, "role": node.role, "addr": node.addr}
        signals += [
            Signal(kind=kind, subject=node.hostname, detail=detail, observed_at=now, data=data)
            for found, kind, detail in troubles
            if found
        ]
    managers = [n for n in nodes if n.role == "manager"]
    reachable = sum(1 for m in managers if m.reachability == "reachable")
    if managers and reachable * 2 <= len(managers):
        signals.append(
            Signal(
                kind=SignalKind.QUORUM_AT_RISK,
                subject="",
                detail=f"{reachable} of {len(managers)} managers reachable: the swarm cannot keep a raft quorum",
                observed_at=now,
                data={"managers": str(len(managers)), "reachable": str(reachable)},
            )
        )
    return signals


def _str(value: int | None) -> str:
    return "" if value is None else str(value)
