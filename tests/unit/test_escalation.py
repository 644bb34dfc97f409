"""The seed's escalation rules, each one: when it fires, for whom, and what holds it back."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from functools import partial
from pathlib import Path

from maestro import events as ev
from maestro.config import Config
from maestro.escalation import RULES, Sustained, advise, clock, next_escalation, record_firings
from maestro.journal import Journal
from maestro.model import EscalationContact, Severity
from tests.factories import T0, Stream, evidence, issue, triage

FIVE = ["db", "worker", "cache", "ghost", "pending"]


def p0_incident() -> Stream:
    s = Stream()
    s.add(
        ev.EventKind.TRIAGE_GENERATED,
        ev.TriageGenerated(triage=triage(issue("a", Severity.P0, minutes=5), issue("b", Severity.P1, minutes=30))),
        minutes=0,
    )
    return s


def swarm_incident(failing: list[str], severity: Severity = Severity.P0) -> Stream:
    s = Stream()
    s.add(ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence(T0, failing)), minutes=0)
    issues = [issue("swarm.service_down", Severity.P0, name) for name in failing]
    s.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(*issues, severity=severity)), minutes=0)
    return s


# --- the clock -------------------------------------------------------------------------------------


def test_p0_escalates_to_team_lead_after_30_minutes_and_updates_every_15() -> None:
    incident = p0_incident().incident()
    state = clock(incident, Config(), T0 + timedelta(minutes=20))
    assert state.elapsed == timedelta(minutes=20)
    assert state.next_contact is not None and state.next_contact.role == "Team Lead"
    assert state.next_escalation_in == timedelta(minutes=10)
    assert state.next_update_in == timedelta(minutes=-5)
    assert not state.overdue
    assert clock(incident, Config(), T0 + timedelta(minutes=31)).overdue


def test_after_team_lead_the_next_timer_is_the_cto_at_four_hours_and_only_a_sent_update_resets_its_clock() -> None:
    s = p0_incident()
    s.add(ev.EventKind.ESCALATED, ev.Escalated(level=1, role="Team Lead"), minutes=31)
    s.add(ev.EventKind.STATUS_UPDATE_DRAFTED, ev.StatusUpdateDrafted(number=1, text="x"), minutes=1)
    state = clock(s.incident(), Config(), T0 + timedelta(minutes=40))
    assert state.next_contact is not None and state.next_contact.role == "CTO"
    assert state.next_escalation_in == timedelta(minutes=200)
    assert state.next_update_in == timedelta(minutes=-25), "a draft does not move the update clock"
    s.add(ev.EventKind.STATUS_UPDATE_SENT, ev.StatusUpdateSent(number=1, text="x edited", channels=["incidents"]))
    state = clock(s.incident(), Config(), T0 + timedelta(minutes=40))
    assert state.next_update_in == timedelta(minutes=8)
    assert s.incident().next_update_number == 2
    level, contact = next_escalation(s.incident(), Config()) or (0, None)
    assert (level, contact.role if contact else None) == (2, "Infrastructure Manager")


def test_p2_has_no_escalation_clock_and_a_resolved_incident_stops() -> None:
    s = p0_incident()
    s.add(ev.EventKind.SEVERITY_CHANGED, ev.SeverityChanged(severity=Severity.P2))
    state = clock(s.incident(), Config(), T0 + timedelta(hours=5))
    assert state.next_contact is None and state.next_update_in is None
    s.add(ev.EventKind.RESOLVED, ev.Resolved(resolution="fixed"), minutes=9)
    stopped = clock(s.incident(), Config(), T0 + timedelta(hours=5))
    assert stopped.elapsed == timedelta(minutes=10) and not stopped.running


# --- "Escalate immediately if" ---------------------------------------------------------------------


def test_multiple_services_failing_escalates_now_to_the_infrastructure_manager() -> None:
    advice = advise(swarm_incident(FIVE).incident(), Config(), T0 + timedelta(minutes=1))
    assert advice.top is not None and advice.top.rule == "multiple_services"
    assert advice.headline() == (
        "Escalate now → Infrastructure Manager: multiple services failing (cache, db, ghost, pending, worker)"
    )


def test_one_failing_service_is_not_multiple() -> None:
    advice = advise(swarm_incident(["db"]).incident(), Config(), T0 + timedelta(minutes=1))
    assert advice.escalate_now == []
    assert advice.headline().startswith("Next: Team Lead in 0:29:00")


def test_live_evidence_wins_over_the_journaled_capture() -> None:
    incident = swarm_incident(["db"]).incident()
    live = evidence(T0 + timedelta(minutes=2), ["db", "cache"])
    advice = advise(incident, Config(), T0 + timedelta(minutes=2), live)
    assert advice.top is not None and "(cache, db)" in advice.top.reason


def test_p0_not_resolved_in_30_minutes_goes_to_the_team_lead_even_while_progress_is_made() -> None:
    s = p0_incident()
    at_29 = advise(s.incident(), Config(), T0 + timedelta(minutes=29))
    assert at_29.escalate_now == [] and at_29.next_timer is not None
    assert at_29.headline() == "Next: Team Lead in 0:01:00 (P0 not resolved in 30 minutes)"
    s.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="b"), minutes=29)
    advice = advise(s.incident(), Config(), T0 + timedelta(minutes=31))
    assert advice.top is not None
    assert (advice.top.role, advice.top.reason) == ("Team Lead", "P0 not resolved in 30 minutes (open 0:31:00)")


def test_p1_not_resolved_in_one_hour_goes_to_the_team_lead() -> None:
    s = p0_incident()
    s.add(ev.EventKind.SEVERITY_CHANGED, ev.SeverityChanged(severity=Severity.P1))
    assert advise(s.incident(), Config(), T0 + timedelta(minutes=59)).escalate_now == []
    advice = advise(s.incident(), Config(), T0 + timedelta(minutes=61))
    assert advice.top is not None and advice.top.role == "Team Lead"
    assert advice.top.reason.startswith("P1 not resolved in 1 hour")


def test_an_outage_over_four_hours_goes_to_the_cto() -> None:
    s = p0_incident()
    s.add(ev.EventKind.ESCALATED, ev.Escalated(level=1, role="Team Lead"), minutes=31)
    advice = advise(s.incident(), Config(), T0 + timedelta(hours=4, minutes=1))
    assert advice.top is not None and advice.top.role == "CTO"
    assert advice.top.reason == "P0 not resolved in 4 hours (open 4:01:00)"
    assert [f.role for f in advice.already] == ["Team Lead"]


def test_data_corruption_escalates_to_the_infrastructure_manager_and_progress_does_not_hold_it() -> None:
    s = Stream("orders have wrong totals")
    data = issue("data.corruption", Severity.P0, "orders")
    s.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(data, issue("a", Severity.P1))), minutes=0)
    s.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="a"))
    advice = advise(s.incident(), Config(), T0 + timedelta(minutes=2))
    assert advice.top is not None
    assert advice.headline() == (
        "Escalate now → Infrastructure Manager: data loss or corruption detected (data.corruption on orders)"
    )


def test_data_loss_reported_by_a_person_goes_to_the_cto() -> None:
    s = p0_incident()
    s.add(ev.EventKind.CONDITION_REPORTED, ev.ConditionReported(condition=ev.Condition.DATA_LOSS))
    advice = advise(s.incident(), Config(), T0 + timedelta(minutes=3))
    assert [(f.rule, f.role) for f in advice.escalate_now] == [
        ("data_loss", "CTO"),
        ("data_loss_or_corruption", "Infrastructure Manager"),
    ]
    s.add(ev.EventKind.CONDITION_REPORTED, ev.ConditionReported(condition=ev.Condition.DATA_LOSS, present=False))
    assert advise(s.incident(), Config(), T0 + timedelta(minutes=5)).escalate_now == []


def test_a_suspected_security_breach_goes_to_the_cto() -> None:
    s = Stream("unknown ssh keys on node 2")
    s.add(
        ev.EventKind.TRIAGE_GENERATED,
        ev.TriageGenerated(triage=triage(issue("security.breach", Severity.P0, "node2"))),
        minutes=0,
    )
    advice = advise(s.incident(), Config(), T0 + timedelta(minutes=1))
    assert advice.headline() == "Escalate now → CTO: security breach suspected (security.breach on node2)"


def test_a_root_cause_completely_unknown_goes_to_the_team_lead_until_something_is_found() -> None:
    s = Stream("something is off")
    s.add(ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence(T0)), minutes=0)
    generic = triage(issue("triage.generic", Severity.P1), severity=Severity.P1)
    s.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=generic), minutes=0)
    advice = advise(s.incident(), Config(), T0 + timedelta(minutes=1))
    assert advice.headline() == "Escalate now → Team Lead: root cause completely unknown"
    found = advise(s.incident(), Config(), T0 + timedelta(minutes=1), evidence(T0 + timedelta(minutes=1), ["db"]))
    assert found.escalate_now == []


def test_an_architectural_decision_matters_for_a_p0_only() -> None:
    s = p0_incident()
    s.add(ev.EventKind.CONDITION_REPORTED, ev.ConditionReported(condition=ev.Condition.ARCHITECTURAL_DECISION))
    advice = advise(s.incident(), Config(), T0 + timedelta(minutes=3))
    assert advice.headline() == "Escalate now → Team Lead: P0 needs an architectural decision"
    s.add(ev.EventKind.SEVERITY_CHANGED, ev.SeverityChanged(severity=Severity.P1))
    assert advise(s.incident(), Config(), T0 + timedelta(minutes=5)).escalate_now == []


def test_customer_communication_needed_goes_to_the_infrastructure_manager() -> None:
    s = p0_incident()
    s.add(ev.EventKind.CONDITION_REPORTED, ev.ConditionReported(condition=ev.Condition.CUSTOMER_COMMUNICATION))
    advice = advise(s.incident(), Config(), T0 + timedelta(minutes=3))
    assert advice.headline() == "Escalate now → Infrastructure Manager: customer communication needed"


# --- "DON'T escalate if" ---------------------------------------------------------------------------


def test_progress_in_the_last_15_minutes_holds_the_multiple_services_rule() -> None:
    s = swarm_incident(FIVE)
    s.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="swarm.service_down:db"), minutes=2)
    held = advise(s.incident(), Config(), T0 + timedelta(minutes=10))
    assert held.escalate_now == [] and [f.rule for f in held.held] == ["multiple_services"]
    assert held.headline() == "Hold escalation: progress being made (swarm.service_down on db done at 05:02)"
    later = advise(s.incident(), Config(), T0 + timedelta(minutes=18))
    assert later.top is not None and later.top.rule == "multiple_services"


def test_fewer_failing_services_count_as_progress() -> None:
    s = swarm_incident(FIVE)
    s.add(ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence(T0, ["db", "worker"])), minutes=5)
    held = advise(s.incident(), Config(), T0 + timedelta(minutes=6))
    assert held.hold_reason == "progress being made (failing services down from 5 to 2)"


def test_an_understood_issue_being_fixed_holds_the_rule_after_the_progress_window() -> None:
    s = swarm_incident(FIVE)
    s.add(ev.EventKind.ROOT_CAUSE_CONFIRMED, ev.RootCauseConfirmed(issue_id="swarm.service_down:db"), minutes=0)
    s.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="swarm.service_down:db"), minutes=1)
    advice = advise(s.incident(), Config(), T0 + timedelta(minutes=25))
    assert advice.escalate_now == []
    assert advice.hold_reason == "issue understood and being fixed (swarm.service_down on db)"


def test_a_p2_never_escalates() -> None:
    s = swarm_incident(FIVE)
    s.add(ev.EventKind.SEVERITY_CHANGED, ev.SeverityChanged(severity=Severity.P2))
    advice = advise(s.incident(), Config(), T0 + timedelta(hours=6))
    assert advice.escalate_now == [] and advice.next_timer is None
    assert advice.headline() == "No escalation: P2: handle during business hours"


def test_a_resolved_incident_never_escalates() -> None:
    s = swarm_incident(FIVE)
    s.add(ev.EventKind.RESOLVED, ev.Resolved(resolution="restarted"))
    assert advise(s.incident(), Config(), T0 + timedelta(hours=6)).escalate_now == []


def test_a_rule_already_escalated_to_is_not_asked_again() -> None:
    s = swarm_incident(FIVE)
    s.add(ev.EventKind.ESCALATED, ev.Escalated(level=2, role="Infrastructure Manager"))
    advice = advise(s.incident(), Config(), T0 + timedelta(minutes=5))
    assert advice.escalate_now == [] and [f.rule for f in advice.already] == ["multiple_services"]
    assert advice.headline().startswith("Next: CTO in 3:55:00")


def test_rules_find_their_contact_by_role_or_by_place_in_a_custom_chain() -> None:
    chain = [EscalationContact(role="Me"), EscalationContact(role="Boss", after_minutes={Severity.P0: 10})]
    advice = advise(swarm_incident(FIVE).incident(), Config(escalation=chain), T0 + timedelta(minutes=1))
    assert advice.top is not None and (advice.top.role, advice.top.level) == ("Boss", 1)


def test_every_seed_rule_is_data_with_its_words() -> None:
    seeds = {r.seed for r in RULES}
    assert {"Data loss or corruption detected", "Security breach suspected", "Root cause completely unknown"} <= seeds
    assert {"Multiple services failing simultaneously", "Customer communication needed"} <= seeds


# --- journaled once --------------------------------------------------------------------------------


def test_each_firing_is_journaled_once_across_connections(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path, actor="ana@node1") as first, Journal.open(path, actor="bo@node2") as second:
        opened = first.open_incident(ev.IncidentContext(description="everything is down"), Severity.P0)
        incident_id = opened.incident_id
        first.append(incident_id, ev.EventKind.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence(T0, FIVE)))
        incident = first.incident(incident_id)
        now = incident.opened_at + timedelta(minutes=1)
        once, twice = partial(first.append_once, incident_id), partial(second.append_once, incident_id)
        written = record_firings(once, incident, advise(incident, Config(), now).fired)
        again = record_firings(twice, second.incident(incident_id), advise(incident, Config(), now).fired)
        stale = record_firings(twice, incident, advise(incident, Config(), now).fired)
        assert [f.rule for f in written] == ["multiple_services"]
        assert again == [] and stale == []
        folded = second.incident(incident_id)
    assert [f.rule for f in folded.rule_firings] == ["multiple_services"]
    assert folded.timeline[-1].text == (
        "Escalation rule: multiple services failing (cache, db, ghost, pending, worker) -> Infrastructure Manager"
    )


_RACE = """
import functools
import sys
from datetime import timedelta
from maestro.config import Config
from maestro.escalation import advise, record_firings
from maestro.journal import Journal
from maestro.model import Evidence
with Journal.open(sys.argv[1], actor=sys.argv[3]) as j:
    incident = j.incident(sys.argv[2])
    live = Evidence.model_validate_json(sys.stdin.read())
    sys.stdin.close()
    once = functools.partial(j.append_once, incident.id)
    print(len(record_firings(once, incident, advise(incident, Config(), live.collected_at, live).fired)))
"""


def test_two_processes_racing_journal_a_firing_once(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as journal:
        incident_id = journal.open_incident(ev.IncidentContext(description="down"), Severity.P0).incident_id
        opened_at = journal.incident(incident_id).opened_at
    live = evidence(opened_at + timedelta(minutes=1), FIVE).model_dump_json()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RACE, str(path), incident_id, f"p{n}@node"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    counts = [int(p.communicate(live, timeout=60)[0]) for p in procs]
    assert sorted(counts) == [0, 0, 1]
    with Journal.open(path) as journal:
        assert len(journal.incident(incident_id).rule_firings) == 1


def test_a_rule_is_journaled_only_once_it_has_held() -> None:
    sustained = Sustained(hold=timedelta(minutes=2))
    advice = advise(swarm_incident(FIVE).incident(), Config(), T0 + timedelta(minutes=1))
    assert sustained.update(advice.fired, T0) == []
    assert sustained.update(advice.fired, T0 + timedelta(minutes=1)) == []
    assert [f.rule for f in sustained.update(advice.fired, T0 + timedelta(minutes=2))] == ["multiple_services"]
    assert sustained.update([], T0 + timedelta(minutes=3)) == [], "a rule that stopped holding starts over"
    assert sustained.update(advice.fired, T0 + timedelta(minutes=4)) == []
