"""One ETA from the work still open, each fix phase held against the seed's budget."""

from __future__ import annotations

from maestro import eta
from maestro import events as ev
from maestro.eta import EtaState
from maestro.model import PHASE_BUDGETS, IncidentStatus, Severity
from tests.factories import Stream, issue, triage


def seven_p0_and_two_p1() -> Stream:
    stream = Stream()
    issues = [issue(f"rb.p0_{n}", Severity.P0, f"svc{n}", minutes=15 if n % 2 else 10) for n in range(7)]
    issues += [issue("rb.p1_a", Severity.P1, "cache", 15), issue("rb.p1_b", Severity.P1, "web", 15)]
    stream.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(*issues)))
    return stream


def test_the_seed_budgets_are_the_recovery_sequence_budgets() -> None:
    phases = {p.id: p.budget for p in seven_p0_and_two_p1().incident().phases()}
    assert phases == {key: budget.label for key, budget in PHASE_BUDGETS.items()}
    assert (PHASE_BUDGETS["assess"].max_minutes, PHASE_BUDGETS["p0"].max_minutes) == (2, 15)
    assert (PHASE_BUDGETS["p1"].min_minutes, PHASE_BUDGETS["p1"].max_minutes) == (30, 60)
    assert PHASE_BUDGETS["p2"].max_minutes is None


def test_the_estimate_counts_open_p0_and_p1_work_only() -> None:
    stream = seven_p0_and_two_p1()
    first = eta.for_incident(stream.incident())
    assert (first.state, first.minutes) == (EtaState.WORKING, 85 + 30)
    assert first.breakdown == "P0 85 min + P1 30 min"
    stream.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="rb.p0_1:svc1"))
    stream.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="rb.p1_a:cache"))
    later = eta.for_incident(stream.incident())
    assert later.minutes == 115 - 15 - 15
    assert later.text == "85 minutes"


def test_p0_work_over_its_budget_says_so_and_what_to_do() -> None:
    estimate = eta.for_incident(seven_p0_and_two_p1().incident())
    p0 = estimate.phase(Severity.P0)
    assert p0 is not None and p0.over_budget
    assert p0.people_needed == 6
    assert p0.advice == (
        "P0 work (85 min, 7 open fixes) exceeds the seed's 10-15 minutes max budget:"
        " work the fixes in parallel (6 people) or escalate for more hands"
    )
    p1 = estimate.phase(Severity.P1)
    assert p1 is not None and not p1.over_budget and p1.advice == ""
    assert [p.severity for p in estimate.over_budget] == [Severity.P0]


def test_work_inside_the_budget_gives_no_advice() -> None:
    stream = Stream()
    stream.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(issue("rb.x", Severity.P0, "api", 10))))
    assert eta.for_incident(stream.incident()).over_budget == []


def test_mitigated_resolved_and_untriaged_incidents() -> None:
    stream = seven_p0_and_two_p1()
    for n in range(7):
        stream.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item=f"rb.p0_{n}:svc{n}"))
    mitigated = stream.incident()
    assert mitigated.status is IncidentStatus.MITIGATED
    assert eta.for_incident(mitigated).minutes == 30
    stream.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="rb.p1_a:cache"))
    stream.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item="rb.p1_b:web"))
    assert eta.for_incident(stream.incident()).state is EtaState.MONITORING
    assert eta.for_incident(stream.incident()).text == "monitoring"
    stream.add(ev.EventKind.RESOLVED, ev.Resolved(resolution="rolled back"))
    assert eta.for_incident(stream.incident()).text == "resolved"
    assert eta.for_incident(Stream().incident()).sentence == "not estimated yet (no triage)"


def test_p2_only_incidents_count_their_p2_work() -> None:
    only_p2 = [issue("rb.logs", Severity.P2, minutes=20)]
    assert eta.recovery_minutes(only_p2) == 20
    assert eta.recovery_minutes([*only_p2, issue("rb.api", Severity.P1, "api", 5)]) == 5
    stream = Stream()
    stream.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(*only_p2, severity=Severity.P2)))
    assert eta.for_incident(stream.incident()).sentence == "about 20 minutes of open work (P2 20 min)"
