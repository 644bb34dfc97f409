"""Quality of the rules triage over a table of realistic incidents (tests/unit/scenarios.toml)."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from maestro.model import Evidence, IncidentContext, LogLine, NodeInfo, ServiceInfo, Signal, Triage
from maestro.triage.rules import triage

NOW = datetime(2025, 10, 11, 12, 0, tzinfo=UTC)
SCENARIOS: list[dict[str, Any]] = tomllib.loads((Path(__file__).parent / "scenarios.toml").read_text())["scenario"]
MUST = [s for s in SCENARIOS if s.get("must")]


def evidence_of(scenario: dict[str, Any]) -> Evidence | None:
    if not any(k in scenario for k in ("services", "nodes", "signals")):
        return None
    services = [
        ServiceInfo(
            id=f"id-{s['name']}",
            name=s["name"],
            image=s.get("image", "registry.example.com/app:1.0"),
            desired=s["desired"],
            running=s["running"],
            memory_limit=s.get("memory_limit"),
            constraints=s.get("constraints", []),
            last_error=s.get("last_error", ""),
        )
        for s in scenario.get("services", [])
    ]
    nodes = [
        NodeInfo(id=f"id-{n['hostname']}", hostname=n["hostname"], role="worker", availability="active", state="ready")
        for n in scenario.get("nodes", [])
    ]
    signals = [
        Signal(kind=s["kind"], subject=s["subject"], detail=s["detail"], observed_at=NOW, data=s.get("data", {}))
        for s in scenario.get("signals", [])
    ]
    logs = [LogLine(service=line["service"], text=line["text"]) for line in scenario.get("logs", [])]
    return Evidence(collected_at=NOW, source="swarm", services=services, nodes=nodes, signals=signals, logs=logs)


def run(scenario: dict[str, Any]) -> Triage:
    context = IncidentContext(
        description=scenario["description"],
        error_messages=scenario.get("error_messages", ""),
        recent_changes=scenario.get("recent_changes", ""),
        user_impact=scenario.get("user_impact", ""),
    )
    return triage(context, evidence_of(scenario), now=NOW, aliases=scenario.get("aliases"))


def outcome(scenario: dict[str, Any]) -> tuple[str, str, str | None]:
    """The top issue's runbook and severity, and its subject when the scenario names the one expected."""
    top = run(scenario).issues[0]
    return top.runbook_id, str(top.severity), top.subject if "subject" in scenario else None


def expected(scenario: dict[str, Any]) -> tuple[str, str, str | None]:
    return scenario["expect"], scenario["severity"], scenario.get("subject")


def test_the_table_is_large_and_varied() -> None:
    assert len(SCENARIOS) >= 40
    assert sum(1 for s in SCENARIOS if evidence_of(s) is not None) >= 8
    assert sum(1 for s in SCENARIOS if s.get("logs")) >= 5
    assert sum(1 for s in SCENARIOS if "subject" in s) >= 5
    assert len({s["expect"] for s in SCENARIOS}) >= 25


def test_hit_rate_is_at_least_90_percent(capsys: pytest.CaptureFixture[str]) -> None:
    misses = []
    runbook_hits = severity_hits = subject_hits = 0
    for scenario in SCENARIOS:
        got = outcome(scenario)
        want = expected(scenario)
        runbook_hits += got[0] == want[0]
        severity_hits += got[1] == want[1]
        subject_hits += "subject" in scenario and got[2] == want[2]
        if got != want:
            misses.append(
                f"  {scenario['description'][:90]!r}\n"
                f"    expected {' '.join(filter(None, want))}, got {' '.join(filter(None, got))}"
            )
    total = len(SCENARIOS)
    hits = total - len(misses)
    with_subject = sum(1 for s in SCENARIOS if "subject" in s)
    with capsys.disabled():
        print(
            f"\nrules triage scenarios: {hits}/{total} hit ({hits / total:.0%}); primary runbook "
            f"{runbook_hits}/{total}, severity {severity_hits}/{total}, subject {subject_hits}/{with_subject}"
        )
        print("\n".join(misses) if misses else "  no misses")
    assert hits / total >= 0.9, "\n".join(misses)


@pytest.mark.parametrize("scenario", MUST, ids=[s["description"][:50] for s in MUST])
def test_must_pass(scenario: dict[str, Any]) -> None:
    assert outcome(scenario) == expected(scenario)
