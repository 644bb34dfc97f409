"""Every sink of incident text is redacted: triage json and md, --show-prompt, reports and the journal."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from maestro import events as ev
from maestro.journal import Journal
from maestro.model import Evidence, IncidentContext, LogLine, TaskInfo

STRIPE = "sk_live_" + "a1B2" * 8
SECRETS = {
    "stripe": STRIPE,
    "dsn": "p@ss/w0rd",
    "prose": "Tr0ub4dor",
    "query": "AbC123sigXyz",
    "flag": "hunter2mysql",
}
DESCRIPTION = (
    "api down since the deploy; db at postgres://app:p@ss/w0rd@db:5432/app; "
    "the password is Tr0ub4dor; blob https://acct.blob.example.test/c?sv=1&sig=AbC123sigXyz"
)
CHANGES = f"deployed with {STRIPE} and ran mysql -uroot -phunter2mysql"


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("extra", [["--format", "json"], ["--format", "md"], ["--show-prompt"]])
def test_the_triage_command_prints_no_secret(env: dict[str, str], extra: list[str]) -> None:
    out = run(env, "triage", DESCRIPTION, "--changes", CHANGES, "--offline", *extra)
    assert "REDACTED" in out
    assert [name for name, secret in SECRETS.items() if secret in out] == []
    if extra == ["--format", "json"]:
        json.loads(out)


def test_the_journal_keeps_structure_but_no_secret(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path, actor="oncall") as journal:
        opened = journal.open_incident(IncidentContext(description=DESCRIPTION, recent_changes=CHANGES))
        at = datetime(2026, 12, 6, tzinfo=UTC)
        evidence = Evidence(
            collected_at=at,
            source="swarm",
            tasks=[
                TaskInfo(id="t1", service="api", desired_state="running", state="failed", error=f"bad key {STRIPE}")
            ],
            logs=[LogLine(service="api", text="password: Tr0ub4dor")],
        )
        journal.append(opened.incident_id, ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence))
        journal.append(opened.incident_id, ev.EventKind.NOTE_ADDED, ev.NoteAdded(text="token=AbC123sigXyz seen"))
        folded = journal.incident(opened.incident_id)
    raw = "\n".join(row[0] for row in sqlite3.connect(path).execute("SELECT payload FROM events"))
    assert [name for name, secret in SECRETS.items() if secret in raw] == []
    assert folded.context.description.startswith("api down since the deploy")
    assert folded.notes[-1].text == "token=[REDACTED] seen"
    assert "[REDACTED]" in raw
