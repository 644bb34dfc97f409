"""Engine events for the timeline: one per service and kind per minute, the rest merged into a count."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from maestro.collect.engine_events import EngineEvent
from maestro.collect.event_throttle import EventThrottle
from maestro.events import SwarmEvent

T0 = datetime(2026, 11, 26, 5, 20, tzinfo=UTC)


def died(service: str, code: int = 1) -> EngineEvent:
    return EngineEvent(
        at=T0, kind="die", service=service, text=f"{service}: container exited with code {code}", exit_code=code
    )


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_the_first_event_of_a_service_and_kind_is_due_at_once_without_the_name_twice() -> None:
    throttle = EventThrottle()
    throttle.offer(died("worker"), at(0))
    assert throttle.take(at(0)) == [SwarmEvent(subject="worker", text="container exited with code 1")]
    assert throttle.take(at(1)) == []


def test_a_crash_loop_is_one_line_then_one_count_per_minute() -> None:
    throttle = EventThrottle()
    due: list[SwarmEvent] = []
    for n in range(50):  # a container dies every 3 s for 2.5 minutes, with exit codes 0, 1, 2, 0, ...
        throttle.offer(died("worker", code=n % 3), at(3 * n))
        due += throttle.take(at(3 * n))
    due += throttle.take(at(181))
    assert due == [
        SwarmEvent(subject="worker", text="container exited with code 0"),
        SwarmEvent(subject="worker", text="container exited with code 1 (19 more since 05:20:03)"),
        SwarmEvent(subject="worker", text="container exited with code 0 (20 more since 05:21:00)"),
        SwarmEvent(subject="worker", text="container exited with code 1 (10 more since 05:22:00)"),
    ]
    throttle.offer(died("worker"), at(400))
    assert throttle.take(at(400)) == [SwarmEvent(subject="worker", text="container exited with code 1")]


def test_services_and_kinds_have_windows_of_their_own() -> None:
    throttle = EventThrottle()
    oom = EngineEvent(at=T0, kind="oom", service="cache", text="cache: container OOM-killed")
    for event in (died("worker"), died("cache"), oom, died("worker")):
        throttle.offer(event, at(1))
    assert throttle.take(at(2)) == [
        SwarmEvent(subject="worker", text="container exited with code 1"),
        SwarmEvent(subject="cache", text="container exited with code 1"),
        SwarmEvent(subject="cache", text="container OOM-killed"),
    ]


def test_offers_from_many_threads_lose_nothing() -> None:
    throttle = EventThrottle()

    def storm(service: str) -> None:
        for _ in range(500):
            throttle.offer(died(service), at(0))

    threads = [threading.Thread(target=storm, args=(f"svc{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first = throttle.take(at(0))
    merged = throttle.take(at(60))
    assert sorted(e.subject for e in first) == ["svc0", "svc1", "svc2", "svc3"]
    assert sorted(e.text for e in merged) == ["container exited with code 1 (499 more since 05:20:00)"] * 4


def test_repeated_oom_reports_of_the_same_containers_count_containers_not_events() -> None:
    throttle = EventThrottle()
    due: list[SwarmEvent] = []
    for n in range(98):  # the kernel reports each of 4 containers' OOM kill many times over
        oom = EngineEvent(at=T0, kind="oom", service="cache", text="cache: container OOM-killed", container=f"c{n % 4}")
        throttle.offer(oom, at(n * 0.5))
        due += throttle.take(at(n * 0.5))
    due += throttle.take(at(61))
    assert due == [
        SwarmEvent(subject="cache", text="container OOM-killed"),
        SwarmEvent(subject="cache", text="container OOM-killed (3 more since 05:20:00)"),
    ]
