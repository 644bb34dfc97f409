"""Signal extraction from raw Engine API JSON recorded from the lab (tests/unit/fixtures/swarm_raw.json).

The fixture holds `GET /services?status=true`, `/tasks`, `/nodes` and the inspects of failed tasks, as
the lab answered them: api healthy, worker crash loop, cache OOM, db failing health check, pending
unschedulable, web's update rolled back, ghost's image missing. Recorded with
`python -m maestro.collect.swarm --docker-host unix:///tmp/maestro-lab/docker.sock --record PATH --raw`.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from maestro.collect.engine_events import describe
from maestro.collect.problems import swarm_problem
from maestro.collect.signals import (
    ContainerFacts,
    Extracted,
    RawSwarm,
    extract,
    human_bytes,
    parse_time,
)
from maestro.model import Signal, SignalKind

FIXTURE = Path(__file__).parent / "fixtures" / "swarm_raw.json"
K = SignalKind


@pytest.fixture
def recorded() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def raw_of(recorded: dict[str, Any], *, inspects: bool = True, **oom_seen: datetime) -> RawSwarm:
    containers = {cid: ContainerFacts.from_inspect(c) for cid, c in recorded["containers"].items()}
    return RawSwarm(
        services=recorded["services"],
        tasks=recorded["tasks"],
        nodes=recorded["nodes"],
        containers=containers if inspects else {},
        oom_seen=oom_seen,
    )


def at(recorded: dict[str, Any], later: timedelta = timedelta(0)) -> datetime:
    recorded_at = parse_time(recorded["recorded_at"])
    assert recorded_at is not None
    return recorded_at + later


def kinds(found: Extracted, subject: str) -> set[SignalKind]:
    return {s.kind for s in found.signals if s.subject == subject}


def one(found: Extracted, kind: SignalKind, subject: str) -> Signal:
    matches = [s for s in found.signals if s.kind == kind and s.subject == subject]
    assert len(matches) == 1, [(s.kind, s.subject) for s in found.signals]
    return matches[0]


def service_named(recorded: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in recorded["services"] if s["Spec"]["Name"] == name)


def test_each_lab_shape_yields_its_signal(recorded: dict[str, Any]) -> None:
    found = extract(raw_of(recorded), now=at(recorded))

    assert kinds(found, "api") == set()
    assert kinds(found, "worker") == {K.SERVICE_DOWN, K.CRASH_LOOP}
    assert K.OOM_KILLED in kinds(found, "cache") and K.CRASH_LOOP not in kinds(found, "cache")
    assert K.UNHEALTHY in kinds(found, "db") and K.CRASH_LOOP not in kinds(found, "db")
    assert kinds(found, "pending") == {K.SERVICE_DOWN, K.UNSCHEDULABLE}
    assert kinds(found, "ghost") == {K.SERVICE_DOWN, K.IMAGE_MISSING}
    assert kinds(found, "web") == {K.UPDATE_ROLLED_BACK, K.RECENT_DEPLOY}


def test_signal_data_fills_the_runbook_placeholders(recorded: dict[str, Any]) -> None:
    found = extract(raw_of(recorded), now=at(recorded))

    crash = one(found, K.CRASH_LOOP, "worker").data
    assert crash["service"] == "worker" and crash["exit_code"] == "1"
    assert crash["error"] == "task: non-zero exit (1)"
    assert crash["image"] == "maestro/busybox:lab" and crash["node"] == "vm"
    assert crash["replicas"] == "1" and crash["running"] == "0"

    oom = one(found, K.OOM_KILLED, "cache").data
    assert oom["memory_limit"] == "16M" and oom["suggested_memory_limit"] == "32M"
    assert oom["exit_code"] == "137"

    sick = one(found, K.UNHEALTHY, "db")
    assert sick.data["healthcheck"] == "false"
    assert "unhealthy container" in sick.data["error"]

    stuck = one(found, K.UNSCHEDULABLE, "pending")
    assert stuck.data["constraint"] == "node.labels.nope==1"
    assert stuck.data["error"].startswith("no suitable node")
    assert stuck.data["replicas"] == "2"

    missing = one(found, K.IMAGE_MISSING, "ghost")
    assert missing.data["image"] == "maestro/busybox:missing"
    assert "No such image: maestro/busybox:missing" in missing.detail

    rolled = one(found, K.UPDATE_ROLLED_BACK, "web")
    assert rolled.data["update_state"] == "rollback_completed"
    assert rolled.observed_at == parse_time(service_named(recorded, "web")["UpdateStatus"]["CompletedAt"])


def test_service_info_reads_the_spec_and_the_tasks(recorded: dict[str, Any]) -> None:
    services = {s.name: s for s in extract(raw_of(recorded), now=at(recorded)).services}

    assert (services["api"].desired, services["api"].running, services["api"].restarts) == (3, 3, 0)
    assert services["api"].updated_at is None
    assert services["cache"].memory_limit == 16 * 1024 * 1024
    assert services["cache"].last_error == "task: non-zero exit (137)"
    assert services["worker"].restarts == 4
    assert services["pending"].constraints == ["node.labels.nope==1"]
    assert services["web"].update_state == "rollback_completed"
    assert services["web"].update_message == "rollback completed"
    assert services["web"].updated_at is not None
    assert services["ghost"].image == "maestro/busybox:missing"


def test_tasks_are_kept_only_for_services_with_signals(recorded: dict[str, Any]) -> None:
    tasks = extract(raw_of(recorded), now=at(recorded)).tasks

    assert {t.service for t in tasks} == {"worker", "cache", "db", "pending", "ghost", "web"}
    worker = [t for t in tasks if t.service == "worker"]
    stamps = [t.timestamp for t in worker if t.timestamp is not None]
    assert len(stamps) == len(worker) and stamps == sorted(stamps, reverse=True)
    assert {t.exit_code for t in worker if t.state == "failed"} == {1}
    assert all(t.node == "vm" for t in worker)


def test_an_exit_137_without_an_inspect_is_a_crash_unless_an_oom_event_was_seen(recorded: dict[str, Any]) -> None:
    blind = extract(raw_of(recorded, inspects=False), now=at(recorded))
    assert K.OOM_KILLED not in kinds(blind, "cache")
    assert one(blind, K.CRASH_LOOP, "cache").data["exit_code"] == "137"

    heard = extract(raw_of(recorded, inspects=False, cache=at(recorded, -timedelta(seconds=5))), now=at(recorded))
    assert K.OOM_KILLED in kinds(heard, "cache")
    assert K.CRASH_LOOP not in kinds(heard, "cache")


def test_an_unhealthy_kill_is_told_by_the_task_error_alone(recorded: dict[str, Any]) -> None:
    found = extract(raw_of(recorded, inspects=False), now=at(recorded))
    assert K.UNHEALTHY in kinds(found, "db")


def test_old_failures_and_deploys_fade_out(recorded: dict[str, Any]) -> None:
    later = extract(raw_of(recorded), now=at(recorded, timedelta(minutes=30)))
    assert K.CRASH_LOOP not in kinds(later, "worker") and K.OOM_KILLED not in kinds(later, "cache")
    assert K.SERVICE_DOWN in kinds(later, "worker")
    assert kinds(later, "web") == {K.UPDATE_ROLLED_BACK, K.RECENT_DEPLOY}

    next_day = extract(raw_of(recorded), now=at(recorded, timedelta(hours=25)))
    assert kinds(next_day, "web") == set()


def test_a_node_restart_failing_every_replica_once_is_no_crash_loop(recorded: dict[str, Any]) -> None:
    data = copy.deepcopy(recorded)
    api = service_named(data, "api")
    running = [t for t in data["tasks"] if t["ServiceID"] == api["ID"]]
    for task in running:
        failed = copy.deepcopy(task)
        failed["ID"] = task["ID"] + "x"
        failed["DesiredState"] = "shutdown"
        failed["Status"].update(State="failed", Err="task: non-zero exit (255)")
        failed["Status"]["ContainerStatus"]["ExitCode"] = 255
        data["tasks"].append(failed)

    found = extract(raw_of(data), now=at(data))
    assert K.CRASH_LOOP not in kinds(found, "api")
    services = {s.name: s for s in found.services}
    assert services["api"].restarts == 3


def test_replicas_below_desired_and_zero_replicas(recorded: dict[str, Any]) -> None:
    data = copy.deepcopy(recorded)
    service_named(data, "api")["ServiceStatus"]["RunningTasks"] = 1
    idle = service_named(data, "pending")
    idle["Spec"]["Mode"]["Replicated"]["Replicas"] = 0
    idle["ServiceStatus"]["DesiredTasks"] = 0

    found = extract(raw_of(data), now=at(data))
    below = one(found, K.REPLICAS_BELOW_DESIRED, "api")
    assert below.detail == "1 of 3 replicas running"
    assert K.SERVICE_DOWN not in kinds(found, "pending")


@pytest.mark.parametrize(
    ("state", "kind"),
    [
        ("paused", K.UPDATE_PAUSED),
        ("rollback_paused", K.UPDATE_PAUSED),
        ("rollback_started", K.UPDATE_ROLLING_BACK),
    ],
)
def test_update_states(recorded: dict[str, Any], state: str, kind: SignalKind) -> None:
    data = copy.deepcopy(recorded)
    web = service_named(data, "web")
    web["UpdateStatus"]["State"] = state
    web["UpdateStatus"]["Message"] = "update paused due to failure or early termination of task x"
    found = extract(raw_of(data), now=at(data))
    signal = one(found, kind, "web")
    assert "early termination" in signal.detail
    assert K.UPDATE_ROLLED_BACK not in kinds(found, "web")


def test_previous_image_comes_from_the_previous_spec(recorded: dict[str, Any]) -> None:
    data = copy.deepcopy(recorded)
    web = service_named(data, "web")
    web["PreviousSpec"] = copy.deepcopy(web["Spec"])
    web["PreviousSpec"]["TaskTemplate"]["ContainerSpec"]["Image"] = "shop/web:1.4@sha256:" + "a" * 64
    found = extract(raw_of(data), now=at(data))
    assert one(found, K.RECENT_DEPLOY, "web").data["previous_image"] == "shop/web:1.4"


def manager(node: dict[str, Any], n: int, reachability: str) -> dict[str, Any]:
    copied = copy.deepcopy(node)
    copied["ID"] = f"node{n}"
    copied["Description"]["Hostname"] = f"m{n}"
    copied["ManagerStatus"] = {"Leader": n == 1, "Reachability": reachability, "Addr": f"127.0.0.{n}:2377"}
    return copied


def test_nodes_down_drained_and_quorum(recorded: dict[str, Any]) -> None:
    data = copy.deepcopy(recorded)
    node = data["nodes"][0]
    down = manager(node, 2, "unreachable")
    down["Status"]["State"] = "down"
    drained = manager(node, 3, "unreachable")
    drained["Spec"]["Availability"] = "drain"
    data["nodes"] = [manager(node, 1, "reachable"), down, drained]

    found = extract(raw_of(data), now=at(data))
    assert kinds(found, "m1") == set()
    assert kinds(found, "m2") == {K.NODE_DOWN, K.MANAGER_UNREACHABLE}
    assert kinds(found, "m3") == {K.NODE_DRAINED, K.MANAGER_UNREACHABLE}
    quorum = one(found, K.QUORUM_AT_RISK, "")
    assert quorum.data == {"managers": "3", "reachable": "1"}
    assert one(found, K.NODE_DOWN, "m2").data["node"] == "m2"

    data["nodes"] = [manager(node, 1, "reachable"), manager(node, 2, "reachable"), drained]
    assert K.QUORUM_AT_RISK not in {s.kind for s in extract(raw_of(data), now=at(data)).signals}


@pytest.mark.parametrize("name", ["[bold red]x[/]", "\x1b[31mred\x1b[0m", "[link=file:///etc/passwd]y[/link]"])
def test_hostile_service_names_stay_literal(recorded: dict[str, Any], name: str) -> None:
    data = copy.deepcopy(recorded)
    service_named(data, "worker")["Spec"]["Name"] = name

    found = extract(raw_of(data), now=at(data))
    crash = one(found, K.CRASH_LOOP, name)
    assert crash.data["service"] == name
    assert name in {s.name for s in found.services}
    assert {t.service for t in found.tasks if t.service == name} == {name}


def test_jobs_are_never_down(recorded: dict[str, Any]) -> None:
    data = copy.deepcopy(recorded)
    job = service_named(data, "pending")
    job["Spec"]["Mode"] = {"ReplicatedJob": {"MaxConcurrent": 1, "TotalCompletions": 2}}
    found = extract(raw_of(data), now=at(data))
    assert K.SERVICE_DOWN not in kinds(found, "pending")
    assert {s.name: s.mode for s in found.services}["pending"] == "replicated-job"


def test_container_facts_from_an_inspect() -> None:
    facts = ContainerFacts.from_inspect(
        {
            "Id": "abc",
            "State": {
                "ExitCode": 137,
                "OOMKilled": False,
                "Health": {"Status": "unhealthy", "FailingStreak": 2, "Log": [{"ExitCode": 1, "Output": "nope\n"}]},
            },
        }
    )
    assert facts == ContainerFacts(
        id="abc", exit_code=137, health_status="unhealthy", health_output="nope", failing_streak=2
    )


@pytest.mark.parametrize(
    ("size", "text"), [(16 * 1024 * 1024, "16M"), (3 * 1024**3 // 2, "1.5G"), (512, "512B"), (2048, "2K")]
)
def test_human_bytes(size: int, text: str) -> None:
    assert human_bytes(size) == text


def test_parse_time_takes_nanoseconds_and_rejects_zero() -> None:
    parsed = parse_time("2026-11-26T05:13:19.638143735Z")
    assert parsed is not None and (parsed.microsecond, parsed.utcoffset()) == (638143, timedelta(0))
    assert parse_time("0001-01-01T00:00:00Z") is None
    assert parse_time("") is None
    assert parse_time("yesterday") is None


def event(kind: str, action: str, **attrs: str) -> dict[str, Any]:
    return {
        "Type": kind,
        "Action": action,
        "Actor": {"ID": "c0ffee", "Attributes": attrs},
        "time": 1795671497,
        "timeNano": 1795671497723295673,
    }


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (event("container", "oom", **{"com.docker.swarm.service.name": "cache"}), "cache: container OOM-killed"),
        (
            event("container", "die", exitCode="137", **{"com.docker.swarm.service.name": "cache"}),
            "cache: container killed (exit 137)",
        ),
        (
            event("container", "die", exitCode="1", **{"com.docker.swarm.service.name": "worker"}),
            "worker: container exited with code 1",
        ),
        (
            event("container", "health_status: unhealthy", **{"com.docker.swarm.service.name": "db"}),
            "db: container unhealthy",
        ),
        (
            event("service", "update", name="web", **{"updatestate.new": "rollback_completed"}),
            "web: update rolled back",
        ),
        (
            event("service", "update", name="web", **{"replicas.old": "0", "replicas.new": "1"}),
            "web: scaled from 0 to 1 replicas",
        ),
    ],
)
def test_engine_events_read_as_short_texts(raw: dict[str, Any], text: str) -> None:
    described = describe(raw)
    assert described is not None
    assert described.text == text
    assert described.at.year == 2026


def test_events_outside_swarm_are_ignored() -> None:
    assert describe(event("container", "die", exitCode="1")) is None
    assert describe(event("network", "create", name="ingress")) is None


@pytest.mark.parametrize(
    ("swarm", "words"),
    [
        ({"LocalNodeState": "inactive"}, "not in a swarm"),
        ({"LocalNodeState": "active", "ControlAvailable": False}, "worker"),
        ({"LocalNodeState": "locked"}, "docker swarm unlock"),
        ({"LocalNodeState": "error", "Error": "raft\nbroken"}, "in error: raft broken"),
    ],
)
def test_not_a_manager_is_one_line(swarm: dict[str, Any], words: str) -> None:
    problem = swarm_problem({"Swarm": swarm})
    assert problem is not None and problem.kind == K.NOT_SWARM_MANAGER
    assert words in problem.reason and "\n" not in problem.reason


def test_a_manager_has_no_problem(recorded: dict[str, Any]) -> None:
    assert swarm_problem({"Swarm": {"LocalNodeState": "active", "ControlAvailable": True}}) is None


@pytest.mark.parametrize(("up_for", "down"), [(timedelta(seconds=1), True), (timedelta(minutes=1), False)])
def test_a_crash_looping_task_up_for_a_moment_does_not_count_as_running(
    recorded: dict[str, Any], up_for: timedelta, down: bool
) -> None:
    """Between two crashes the worker's new task runs for a moment: the service is still down."""
    looped = copy.deepcopy(recorded)
    now = at(recorded)
    worker = next(s for s in looped["services"] if s["Spec"]["Name"] == "worker")
    worker["ServiceStatus"]["RunningTasks"] = 1
    newest = max(
        (t for t in looped["tasks"] if t["ServiceID"] == worker["ID"] and t["DesiredState"] in ("running", "ready")),
        key=lambda t: t["Status"]["Timestamp"],
    )
    stamp = (now - up_for).isoformat().replace("+00:00", "Z")
    newest["Status"] = {**newest["Status"], "State": "running", "Err": None, "Timestamp": stamp}
    newest["DesiredState"] = "running"

    found = extract(raw_of(looped), now=now)

    assert (K.SERVICE_DOWN in kinds(found, "worker")) is down
    assert K.CRASH_LOOP in kinds(found, "worker")
    assert next(s for s in found.services if s.name == "worker").running == (0 if down else 1)


def test_restarts_count_container_deaths_beyond_the_task_history(recorded: dict[str, Any]) -> None:
    from maestro.collect.signals import container_id_of
    from maestro.collect.swarm import CollectorCache

    worker_id = service_named(recorded, "worker")["ID"]
    listed = {container_id_of(t) for t in recorded["tasks"] if t["ServiceID"] == worker_id}
    cache = CollectorCache()
    for n in range(25):
        raw_die = event("container", "die", exitCode="1", **{"com.docker.swarm.service.name": "worker"})
        raw_die["Actor"]["ID"] = f"pruned{n:02d}"
        died = describe(raw_die)
        assert died is not None and died.container == f"pruned{n:02d}"
        cache.observe(died)
    for cid in sorted(c for c in listed if c)[:2]:  # deaths swarm still lists are not counted twice
        raw_die = event("container", "die", exitCode="1", **{"com.docker.swarm.service.name": "worker"})
        raw_die["Actor"]["ID"] = cid
        cache.observe(describe(raw_die))  # type: ignore[arg-type]
    stopped = event("container", "die", exitCode="0", **{"com.docker.swarm.service.name": "worker"})
    cache.observe(describe(stopped))  # type: ignore[arg-type]

    raw = RawSwarm(recorded["services"], recorded["tasks"], recorded["nodes"], deaths=cache.deaths)
    services = {s.name: s for s in extract(raw, now=at(recorded)).services}
    assert services["worker"].restarts == 4 + 25
    assert services["api"].restarts == 0

    # A container stopped on purpose (update, scale-down) dies with a signal's exit code, yet is no restart.
    stopped = next(t for t in recorded["tasks"] if t["Status"]["State"] == "shutdown" and container_id_of(t))
    on_purpose = event("container", "die", exitCode="143", **{"com.docker.swarm.service.name": "api"})
    on_purpose["Actor"]["ID"] = container_id_of(stopped)
    cache.observe(describe(on_purpose))  # type: ignore[arg-type]
    assert container_id_of(stopped) in cache.deaths["api"]
    cache.forget_clean_exits(recorded["tasks"])
    assert cache.deaths["api"] == set()
