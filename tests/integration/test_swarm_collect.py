"""collect() against the real lab: every incident shape shows up as its signal, under its real name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from maestro.collect import swarm
from maestro.model import Evidence, Signal, SignalKind
from tests.integration.conftest import Lab, counting

pytestmark = pytest.mark.lab
K = SignalKind


@pytest.fixture(scope="module")
def evidence(lab: Lab) -> Evidence:
    client = lab.client()
    try:
        return swarm.collect(client)
    finally:
        client.close()


def one(evidence: Evidence, kind: SignalKind, subject: str) -> Signal:
    found = [s for s in evidence.signals if s.kind == kind and s.subject == subject]
    assert len(found) == 1, [(s.kind.value, s.subject) for s in evidence.signals]
    return found[0]


def test_the_lab_engine_is_read_without_errors(evidence: Evidence) -> None:
    assert evidence.errors == []
    assert evidence.source == "swarm"
    assert evidence.engine.startswith("Docker ") and "swarm manager" in evidence.engine
    assert {"api", "worker", "cache", "db", "pending", "web", "ghost"} <= {s.name for s in evidence.services}
    assert [n.role for n in evidence.nodes] == ["manager"] and evidence.nodes[0].leader


def test_healthy_api_has_no_signal(evidence: Evidence) -> None:
    assert evidence.signals_for("api") == []
    api = next(s for s in evidence.services if s.name == "api")
    assert (api.running, api.desired) == (3, 3)


def test_worker_crash_loops_with_its_exit_code_and_error(evidence: Evidence) -> None:
    crash = one(evidence, K.CRASH_LOOP, "worker")
    assert crash.data["exit_code"] == "1"
    assert crash.data["error"] == "task: non-zero exit (1)"
    assert crash.data["last_log"] == "boom: cannot connect to queue"
    assert int(crash.data["failures"]) >= 3
    one(evidence, K.SERVICE_DOWN, "worker")


def test_cache_is_oom_killed_at_its_limit(evidence: Evidence) -> None:
    oom = one(evidence, K.OOM_KILLED, "cache")
    assert oom.data["memory_limit"] == "16M"
    assert oom.data["exit_code"] == "137"
    assert K.CRASH_LOOP not in {s.kind for s in evidence.signals_for("cache")}


def test_db_fails_its_health_check(evidence: Evidence) -> None:
    sick = one(evidence, K.UNHEALTHY, "db")
    assert "unhealthy container" in sick.data["error"]
    assert sick.data["healthcheck"] == "false"


def test_pending_cannot_be_scheduled(evidence: Evidence) -> None:
    stuck = one(evidence, K.UNSCHEDULABLE, "pending")
    assert stuck.data["error"].startswith("no suitable node")
    assert stuck.data["constraint"] == "node.labels.nope==1"
    assert stuck.data["pending"] == "2"


def test_ghost_image_is_missing(evidence: Evidence) -> None:
    missing = one(evidence, K.IMAGE_MISSING, "ghost")
    assert missing.data["image"] == "maestro/busybox:missing"
    assert "No such image" in missing.data["error"]


def test_web_update_rolled_back_with_the_v2_error(lab: Lab, evidence: Evidence) -> None:
    rolled = one(evidence, K.UPDATE_ROLLED_BACK, "web")
    assert rolled.data["last_log"] == "web v2: missing config DATABASE_URL"
    updated = datetime.fromisoformat(lab.docker("service", "inspect", "web", "--format", "{{.UpdatedAt}}").strip()[:26])
    recent = evidence.collected_at - updated.replace(tzinfo=UTC) < timedelta(hours=1)
    assert (K.RECENT_DEPLOY in {s.kind for s in evidence.signals_for("web")}) == recent


def test_failing_services_come_with_log_excerpts(evidence: Evidence) -> None:
    by_service = {line.service for line in evidence.logs}
    assert {"worker", "web"} <= by_service
    assert "api" not in by_service
    worker = [line for line in evidence.logs if line.service == "worker"]
    stamps = [line.at for line in worker if line.at is not None]
    assert len(stamps) == len(worker) and stamps == sorted(stamps)
    assert {line.text for line in worker} == {"worker starting", "boom: cannot connect to queue"}


def test_a_second_poll_skips_the_handshake_and_inspects_no_settled_container_again(lab: Lab) -> None:
    client = lab.client()
    cache = swarm.CollectorCache()
    calls = counting(client)
    try:
        swarm.collect(client, previous=cache)
        first = list(calls)
        settled = set(cache.containers)
        calls.clear()
        swarm.collect(client, previous=cache)
    finally:
        client.close()
    assert any(c.endswith("/version") for c in first) and any(c.endswith("/info") for c in first)
    assert not any(c.endswith(("/version", "/info")) for c in calls)
    assert settled, first
    assert {c.split("/")[-2] for c in first if "/containers/" in c} >= settled
    assert settled.isdisjoint(c.split("/")[-2] for c in calls if "/containers/" in c)


def shape(evidence: Evidence, name: str) -> tuple[object, ...]:
    """What a poll says about one service, without the parts that move with the clock."""
    info = next(s for s in evidence.services if s.name == name)
    return (
        info.model_dump(exclude={"restarts"}),
        sorted(s.kind.value for s in evidence.signals if s.subject == name),
        bool([t for t in evidence.tasks if t.service == name]),
        bool([line for line in evidence.logs if line.service == name]),
    )


@pytest.mark.parametrize("name", ["api", "worker", "cache", "db", "pending", "web", "ghost"])
def test_one_service_read_again_matches_a_full_poll_and_leaves_the_rest(lab: Lab, name: str) -> None:
    client = lab.client()
    cache = swarm.CollectorCache()
    try:
        full = swarm.collect(client, previous=cache)
        calls = counting(client)
        again = swarm.collect_service(client, name, full, cache=cache)
        read = list(calls)
        fresh = swarm.collect(client, previous=swarm.CollectorCache())
    finally:
        client.close()
    assert shape(again, name) == shape(fresh, name)
    assert [s.name for s in again.services] == [s.name for s in full.services]
    others = [s for s in full.services if s.name != name]
    assert all(a is b for a, b in zip(others, [s for s in again.services if s.name != name], strict=True))
    assert [s for s in again.signals if s.subject != name] == [s for s in full.signals if s.subject != name]
    assert again.nodes == full.nodes
    assert sum(c.endswith("/services") for c in read) == 1 and sum(c.endswith("/tasks") for c in read) == 1
    assert not any(c.endswith(("/nodes", "/version", "/info")) for c in read), read


def test_a_service_that_is_gone_leaves_the_evidence(lab: Lab) -> None:
    client = lab.client()
    cache = swarm.CollectorCache()
    try:
        full = swarm.collect(client, previous=cache)
        renamed = full.model_copy(
            update={"services": [*full.services, full.services[0].model_copy(update={"name": "gone"})]}
        )
        again = swarm.collect_service(client, "gone", renamed, cache=cache)
    finally:
        client.close()
    assert [s.name for s in again.services] == [s.name for s in full.services]
