"""The service table's rows, worked out off the UI thread: what changed, and when the order must be redone."""

from __future__ import annotations

from datetime import UTC, datetime

from maestro.model import Evidence, ServiceInfo
from maestro.pane_views import service_rows

T0 = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)


def service(n: int, running: int = 2, restarts: int = 0) -> ServiceInfo:
    return ServiceInfo(id=f"id{n}", name=f"svc-{n:04d}", image="img:1", desired=2, running=running, restarts=restarts)


def evidence(services: list[ServiceInfo]) -> Evidence:
    return Evidence(collected_at=T0, source="swarm", services=services)


def test_the_first_rows_are_all_new_and_ordered() -> None:
    rows = service_rows(evidence([service(1), service(2, running=0)]), None)
    assert set(rows.changed) == {"svc-0001", "svc-0002"} and rows.removed == [] and rows.reordered
    assert rows.rows["svc-0002"][1:3] == ("0/2", "DOWN")
    assert rows.troubled == 1
    assert sorted(rows.ranks.values()) == [(0, "svc-0002"), (4, "svc-0001")]


def test_only_changed_rows_and_a_sort_only_when_a_rank_moves() -> None:
    quiet = [service(n) for n in range(1000)]
    first = service_rows(evidence(quiet), None)
    more_restarts = [service(7, restarts=1) if s.name == "svc-0007" else s for s in quiet]
    second = service_rows(evidence(more_restarts), first)
    assert second.changed == {"svc-0007": second.rows["svc-0007"]}
    assert second.reordered, "ok -> ERRORS moves it up"
    third = service_rows(evidence([service(7, restarts=2) if s.name == "svc-0007" else s for s in quiet]), second)
    assert list(third.changed) == ["svc-0007"] and not third.reordered, "still ERRORS: same place"
    gone = service_rows(evidence(quiet[1:]), first)
    assert gone.changed == {} and gone.removed == ["svc-0000"] and gone.reordered


def test_a_service_object_seen_before_is_not_worked_out_again() -> None:
    quiet = [service(n) for n in range(3)]
    first = service_rows(evidence(quiet), None)
    second = service_rows(evidence(quiet), first)
    assert second.changed == {} and not second.reordered
    assert all(second.rows[s.name] is first.rows[s.name] for s in quiet)
    copy = [s.model_copy() for s in quiet]
    third = service_rows(evidence(copy), second)
    assert third.changed == {} and all(third.rows[s.name] is not first.rows[s.name] for s in copy)
