"""Every report at each moment of the recorded demo incident, byte for byte against files read by a person.

To accept a deliberate change: MAESTRO_REGOLD=1 .venv/bin/python -m pytest tests/unit/test_report_golden.py
then read the diff of tests/unit/golden/ before committing it.
"""

from __future__ import annotations

import difflib
import os
from datetime import datetime
from pathlib import Path

import pytest

from maestro import report
from maestro.config import Config
from maestro.incident import Incident
from tests.factories import MOMENTS, recorded_incident

GOLDEN = Path(__file__).parent / "golden"
REGOLD = os.environ.get("MAESTRO_REGOLD") == "1"


def golden_files(moment: str) -> list[str]:
    names = [r.filename for r in report.REPORTS] + [report.JSON_FILE]
    return [*names, report.HTML_FILE] if moment == "resolved" else names


@pytest.mark.parametrize("moment", MOMENTS)
def test_reports_match_their_golden_files(moment: str, tmp_path: Path) -> None:
    incident, now = recorded_incident(moment)
    report.export(incident, Config(), tmp_path, now=now)
    for name in golden_files(moment):
        written = (tmp_path / name).read_text(encoding="utf-8")
        golden = GOLDEN / moment / name
        if REGOLD:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(written, encoding="utf-8")
            continue
        assert golden.exists(), f"no golden file {golden}; run with MAESTRO_REGOLD=1 and read it"
        expected = golden.read_text(encoding="utf-8")
        if written != expected:
            diff = difflib.unified_diff(
                expected.splitlines(), written.splitlines(), f"golden/{moment}/{name}", "written", lineterm="", n=1
            )
            pytest.fail("\n".join(list(diff)[:60]) + "\n(MAESTRO_REGOLD=1 regenerates; read the diff first)")


def test_the_moments_tell_different_stories() -> None:
    summaries = {}
    for moment in MOMENTS:
        incident, config, now = _incident_and_config(moment)
        summaries[moment] = report.render("executive-summary", incident, config, now=now)
    assert "**Incident Status**: Open" in summaries["open"]
    assert "**Incident Status**: Mitigated" in summaries["mitigated"]
    assert "**Incident Status**: Resolved" in summaries["resolved"]
    resolved = summaries["resolved"]
    for contradiction in ("System Status**: Down", "in progress", " - open", "ETA to Resolution"):
        assert contradiction not in resolved
    assert "**Resolution**: web rolled back to v1 with DATABASE_URL restored" in resolved
    assert "- **2026-11-26 04:50 UTC**: Incident began (reported as: 10 minutes ago" in resolved


def _incident_and_config(moment: str) -> tuple[Incident, Config, datetime]:
    incident, now = recorded_incident(moment)
    return incident, Config(), now
