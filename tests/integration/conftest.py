"""The swarm lab (scripts/swarm-lab) for integration tests: a real dockerd in its own network namespace.

`lab` is the shared lab with the seven incident shapes; it is left running (scripts/swarm-lab down
stops it). `scratch_lab` is a second, private lab with the same shapes for tests that add services or
stop the engine; it is removed at the end of the session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import pytest
from requests import PreparedRequest, Response

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "swarm-lab"


@dataclass(frozen=True)
class Lab:
    dir: Path
    netns: str

    @property
    def host(self) -> str:
        return f"unix://{self.dir}/docker.sock"

    def env(self) -> dict[str, str]:
        return {**os.environ, "MAESTRO_LAB_DIR": str(self.dir), "MAESTRO_LAB_NETNS": self.netns}

    def script(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SCRIPT), *args], env=self.env(), capture_output=True, text=True, timeout=timeout, check=False
        )

    def docker(self, *args: str) -> str:
        done = subprocess.run(
            ["docker", "-H", self.host, *args], capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.host, timeout=10)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment for running `maestro-tui` as a process: its files in tmp_path, no engine to reach."""
    return {
        **os.environ,
        "MAESTRO_JOURNAL": str(tmp_path / "journal.sqlite3"),
        "MAESTRO_CONFIG": str(tmp_path / "config.toml"),
        "MAESTRO_REPORTS": str(tmp_path / "reports"),
        "DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock",
    }


def why_no_lab() -> str | None:
    if os.geteuid() != 0:
        return "the swarm lab needs root (it creates a network namespace and starts dockerd)"
    if shutil.which("ip") is None:
        return "the swarm lab needs `ip` from iproute2"
    if subprocess.run(["ip", "netns", "list"], capture_output=True, check=False).returncode != 0:
        return "the swarm lab needs `ip netns`, which this kernel or container does not allow"
    return None


def start(lab: Lab, *args: str) -> Lab:
    if reason := why_no_lab():
        pytest.skip(reason)
    done = lab.script("up", *args)
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        if os.environ.get("MAESTRO_LAB") == "1":
            pytest.fail(f"the swarm lab did not start: {tail}")
        pytest.skip(f"the swarm lab did not start: {tail}")
    return lab


@pytest.fixture(scope="session")
def lab() -> Lab:
    default = Lab(
        Path(os.environ.get("MAESTRO_LAB_DIR", "/tmp/maestro-lab")), os.environ.get("MAESTRO_LAB_NETNS", "maestro-lab")
    )
    return start(default)


def private_lab(kind: str) -> Lab:
    """A lab of this test process; labs left by test processes that died are taken down first."""
    for folder in Path("/tmp").glob(f"maestro-{kind}-*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if folder.is_dir() and pid.isdigit() and not Path(f"/proc/{pid}").exists():
            Lab(folder, folder.name).script("down")
    return Lab(Path(f"/tmp/maestro-{kind}-{os.getpid()}"), f"maestro-{kind}-{os.getpid()}")


@pytest.fixture(scope="session")
def scratch_lab() -> Iterator[Lab]:
    scratch = private_lab("scratch")
    start(scratch)
    yield scratch
    scratch.script("down")


def counting(client: docker.DockerClient) -> list[str]:
    """Record the path of every HTTP request the client sends."""
    calls: list[str] = []
    send = client.api.send

    def counted(request: PreparedRequest, **kwargs: Any) -> Response:
        calls.append(str(request.path_url).split("?")[0])
        return send(request, **kwargs)

    client.api.send = counted  # type: ignore[method-assign]
    return calls
