"""Why the Docker engine cannot give us the swarm, as one line that says what to do."""

from __future__ import annotations

import errno
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import docker.errors
import requests

from maestro.model import SignalKind


@dataclass(frozen=True)
class EngineProblem:
    kind: SignalKind
    reason: str


def engine_address(client: Any) -> str:
    """Where the client talks to: `unix:///path` for sockets, the URL otherwise."""
    api = client.api
    adapter = api.get_adapter(api.base_url)
    path = getattr(adapter, "socket_path", None)
    return f"unix://{path}" if path else str(api.base_url)


def diagnose(exc: BaseException, address: str) -> EngineProblem:
    """An exception from the docker SDK, classified."""
    if isinstance(exc, docker.errors.APIError):
        text = str(exc.explanation or exc)
        if exc.status_code == 503 and "not a swarm manager" in text:
            if "worker" in text.lower():
                return _worker_node()
            return _swarm_inactive()
        return EngineProblem(SignalKind.ENGINE_UNREACHABLE, f"Docker engine at {address} failed: {_one_line(text)}")
    code = _errno(exc)
    if code in (errno.EACCES, errno.EPERM):
        return EngineProblem(
            SignalKind.PERMISSION_DENIED,
            f"permission denied on {address}: run as root or add your user to the docker group",
        )
    if code == errno.ENOENT:
        return EngineProblem(
            SignalKind.ENGINE_UNREACHABLE,
            f"no Docker engine at {address}: the socket does not exist (start dockerd or set --docker-host)",
        )
    if code == errno.ECONNREFUSED:
        return EngineProblem(
            SignalKind.ENGINE_UNREACHABLE,
            f"Docker engine at {address} refused the connection: is dockerd running? (or set --docker-host)",
        )
    if _caused_by(exc, requests.exceptions.Timeout, TimeoutError):
        return EngineProblem(
            SignalKind.ENGINE_UNREACHABLE, f"Docker engine at {address} did not answer in time: is it overloaded?"
        )
    return EngineProblem(
        SignalKind.ENGINE_UNREACHABLE, f"cannot reach the Docker engine at {address}: {_one_line(str(exc))}"
    )


def swarm_problem(info: Mapping[str, Any]) -> EngineProblem | None:
    """None when `GET /info` says this engine is a reachable swarm manager."""
    swarm = info.get("Swarm") or {}
    state = swarm.get("LocalNodeState") or "inactive"
    if state == "active":
        return None if swarm.get("ControlAvailable") else _worker_node()
    if state == "inactive":
        return _swarm_inactive()
    if state == "locked":
        return EngineProblem(
            SignalKind.NOT_SWARM_MANAGER, "the swarm is locked: run `docker swarm unlock` with the unlock key"
        )
    if state == "pending":
        return EngineProblem(SignalKind.NOT_SWARM_MANAGER, "this engine is still joining a swarm: retry in a moment")
    detail = _one_line(str(swarm.get("Error") or state))
    return EngineProblem(SignalKind.NOT_SWARM_MANAGER, f"the swarm on this engine is in error: {detail}")


def _worker_node() -> EngineProblem:
    return EngineProblem(
        SignalKind.NOT_SWARM_MANAGER,
        "this node is a swarm worker, not a manager: point --docker-host at a manager node",
    )


def _swarm_inactive() -> EngineProblem:
    return EngineProblem(
        SignalKind.NOT_SWARM_MANAGER,
        "this Docker engine is not in a swarm: run `docker swarm init` or point --docker-host at a manager",
    )


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps: causes, contexts, and the reasons urllib3 keeps in args."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo and len(seen) < 32:
        current = todo.pop(0)
        if any(current is s for s in seen):
            continue
        seen.append(current)
        linked = (current.__cause__, current.__context__, getattr(current, "reason", None), *current.args)
        todo.extend(e for e in linked if isinstance(e, BaseException))
    return seen


def _errno(exc: BaseException) -> int | None:
    for cause in _causes(exc):
        if isinstance(cause, OSError) and cause.errno is not None:
            return cause.errno
    return None


def _caused_by(exc: BaseException, *types: type[BaseException]) -> bool:
    return any(isinstance(cause, types) for cause in _causes(exc))


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 300 else line[:297] + "..."
