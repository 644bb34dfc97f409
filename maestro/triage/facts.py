"""Facts for runbook placeholders, read from the live evidence and the incident text.

A placeholder with no known value is shown as `<NAME>` so the reader sees what to fill in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from maestro.model import Evidence, NodeInfo, ServiceInfo, Signal, SignalKind, TaskInfo
from maestro.runbooks.terms import PLACEHOLDER

Facts = Mapping[str, str]

_MIN = datetime.min.replace(tzinfo=UTC)
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
_FAILED = frozenset({"failed", "rejected", "orphaned"})


def fill(template: str, facts: Facts) -> str:
    """Replace every `{name}` by its fact, or by `<NAME>` when the fact is unknown."""
    return PLACEHOLDER.sub(lambda m: facts.get(m.group(1)) or f"<{m.group(1).upper()}>", template)


def parse_bytes(value: str) -> int | None:
    found = _SIZE.match(value)
    if not found:
        return None
    return int(float(found.group(1)) * _UNITS[found.group(2).lower()])


def docker_size(size: int) -> str:
    """Bytes in the units `docker service update --limit-memory` takes (4G, 512M)."""
    if size >= 1 << 30 and size % (1 << 30) == 0:
        return f"{size >> 30}G"
    return f"{max(1, size >> 20)}M"


def _aware(at: datetime | None) -> datetime:
    if at is None:
        return _MIN
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class World:
    """The evidence, indexed once per triage."""

    def __init__(self, evidence: Evidence | None) -> None:
        self.evidence = evidence
        self.services: dict[str, ServiceInfo] = {s.name: s for s in evidence.services} if evidence else {}
        self.nodes: dict[str, NodeInfo] = {}
        self.signals: list[Signal] = list(evidence.signals) if evidence else []
        self._node_names: dict[str, str] = {}
        self._tasks: dict[str, list[TaskInfo]] = {}
        self._logs: dict[str, list[str]] = {}
        if evidence is None:
            return
        for node in evidence.nodes:
            self.nodes[node.hostname] = node
            self._node_names[node.id] = node.hostname
        for task in evidence.tasks:
            self._tasks.setdefault(task.service, []).append(task)
        for tasks in self._tasks.values():
            tasks.sort(key=lambda t: _aware(t.timestamp), reverse=True)
        for line in evidence.logs:
            self._logs.setdefault(line.service, []).append(line.text)

    def node_name(self, ref: str) -> str:
        """Hostname of a node given by id or hostname."""
        return self._node_names.get(ref, ref)

    def is_down(self, service: str) -> bool:
        info = self.services.get(service)
        return info is not None and info.desired > 0 and info.running == 0

    def is_short(self, service: str) -> bool:
        info = self.services.get(service)
        return info is not None and info.running < info.desired

    def service_aliases(self) -> dict[str, list[str]]:
        """Names a person may use for a service: its name and, for stack services, the part after the stack."""
        return {
            name: [name.lower(), name.lower().split("_", 1)[1]] if "_" in name else [name.lower()]
            for name in self.services
        }

    def recent_deploys(self) -> list[Signal]:
        return [s for s in self.signals if s.kind is SignalKind.RECENT_DEPLOY]

    def error_logs(self, service: str, limit: int = 2) -> list[str]:
        lines = self._logs.get(service, [])[-50:]
        errors = [line for line in lines if _LOOKS_WRONG.search(line)]
        return list(dict.fromkeys(errors))[-limit:]

    def service_facts(self, service: str) -> dict[str, str]:
        facts = {"service": service}
        info = self.services.get(service)
        if info is not None:
            facts["image"] = info.image
            facts["replicas"] = str(info.desired)
            facts["scale_to"] = str(max(2, info.desired * 2))
            if info.memory_limit:
                facts["memory_limit"] = docker_size(info.memory_limit)
                facts["suggested_memory_limit"] = docker_size(info.memory_limit * 2)
            if info.constraints:
                facts["constraint"] = info.constraints[0]
            if info.last_error:
                facts["error"] = info.last_error
        failed = next((t for t in self._tasks.get(service, []) if t.state in _FAILED or t.error), None)
        if failed is not None:
            if failed.node:
                facts["node"] = self.node_name(failed.node)
            if failed.exit_code is not None:
                facts["exit_code"] = str(failed.exit_code)
            if failed.error:
                facts["error"] = failed.error
        return facts

    def facts(self, subject: str, on_node: bool, signals: list[Signal]) -> dict[str, str]:
        """Facts about a subject: service or node facts, then the signals' own data (most specific)."""
        facts: dict[str, str] = {}
        if subject and on_node:
            facts["node"] = self.node_name(subject)
        elif subject:
            facts = self.service_facts(subject)
        for signal in signals:
            for key, value in signal.data.items():
                if value:
                    facts[key] = value
        limit = parse_bytes(facts.get("memory_limit", ""))
        if limit:
            facts["memory_limit"] = docker_size(limit)
            facts["suggested_memory_limit"] = docker_size(limit * 2)
        return facts


_LOOKS_WRONG = re.compile(
    r"error|fail|fatal|panic|exception|killed|refused|timeout|timed out|cannot|can't|unable|denied|missing|oom",
    re.IGNORECASE,
)
