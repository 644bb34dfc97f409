"""The drift notice: told once per change that held two polls, never for a flapping signal, reset by a triage."""

from __future__ import annotations

from datetime import UTC, datetime

from maestro.collect.drift import DriftWatch
from maestro.model import Evidence, Signal, SignalKind

NOW = datetime(2026, 11, 26, 5, 20, tzinfo=UTC)
K = SignalKind


def evidence(*signals: tuple[SignalKind, str]) -> Evidence:
    return Evidence(
        collected_at=NOW,
        source="swarm",
        signals=[Signal(kind=kind, subject=subject, detail="x", observed_at=NOW) for kind, subject in signals],
    )


TRIAGED = evidence((K.CRASH_LOOP, "worker"), (K.SERVICE_DOWN, "worker"))


def test_the_same_signals_say_nothing() -> None:
    watch = DriftWatch()
    assert [watch.update(TRIAGED, evidence(*[(s.kind, s.subject) for s in TRIAGED.signals])) for _ in range(3)] == [
        ""
    ] * 3


def test_a_change_is_told_once_after_it_held_two_polls() -> None:
    watch = DriftWatch()
    live = evidence((K.CRASH_LOOP, "worker"), (K.OOM_KILLED, "cache"), (K.UNHEALTHY, "db"))
    told = [watch.update(TRIAGED, live) for _ in range(4)]
    assert told == [
        "",
        "evidence changed: 2 new signals (oom_killed cache, unhealthy db); 1 cleared (service_down worker)"
        " - press t to re-triage",
        "",
        "",
    ]


def test_a_flapping_signal_is_never_told() -> None:
    watch = DriftWatch()
    up = evidence((K.CRASH_LOOP, "worker"))
    down = TRIAGED
    assert [watch.update(TRIAGED, live) for live in (up, down, up, down, up, down)] == [""] * 6


def test_a_new_triage_starts_over() -> None:
    watch = DriftWatch()
    live = evidence((K.CRASH_LOOP, "worker"), (K.SERVICE_DOWN, "worker"), (K.OOM_KILLED, "cache"))
    assert watch.update(TRIAGED, live) == ""
    assert watch.update(TRIAGED, live).startswith("evidence changed: 1 new signal (oom_killed cache)")
    assert [watch.update(live, live) for _ in range(3)] == [""] * 3
    assert watch.update(live, TRIAGED) == ""
    assert watch.update(live, TRIAGED) == "evidence changed: 1 cleared (oom_killed cache) - press t to re-triage"


def test_long_lists_are_cut_with_a_count() -> None:
    watch = DriftWatch(confirmations=1)
    live = evidence(*[(K.SERVICE_DOWN, f"svc{n}") for n in range(5)])
    assert watch.update(None, live) == (
        "evidence changed: 5 new signals (service_down svc0, service_down svc1, service_down svc2, +2)"
        " - press t to re-triage"
    )
