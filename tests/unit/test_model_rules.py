"""The rules that live on the model: a service's state, a failed task, danger rank, contact labels, engine unusable."""

from __future__ import annotations

import pytest

from maestro.model import (
    FAILED_TASK_STATES,
    Command,
    Danger,
    EscalationContact,
    Evidence,
    ServiceInfo,
    ServiceState,
    TaskInfo,
)
from maestro.safety import checked
from tests.factories import T0


def service(desired: int, running: int, **extra: object) -> ServiceInfo:
    return ServiceInfo(id="s1", name="web", image="web:2", desired=desired, running=running, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("made", "state"),
    [
        (service(0, 0), ServiceState.IDLE),
        (service(2, 0, restarts=4), ServiceState.DOWN),
        (service(2, 1), ServiceState.DEGRADED),
        (service(2, 2, update_state="rollback_started"), ServiceState.UPDATE),
        (service(2, 2, update_state="completed", last_error="exit 1"), ServiceState.ERRORS),
        (service(2, 2, restarts=1), ServiceState.ERRORS),
        (service(2, 2, update_state="completed"), ServiceState.OK),
    ],
)
def test_a_service_state_is_decided_worst_first(made: ServiceInfo, state: ServiceState) -> None:
    assert made.state is state


def test_service_states_rank_worst_first_and_only_the_bad_ones_are_trouble() -> None:
    ranked = sorted(ServiceState, key=lambda s: s.rank)
    assert ranked[:2] == [ServiceState.DOWN, ServiceState.DEGRADED] and ranked[-1] is ServiceState.IDLE
    assert [s for s in ServiceState if s.troubled] == ranked[:4]


@pytest.mark.parametrize("state", sorted(FAILED_TASK_STATES))
def test_failed_tasks(state: str) -> None:
    task = TaskInfo(id="t", service="web", desired_state="shutdown", state=state)
    assert task.failed and task.in_trouble


def test_a_running_task_with_an_error_is_in_trouble_but_not_failed() -> None:
    task = TaskInfo(id="t", service="web", desired_state="running", state="running", error="restarting")
    assert not task.failed and task.in_trouble
    assert not TaskInfo(id="t", service="web", desired_state="running", state="running").in_trouble


def test_danger_ranks_mildest_first_and_a_check_never_lowers_a_label() -> None:
    assert [d.rank for d in (Danger.READ_ONLY, Danger.MUTATING, Danger.DESTRUCTIVE)] == [0, 1, 2]
    assert Danger.worst(Danger.READ_ONLY, Danger.DESTRUCTIVE, Danger.MUTATING) is Danger.DESTRUCTIVE
    upstream = Command(text="docker service ls", danger=Danger.DESTRUCTIVE)
    assert checked(upstream).danger is Danger.DESTRUCTIVE
    assert checked(Command(text="docker rm -f $(docker ps -aq)", danger=Danger.READ_ONLY)).danger is Danger.DESTRUCTIVE


def test_contact_labels() -> None:
    lead = EscalationContact(role="Team lead", name="Bo", contact="+1 555 0100")
    assert (lead.label, lead.label_with_contact) == ("Team lead (Bo)", "Team lead (Bo) - +1 555 0100")
    on_call = EscalationContact(role="On-call engineer")
    assert on_call.label == on_call.label_with_contact == "On-call engineer"


def test_evidence_without_services_but_with_an_error_is_an_unusable_engine() -> None:
    gone = Evidence(collected_at=T0, source="swarm", errors=["Docker engine at unix:///x.sock does not exist"])
    assert gone.engine_unusable == "Docker engine at unix:///x.sock does not exist"
    partial = gone.model_copy(update={"services": [service(1, 1)]})
    assert partial.engine_unusable == ""
    assert Evidence(collected_at=T0, source="swarm").engine_unusable == ""
