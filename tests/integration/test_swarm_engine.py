"""The collector against engines that misbehave, and what one poll costs.

Tests that add services or stop dockerd use `scratch_lab`, a private second lab, so the shared one
stays as other tests expect it.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from maestro.collect import swarm
from maestro.collect.engine_events import EngineEvent, SwarmEvents
from maestro.model import Evidence, SignalKind
from tests.integration.conftest import Lab, counting, private_lab, start

K = SignalKind
EXTRA = 50


def only_error(evidence: Evidence, kind: SignalKind) -> str:
    assert evidence.services == [] and len(evidence.errors) == 1, evidence.errors
    assert [(s.kind, s.subject) for s in evidence.signals] == [(kind, "")]
    assert evidence.signals[0].detail == evidence.errors[0]
    assert "\n" not in evidence.errors[0]
    return evidence.errors[0]


# --- engines that are not there --------------------------------------------------------------


def test_a_missing_socket_is_reported_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/docker.sock")
    client = swarm.connect()
    reason = only_error(swarm.collect(client), K.ENGINE_UNREACHABLE)
    assert f"{tmp_path}/docker.sock" in reason and "does not exist" in reason


def test_a_socket_nobody_listens_on_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dead.sock"
    with socket.socket(socket.AF_UNIX) as dead:
        dead.bind(str(path))
    reason = only_error(swarm.snapshot(f"unix://{path}"), K.ENGINE_UNREACHABLE)
    assert "refused" in reason and str(path) in reason


def test_a_host_that_cannot_be_parsed_is_one_line() -> None:
    reason = only_error(swarm.snapshot("gopher://nowhere"), K.ENGINE_UNREACHABLE)
    assert "gopher://nowhere" in reason


@pytest.mark.lab
def test_permission_denied_on_the_socket(lab: Lab) -> None:
    """A user outside the docker group: the probe loads everything as root, then drops to nobody."""
    probe = (
        "import os, pwd\n"
        "from maestro.collect import swarm\n"
        "swarm.snapshot('unix:///nonexistent/warm-up.sock')\n"
        "nobody = pwd.getpwnam('nobody')\n"
        "os.setgroups([]); os.setgid(nobody.pw_gid); os.setuid(nobody.pw_uid)\n"
        f"e = swarm.snapshot({lab.host!r})\n"
        "print(e.signals[0].kind.value); print(e.errors[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert done.returncode == 0, done.stderr
    kind, reason = done.stdout.strip().splitlines()
    assert kind == "permission_denied"
    assert "permission denied" in reason and lab.host in reason and "docker group" in reason


@pytest.fixture
def bare_engine() -> Iterator[Lab]:
    engine = private_lab("bare")
    start(engine, "--engine-only")
    yield engine
    engine.script("down")


@pytest.mark.lab
def test_an_engine_outside_any_swarm_is_not_a_manager(bare_engine: Lab) -> None:
    reason = only_error(swarm.snapshot(bare_engine.host), K.NOT_SWARM_MANAGER)
    assert "docker swarm init" in reason


# --- cost of a poll ----------------------------------------------------------------------------


@pytest.mark.lab
def test_a_poll_costs_the_same_with_7_and_with_57_services(scratch_lab: Lab) -> None:
    client = scratch_lab.client()
    calls = counting(client)
    try:
        before = swarm.collect(client)
        with_seven = list(calls)
        failing = {s.subject for s in before.signals}
        for n in range(EXTRA):
            client.api.create_service(
                docker.types.TaskTemplate(docker.types.ContainerSpec("maestro/busybox:lab", ["sleep", "1000000"])),
                name=f"extra-{n:02d}",
                mode=docker.types.ServiceMode("replicated", 0),
            )
        calls.clear()
        after = swarm.collect(client)
        with_fifty_seven = list(calls)
    finally:
        for n in range(EXTRA):
            with contextlib.suppress(docker.errors.NotFound):
                client.api.remove_service(f"extra-{n:02d}")
        client.close()

    assert len(before.services) == 7 and len(after.services) == 7 + EXTRA
    assert {s.subject for s in after.signals} == failing
    listings = [c for c in with_fifty_seven if c.rsplit("/", 1)[-1] in ("services", "tasks", "nodes")]
    assert sorted(c.rsplit("/", 1)[-1] for c in listings) == ["nodes", "services", "tasks"]
    assert len(with_fifty_seven) == len(with_seven), (with_seven, with_fifty_seven)
    assert len(with_seven) <= 5 + swarm.MAX_INSPECTS + swarm.MAX_LOG_SERVICES


# --- an engine that goes away and comes back --------------------------------------------------


@pytest.mark.lab
def test_engine_stopped_mid_session_is_reported_then_recovers(scratch_lab: Lab) -> None:
    client = swarm.connect(scratch_lab.host)
    cache = swarm.CollectorCache()
    heard: list[EngineEvent] = []
    got_die_after_restart = threading.Event()
    restarted = threading.Event()
    repolls: list[float] = []
    late: docker.DockerClient | None = None

    def on_event(event: EngineEvent) -> None:
        heard.append(event)
        if restarted.is_set() and event.kind == "die":
            got_die_after_restart.set()

    events = SwarmEvents(client, on_event, repoll=lambda: repolls.append(time.monotonic()), max_backoff=1.0).start()
    try:
        assert events.connected.wait(10)
        assert swarm.collect(client, previous=cache).errors == []

        stopped = scratch_lab.script("down", "--keep-data")
        assert stopped.returncode == 0, stopped.stderr
        reason = only_error(swarm.collect(client, previous=cache), K.ENGINE_UNREACHABLE)
        assert scratch_lab.host in reason
        assert cache.engine == ""
        # A client made while the engine is away cannot negotiate the API version yet; its first
        # poll after the engine is back must.
        late = swarm.connect(scratch_lab.host)
        assert "does not exist" in only_error(swarm.collect(late), K.ENGINE_UNREACHABLE)

        reconnects_before = len(repolls)
        restarted.set()
        started = scratch_lab.script("up", "--bare")
        assert started.returncode == 0, started.stderr
        recovered = swarm.collect(client, previous=cache)
        assert recovered.errors == []
        assert {s.name for s in recovered.services} >= {"worker", "web", "api"}
        assert recovered.engine.startswith("Docker ")
        late_poll = swarm.collect(late)
        assert late_poll.errors == [] and len(late_poll.services) == len(recovered.services)

        assert got_die_after_restart.wait(30), [e.text for e in heard[-5:]]
        assert len(repolls) > reconnects_before
    finally:
        t0 = time.monotonic()
        events.stop()
        assert time.monotonic() - t0 < 2
        client.close()
        if late is not None:
            late.close()
        scratch_lab.script("up")
