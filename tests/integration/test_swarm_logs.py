"""service_logs() against real engines: merged in time order, bounded, literal, one-line errors."""

from __future__ import annotations

import subprocess
import sys
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


# A task that prints one 100 KB line and exits, restarted again and again: the engine may never end
# `docker service logs --tail` for it.
LONG_LINE = "head -c 102400 /dev/zero | tr '\\0' y; echo; sleep 1; exit 1"


@pytest.fixture(scope="module")
def long_line(scratch_lab: Lab) -> Iterator[docker.DockerClient]:
    client = scratch_lab.client()
    spec = docker.types.ContainerSpec("maestro/busybox:lab", ["sh", "-c", LONG_LINE])
    policy = docker.types.RestartPolicy(condition="any", delay=1_000_000_000)
    client.api.create_service(docker.types.TaskTemplate(spec, restart_policy=policy), name="longline")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            failed = [t for t in client.api.tasks(filters={"service": "longline"}) if t["Status"]["State"] == "failed"]
            if len(failed) >= 3:
                break
            time.sleep(0.5)
        else:
            pytest.fail("the longline service did not restart three times")
        yield client
    finally:
        client.api.remove_service("longline")
        client.close()


def test_a_log_read_that_never_ends_is_cut_at_its_deadline(long_line: docker.DockerClient) -> None:
    for _ in range(3):
        started = time.monotonic()
        lines = swarm.service_logs(long_line, "longline", tail=20, seconds=2.0)
        elapsed = time.monotonic() - started
        assert elapsed < 4.0, f"log read took {elapsed:.1f} s"
        assert all(len(line.text) < MAX_LINE + 40 for line in lines)


def test_status_returns_promptly_beside_a_never_ending_log(long_line: docker.DockerClient, scratch_lab: Lab) -> None:
    env = {**scratch_lab.env(), "DOCKER_HOST": scratch_lab.host, "HOME": "/tmp/maestro-status-home"}
    for _ in range(2):
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", "status"], env=env, capture_output=True, text=True, timeout=60
        )
        elapsed = time.monotonic() - started
        print(f"maestro-tui status beside a never-ending log: {elapsed:.1f} s")
        assert done.returncode == 0, done.stderr
        assert "longline" in done.stdout
        assert elapsed < swarm.LOG_SECONDS_PER_POLL + 8
