"""One broken runbook file in runbook_dir: the offline triage still comes from the shipped runbooks and names it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from maestro.config import Config
from maestro.model import IncidentContext, Severity
from maestro.triage.pipeline import rules_triage

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_the_checklist_notice_names_the_broken_file_and_the_triage_still_runs(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[[runbook]\nid = 'x.y'\n")
    context = IncidentContext(description="Redis out of memory - cache failures")
    triage = rules_triage(context, None, Config(runbook_dir=tmp_path), NOW)
    assert triage.severity is Severity.P1 and triage.issues
    assert triage.notice.startswith(f"Runbook skipped: {broken}: invalid TOML")
    assert rules_triage(context, None, Config(), NOW).notice == ""
