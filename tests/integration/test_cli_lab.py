"""`maestro-tui triage` and `status` against the real swarm lab."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import Lab

pytestmark = pytest.mark.lab


def run(lab: Lab, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DOCKER_HOST": lab.host,
        "MAESTRO_CONFIG": str(tmp_path / "config.toml"),
        "MAESTRO_JOURNAL": str(tmp_path / "journal.sqlite3"),
    }
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


@pytest.fixture(scope="module")
def lab_triage(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> dict:
    result = run(lab, tmp_path_factory.mktemp("cli"), "triage", "users report errors", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def issue_for(triage: dict, service: str, runbook: str) -> dict:
    found = [i for i in triage["issues"] if i["subject"] == service and i["runbook_id"] == runbook]
    assert found, f"no {runbook} issue for {service}: {[i['id'] for i in triage['issues']]}"
    return found[0]


@pytest.mark.parametrize(
    ("service", "runbook"),
    [
        ("worker", "swarm.crash_loop"),
        ("cache", "swarm.oom_killed"),
        ("db", "swarm.unhealthy"),
        ("pending", "swarm.unschedulable"),
        ("ghost", "swarm.image_missing"),
        ("web", "swarm.update_failed"),
    ],
)
def test_each_failing_service_gets_its_runbook_with_its_name_in_the_commands(
    lab_triage: dict, service: str, runbook: str
) -> None:
    issue = issue_for(lab_triage, service, runbook)
    commands = [c["text"] for kind in ("fix", "verify", "rollback") for c in issue[kind]]
    assert any(service in text.split() for text in commands), commands
    assert issue["evidence"], "the evidence is quoted"


def test_oom_fix_raises_the_memory_limit_above_the_real_one(lab_triage: dict) -> None:
    issue = issue_for(lab_triage, "cache", "swarm.oom_killed")
    limits = [c["text"] for c in issue["fix"] if "--limit-memory" in c["text"]]
    assert limits and all("cache" in text for text in limits)
    assert any("16" in line or "16M" in line for line in issue["evidence"]), issue["evidence"]


def test_healthy_api_is_not_an_issue(lab_triage: dict) -> None:
    assert not [i for i in lab_triage["issues"] if i["subject"] == "api"]


WORKED_EXAMPLE = "Production API down - 500 errors. Logs show database connection timeout. Deployed 30 minutes ago."


def test_the_seeds_worked_example_puts_the_measured_database_outage_first(lab: Lab, tmp_path: Path) -> None:
    result = run(lab, tmp_path, "triage", WORKED_EXAMPLE, "--format", "json")
    assert result.returncode == 0, result.stderr
    issues = json.loads(result.stdout)["issues"]
    top = issues[0]
    assert (top["subject"], top["severity"], top["hypothesis"]) == ("db", "P0", False), [i["id"] for i in issues]
    assert top["why"].startswith("measured: db 0/1"), top["why"]
    assert "database" in top["reported"]
    for issue in issues[:3]:
        commands = " ".join(c["text"] for kind in ("fix", "verify", "rollback") for c in issue[kind])
        assert not re.search(r"<[A-Z_]*(SERVICE|NODE)>", commands), (issue["id"], commands)
    guesses = [i for i in issues if i["hypothesis"]]
    assert guesses and all(i["check"] and i["why"].startswith("hypothesis") for i in guesses)
    assert guesses[0]["runbook_id"] == "db.pool_exhausted" and "db: 0 of 1" in guesses[0]["why"]


def test_a_service_whose_update_rolled_back_is_not_told_to_roll_back(lab: Lab, tmp_path: Path) -> None:
    result = run(lab, tmp_path, "triage", WORKED_EXAMPLE, "--format", "json")
    web = [i for i in json.loads(result.stdout)["issues"] if i["subject"] == "web"]
    commands = [c["text"] for issue in web for kind in ("fix", "verify", "rollback") for c in issue[kind]]
    assert web and not [c for c in commands if "--rollback" in c and not c.startswith("#")], commands
    assert any(c.startswith("# no rollback for web: its last update already rolled back") for c in commands)


def test_status_json_lists_services_and_signals(lab: Lab, tmp_path: Path) -> None:
    result = run(lab, tmp_path, "status", "--json")
    assert result.returncode == 0, result.stderr
    evidence = json.loads(result.stdout)
    names = {s["name"] for s in evidence["services"]}
    assert {"api", "worker", "cache", "db", "pending", "web", "ghost"} <= names
    kinds = {(s["kind"], s["subject"]) for s in evidence["signals"]}
    assert ("crash_loop", "worker") in kinds and ("oom_killed", "cache") in kinds


def test_status_text_puts_trouble_first(lab: Lab, tmp_path: Path) -> None:
    result = run(lab, tmp_path, "status")
    assert result.returncode == 0, result.stderr
    rows = [line.split()[0] for line in result.stdout.splitlines()[2:] if line and not line.startswith(" ")]
    assert rows.index("worker") < rows.index("api")
