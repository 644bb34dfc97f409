"""service_logs() against real engines: merged in time order, bounded, literal, one-line errors."""

from __future__ import annotations

import time
from collections.abc import Iterator

import docker
import pytest

from maestro.collect import swarm
from maestro.collect.logs import MAX_LINE
from tests.integration.conftest import Lab

pytestmark = pytest.mark.lab

MARKUP = "[bold red]x[/] [link=file:///etc/passwd]y[/link]"
# What the service prints, in order: 10,000 short lines, a 1 MiB line, binary bytes, a secret, markup, escapes.
SCRIPT = (
    "seq 10000; head -c 1048576 /dev/zero | tr '\\0' x; echo; "
    "printf '\\377\\376bin\\200ary\\n'; "
    "echo 'login with DB_PASSWORD=hunter2'; "
    f"echo '{MARKUP}'; "
    "printf '\\033[31mred\\033[0m\\n'"
)


@pytest.fixture(scope="module")
def loud(scratch_lab: Lab) -> Iterator[docker.DockerClient]:
    """A one-shot service in the scratch lab that printed hostile lines, finished."""
    client = scratch_lab.client()
    spec = docker.types.ContainerSpec("maestro/busybox:lab", ["sh", "-c", SCRIPT])
    template = docker.types.TaskTemplate(spec, restart_policy=docker.types.RestartPolicy(condition="none"))
    client.api.create_service(template, name="loud")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            states = {t["Status"]["State"] for t in client.api.tasks(filters={"service": "loud"})}
            if states == {"complete"}:
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"the loud service did not complete: {states}")
        yield client
    finally:
        client.api.remove_service("loud")
        client.close()


def test_hostile_lines_stay_literal_and_bounded(loud: docker.DockerClient) -> None:
    lines = swarm.service_logs(loud, "loud", tail=50)
    texts = [line.text for line in lines]

    assert texts[-4] == "\ufffd\ufffdbin\ufffdary"
    assert texts[-3].startswith("login with DB_PASSWORD=") and "hunter2" not in texts[-3]
    assert texts[-2:] == [MARKUP, "\x1b[31mred\x1b[0m"]
    huge = next(t for t in texts if t.startswith("xxxx"))
    assert huge.startswith("x" * MAX_LINE) and "bytes cut" in huge
    assert len(huge) < MAX_LINE + 40
    assert all(line.service == "loud" and line.at is not None for line in lines)


def test_ten_thousand_lines_are_cut_to_the_byte_budget(loud: docker.DockerClient) -> None:
    lines = swarm.service_logs(loud, "loud", tail=20_000, max_bytes=8_000)

    assert sum(len(line.text.encode()) + 1 for line in lines) <= 8_000
    numbers = [int(line.text) for line in lines if line.text.isdigit()]
    assert numbers and numbers[-1] == 10_000
    assert numbers == list(range(10_001 - len(numbers), 10_001))
    assert lines[-1].text == "\x1b[31mred\x1b[0m"


def test_worker_logs_of_several_tasks_are_merged_in_time_order(lab: Lab) -> None:
    client = lab.client()
    try:
        lines = swarm.service_logs(client, "worker", tail=5)
    finally:
        client.close()
    stamps = [line.at for line in lines if line.at is not None]
    assert len(stamps) == len(lines) > 2 and stamps == sorted(stamps)
    assert {line.text for line in lines} == {"worker starting", "boom: cannot connect to queue"}


def test_logs_of_a_service_that_does_not_exist_is_one_line(lab: Lab) -> None:
    client = lab.client()
    try:
        with pytest.raises(swarm.LogsUnavailable, match="no service named 'nope'") as caught:
            swarm.service_logs(client, "nope")
    finally:
        client.close()
    assert "\n" not in str(caught.value)
