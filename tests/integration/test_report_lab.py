"""An incident on the real swarm lab, resolved, then exported by `maestro-tui export`: the reports tell the truth."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from maestro import events as ev
from maestro.collect import swarm
from maestro.journal import Journal
from maestro.model import IncidentContext, Severity
from maestro.triage import rules
from tests.integration.conftest import Lab

pytestmark = pytest.mark.lab

OPENED = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)


def test_a_resolved_lab_incident_exports_a_true_summary(lab: Lab, tmp_path: Path) -> None:
    journal_path = tmp_path / "journal.sqlite3"
    evidence = swarm.snapshot(lab.host, now=OPENED)
    assert not evidence.errors, evidence.errors
    failing = sorted(s.name for s in evidence.services if s.running < s.desired)
    context = IncidentContext(description="users report errors since 14:05", when="since 14:05 UTC")
    with Journal.open(journal_path, clock=lambda: OPENED, actor="ana@node1") as journal:
        incident_id = journal.open_incident(context).incident_id
        journal.append(incident_id, ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence))
        triage = rules.triage(context, evidence, now=OPENED)
        journal.append(incident_id, ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage))
        first_p0 = triage.by_severity(Severity.P0)[0]
        journal.append(incident_id, ev.EventKind.ITEM_TICKED, ev.ItemTicked(item=first_p0.id))
        journal.append(incident_id, ev.EventKind.RESOLVED, ev.Resolved(resolution="lab services repaired by hand"))
    out = tmp_path / "reports"
    env = {**os.environ, "MAESTRO_JOURNAL": str(journal_path), "MAESTRO_CONFIG": str(tmp_path / "none.toml")}
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "export", incident_id, "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    summary = (out / "01-executive-summary.md").read_text(encoding="utf-8")
    assert "**Incident Status**: Resolved" in summary
    assert "**Resolution**: lab services repaired by hand" in summary
    for contradiction in ("**System Status**: Down", "in progress", " - open", "**ETA to Resolution**"):
        assert contradiction not in summary
    assert "- **2026-11-26 14:05 UTC**: Incident began (reported as: since 14:05 UTC)" in summary
    assert "**Why Detection Was Delayed**: detected 25 min after it began" in summary

    quick = (out / "04-quick-reference.md").read_text(encoding="utf-8")
    for service in failing:
        assert f"docker service update --force {service}" in quick, service
    oom = [s.subject for s in evidence.signals if s.kind == "oom_killed"]
    assert oom, "the lab has an OOM-killed service"
    api_oom = quick[quick.index("### 3. API Container Out of Memory") : quick.index("### 4.")]
    assert f"docker service update --force {oom[0]}" in api_oom

    guide = (out / "03-recovery-guide.md").read_text(encoding="utf-8")
    assert "**Step 2: Hypothesis Testing**" in guide and "**STEP 1: Stop Current Deployment**" in guide
    assert {p.stat().st_mode & 0o777 for p in out.iterdir()} == {0o600}
    assert out.stat().st_mode & 0o777 == 0o700
