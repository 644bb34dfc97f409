"""The seed's decision trees, every branch, answered from the incident's state and evidence."""

from __future__ import annotations

from datetime import timedelta

from maestro import events as ev
from maestro.config import Config
from maestro.decision_trees import ESCALATE, ROLLBACK, evaluate, should_escalate, should_roll_back
from maestro.model import Severity
from tests.factories import T0, Stream, evidence, issue, triage


def broken(*failing: str) -> Stream:
    s = Stream()
    s.add(ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence(T0, list(failing))), minutes=0)
    issues = [issue("swarm.service_down", Severity.P0, name) for name in failing]
    s.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(*issues)), minutes=0)
    return s


def capture(s: Stream, *failing: str, minutes: float = 1) -> None:
    taken = evidence(s.at + timedelta(minutes=minutes), list(failing))
    s.add(ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=taken), minutes)


def tick(s: Stream, service: str, minutes: float = 1) -> None:
    s.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item=f"swarm.service_down:{service}"), minutes)


# --- should I roll back? ---------------------------------------------------------------------------


def test_fix_deployed_and_still_broken_says_roll_back_now() -> None:
    s = broken("db", "worker")
    tick(s, "db")
    capture(s, "db", "worker")
    answer = should_roll_back(s.incident(), s.at)
    assert (answer.answer, answer.branch) == ("ROLLBACK NOW", "Fix deployed, still broken? Yes")
    assert answer.because == "still failing after the fix: db"


def test_evidence_older_than_the_fix_does_not_say_it_failed() -> None:
    s = broken("db", "worker")
    tick(s, "db")
    answer = should_roll_back(s.incident(), s.at)
    assert answer.answer == "Continue fixing"
    assert answer.steps[0].because == "no evidence taken since the fix"


def test_getting_worse_after_the_fix_says_roll_back_now() -> None:
    s = broken("db")
    tick(s, "db")
    live = evidence(s.at + timedelta(minutes=1), ["cache"])
    answer = should_roll_back(s.incident(), s.at + timedelta(minutes=1), live)
    assert (answer.answer, answer.branch) == ("ROLLBACK NOW", "Getting worse after fix? Yes")
    assert answer.because == "failing since the fix: cache"


def test_thirty_minutes_without_progress_says_consider_rollback() -> None:
    s = broken("db")
    at_20 = should_roll_back(s.incident(), T0 + timedelta(minutes=20))
    assert (at_20.answer, at_20.branch) == ("Continue fixing", "Been > 30 min, no progress? No")
    at_31 = should_roll_back(s.incident(), T0 + timedelta(minutes=31))
    assert (at_31.answer, at_31.because) == ("Consider rollback", "open 31 min, nothing done")
    tick(s, "db", minutes=25)
    recent = should_roll_back(s.incident(), T0 + timedelta(minutes=31))
    assert recent.answer == "Continue fixing" and recent.steps[2].because == "last progress 6 min ago"


def test_data_integrity_at_risk_says_roll_back_and_escalate_before_anything_else() -> None:
    s = Stream("orders have wrong totals")
    data = issue("data.corruption", Severity.P0, "orders")
    s.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(data)), minutes=0)
    answer = should_roll_back(s.incident(), T0 + timedelta(minutes=45))
    assert (answer.answer, answer.branch) == ("ROLLBACK + ESCALATE", "Data integrity at risk? Yes")
    assert [step.answer for step in answer.steps] == [False, False, True, True]


def test_every_rollback_branch_is_reported_in_the_seed_order() -> None:
    answer = should_roll_back(broken("db").incident(), T0 + timedelta(minutes=5))
    assert [step.question for step in answer.steps] == [b.question for b in ROLLBACK.branches]
    assert answer.answer == "Continue fixing"


def test_fixed_services_running_again_do_not_roll_back() -> None:
    s = broken("db")
    tick(s, "db")
    capture(s)
    answer = should_roll_back(s.incident(), s.at)
    assert answer.answer == "Continue fixing"
    assert answer.steps[0].because == "the fixed services are running"


# --- should I escalate? ----------------------------------------------------------------------------


def test_p0_escalates_to_the_team_lead_after_30_minutes() -> None:
    s = broken("db")
    early = should_escalate(s.incident(), Config(), T0 + timedelta(minutes=10))
    assert (early.answer, early.because) == ("No escalation yet", "open 10 min; Team Lead in 20 min")
    late = should_escalate(s.incident(), Config(), T0 + timedelta(minutes=31))
    assert (late.answer, late.branch) == (
        "Escalate to Team Lead",
        "P0 (Production down): still broken after 30 min? Yes",
    )


def test_p0_resolved_in_under_30_minutes_needs_no_escalation() -> None:
    s = broken("db")
    s.add(ev.EventKind.RESOLVED, ev.Resolved(resolution="restarted db"), minutes=20)
    answer = should_escalate(s.incident(), Config(), T0 + timedelta(hours=2))
    assert (answer.answer, answer.because) == ("No escalation", "resolved in 20 min")


def test_p1_escalates_after_an_hour() -> None:
    s = broken("db")
    s.add(ev.EventKind.SEVERITY_CHANGED, ev.SeverityChanged(severity=Severity.P1))
    assert should_escalate(s.incident(), Config(), T0 + timedelta(minutes=50)).answer == "No escalation yet"
    answer = should_escalate(s.incident(), Config(), T0 + timedelta(minutes=61))
    assert answer.answer == "Escalate to Team Lead"
    assert answer.branch == "P1 (Degraded): still broken after 1 hour? Yes"


def test_p2_is_handled_during_business_hours() -> None:
    s = broken("db")
    s.add(ev.EventKind.SEVERITY_CHANGED, ev.SeverityChanged(severity=Severity.P2))
    answer = should_escalate(s.incident(), Config(), T0 + timedelta(hours=9))
    assert answer.answer == "Handle during business hours: no escalation"
    assert answer.branch == ESCALATE.branches[2].question


def test_both_trees_together() -> None:
    answers = evaluate(broken("db", "cache").incident(), Config(), T0 + timedelta(minutes=31))
    assert [a.line() for a in answers] == [
        "Should I roll back? Consider rollback: open 31 min, nothing done",
        "Should I escalate? Escalate to Team Lead: still broken after 31 min (limit 30 min)",
    ]


def test_the_rules_and_both_trees_work_out_one_moment_s_facts_once() -> None:
    from maestro import escalation
    from maestro.situation import situation
    from tests.factories import recorded_incident

    incident, at = recorded_incident("mitigated")
    evidence = incident.evidence
    facts = situation(incident, at, evidence)
    assert situation(incident, at, evidence) is facts
    escalation.advise(incident, Config(), at, evidence)
    assert situation(incident, at, evidence) is facts
    later = situation(incident, at + timedelta(seconds=1), evidence)
    assert later is not facts and later.elapsed == facts.elapsed + timedelta(seconds=1)
    other = incident.model_copy(update={"conditions": []})
    assert situation(other, at, evidence) is not situation(incident, at, evidence)
