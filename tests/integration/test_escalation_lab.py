"""Against the lab's swarm, a new incident is told to escalate now, with the rule that fired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from maestro import events as ev
from maestro.collect import swarm
from maestro.config import Config
from maestro.decision_trees import evaluate
from maestro.escalation import advise, record_firings
from maestro.journal import Journal
from maestro.model import IncidentContext
from maestro.status_update import draft
from maestro.triage import rules
from tests.integration.conftest import Lab

pytestmark = pytest.mark.lab

LAB_FAILING = ["cache", "db", "ghost", "pending", "worker"]


def test_a_new_incident_on_the_lab_escalates_now_for_multiple_services(lab: Lab, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    evidence = swarm.snapshot(lab.host, now=now)
    context = IncidentContext(description="users report errors")
    triage = rules.triage(context, evidence, catalog=rules.load_catalog(None), now=now)
    with Journal.open(tmp_path / "j.sqlite3") as journal:
        incident_id = journal.open_incident(context).incident_id
        journal.append(incident_id, ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence))
        journal.append(incident_id, ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage))
        incident = journal.incident(incident_id)
        advice = advise(incident, Config(), now + timedelta(seconds=5))
        assert advice.headline() == (
            f"Escalate now → Infrastructure Manager: multiple services failing ({', '.join(LAB_FAILING)})"
        )
        once = partial(journal.append_once, incident_id)
        assert record_firings(once, incident, advice.fired) == advice.fired
        assert record_firings(once, journal.incident(incident_id), advice.fired) == []
        incident = journal.incident(incident_id)
    rollback, escalate = evaluate(incident, Config(), now + timedelta(seconds=5))
    assert rollback.answer == "Continue fixing" and escalate.answer == "No escalation yet"
    text = draft(incident, now + timedelta(seconds=5)).splitlines()
    assert text[1] != "Status: Monitoring"
    assert text[2].endswith(f"5 services failing ({', '.join(LAB_FAILING)})")
