"""SwarmEvents against the real engines: the lab's failures arrive as short texts; stop() is prompt."""

from __future__ import annotations

import threading
import time

import docker
import pytest

from maestro.collect import swarm
from maestro.collect.engine_events import EngineEvent, SwarmEvents
from tests.integration.conftest import Lab

pytestmark = pytest.mark.lab


class Heard:
    def __init__(self, *wanted: str) -> None:
        self.texts: list[str] = []
        self.repolls = 0
        self._wanted = set(wanted)
        self.all_heard = threading.Event()
        self._lock = threading.Lock()

    def event(self, event: EngineEvent) -> None:
        with self._lock:
            self.texts.append(event.text)
            if self._wanted <= set(self.texts):
                self.all_heard.set()

    def repoll(self) -> None:
        self.repolls += 1


def test_crash_loop_and_oom_arrive_as_texts_and_stop_is_prompt(lab: Lab) -> None:
    client = lab.client()
    heard = Heard("worker: container exited with code 1", "cache: container OOM-killed")
    events = SwarmEvents(client, heard.event, repoll=heard.repoll).start()
    try:
        assert heard.all_heard.wait(30), heard.texts
        assert heard.repolls >= 2
    finally:
        t0 = time.monotonic()
        events.stop()
        stopped_in = time.monotonic() - t0
        client.close()
    assert stopped_in < 1.0
    count = len(heard.texts)
    time.sleep(3)
    assert len(heard.texts) == count


def test_an_oom_event_tells_oom_when_no_inspect_can(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(swarm, "MAX_INSPECTS", 0)
    client = lab.client()
    cache = swarm.CollectorCache()
    heard = threading.Event()

    def on_event(event: EngineEvent) -> None:
        cache.observe(event)
        if event.kind == "oom":
            heard.set()

    try:
        blind = swarm.collect(client, previous=cache)
        assert "oom_killed" not in {s.kind.value for s in blind.signals_for("cache")}
        events = SwarmEvents(client, on_event).start()
        try:
            assert heard.wait(30)
        finally:
            events.stop()
        told = swarm.collect(client, previous=cache)
    finally:
        client.close()
    assert "cache" in cache.oom_seen
    assert "oom_killed" in {s.kind.value for s in told.signals_for("cache")}


def test_a_service_update_reads_as_what_changed(scratch_lab: Lab) -> None:
    client = scratch_lab.client()
    heard = Heard("quiet: scaled from 0 to 1 replicas")
    events = SwarmEvents(client, heard.event).start()
    spec = docker.types.ContainerSpec("maestro/busybox:lab", ["sleep", "1000000"])
    try:
        assert events.connected.wait(10)
        client.api.create_service(
            docker.types.TaskTemplate(spec), name="quiet", mode=docker.types.ServiceMode("replicated", 0)
        )
        scratch_lab.docker("service", "scale", "--detach", "quiet=1")
        assert heard.all_heard.wait(20), heard.texts
    finally:
        events.stop()
        client.api.remove_service("quiet")
        client.close()
