"""Merging Claude's triage into the rules triage: ids survive, nothing from the rules is lost silently."""

from __future__ import annotations

from maestro import events as ev
from maestro.model import Provenance, Severity, Triage, TriageIssue
from maestro.triage.merge import merge, ranked
from tests.factories import Stream, issue, triage


def from_claude(*issues: TriageIssue, severity: Severity = Severity.P0) -> Triage:
    marked = [i.model_copy(update={"provenance": Provenance.CLAUDE}) for i in issues]
    return triage(*marked, severity=severity).model_copy(
        update={"engine": Provenance.CLAUDE, "primary_cause": "db host wrong in 2.4.0"}
    )


def test_claude_refines_matching_issues_and_keeps_the_rest() -> None:
    crash = issue("swarm.crash_loop", Severity.P0, "api")
    redis = issue("redis.memory", Severity.P1, "redis")
    rules = triage(crash, redis)
    refined = crash.model_copy(update={"title": "API crash-looping since 2.4.0", "confidence": 0.9})
    new = issue("postgres.unreachable", Severity.P0, "db")

    merged, diff = merge(rules, from_claude(refined, new))

    assert {i.id: i.provenance for i in merged.issues} == {
        "swarm.crash_loop:api": Provenance.CLAUDE,
        "postgres.unreachable:db": Provenance.CLAUDE,
        "redis.memory:redis": Provenance.RULES,
    }
    assert merged.issue("swarm.crash_loop:api").title == "API crash-looping since 2.4.0"  # type: ignore[union-attr]
    assert merged.engine is Provenance.CLAUDE
    assert merged.primary_cause == "db host wrong in 2.4.0"
    assert diff == ["+1 issue", "1 issue refined", "1 rules issue kept"]


def test_within_a_severity_the_rules_order_stays_and_claude_only_issues_follow() -> None:
    restart = issue("swarm.crash_loop", Severity.P0, "api")
    rollback = issue("swarm.bad_image", Severity.P0, "api")
    cache = issue("redis.memory", Severity.P1, "redis")
    rules = triage(restart, rollback, cache)
    sure = rollback.model_copy(update={"confidence": 0.95})
    unsure = restart.model_copy(update={"confidence": 0.3})
    db = issue("postgres.unreachable", Severity.P0, "db").model_copy(update={"confidence": 0.99})
    disk = issue("node.disk_full", Severity.P0, "node1")
    slow = issue("edge.latency", Severity.P2, "traefik")

    merged, _ = merge(rules, from_claude(db, slow, sure, disk, unsure))

    assert [i.id for i in merged.issues] == [
        "swarm.crash_loop:api",
        "swarm.bad_image:api",
        "postgres.unreachable:db",
        "node.disk_full:node1",
        "redis.memory:redis",
        "edge.latency:traefik",
    ]
    assert merged.issues[0].confidence == 0.3, "Claude's version of a rules issue takes its place"


def test_an_issue_claude_re_ranks_moves_to_its_new_severity() -> None:
    crash = issue("swarm.crash_loop", Severity.P0, "api")
    cache = issue("redis.memory", Severity.P1, "redis")
    nodes = issue("node.down", Severity.P1, "node2")

    merged, _ = merge(triage(crash, cache, nodes), from_claude(nodes.model_copy(update={"severity": Severity.P0})))

    assert [(i.id, i.severity) for i in merged.issues] == [
        ("swarm.crash_loop:api", Severity.P0),
        ("node.down:node2", Severity.P0),
        ("redis.memory:redis", Severity.P1),
    ]


def test_ranked_sorts_by_severity_only_and_keeps_the_given_order() -> None:
    minor = issue("b.minor", Severity.P2, "z")
    low = issue("a.low", Severity.P0, "x").model_copy(update={"confidence": 0.2})
    middle = issue("c.middle", Severity.P1, "w")
    high = issue("a.high", Severity.P0, "y").model_copy(update={"confidence": 0.8})

    assert [i.id for i in ranked([minor, low, middle, high])] == ["a.low:x", "a.high:y", "c.middle:w", "b.minor:z"]


def test_severity_changes_are_reported() -> None:
    crash = issue("swarm.crash_loop", Severity.P1, "api")
    rules = triage(crash, severity=Severity.P1)

    merged, diff = merge(rules, from_claude(crash.model_copy(update={"severity": Severity.P0})))

    assert merged.severity is Severity.P0
    assert diff == ["severity P1→P0", "1 issue re-ranked"]


def test_the_overall_severity_is_never_milder_than_a_kept_issue() -> None:
    rules = triage(issue("swarm.service_down", Severity.P0, "api"))

    merged, diff = merge(rules, from_claude(issue("cache.slow", Severity.P2, "redis"), severity=Severity.P2))

    assert merged.severity is Severity.P0
    assert diff == ["+1 issue", "1 rules issue kept"]


def test_an_identical_answer_changes_nothing() -> None:
    rules = triage(issue("swarm.crash_loop", Severity.P0, "api"))

    merged, diff = merge(rules, from_claude(*rules.issues))

    assert diff == []
    assert [i.id for i in merged.issues] == ["swarm.crash_loop:api"]


def test_prevention_and_factors_are_united_without_repeats() -> None:
    rules = triage(issue("swarm.crash_loop", Severity.P0, "api")).model_copy(
        update={"contributing_factors": ["no canary", "no alert"]}
    )
    answer = from_claude(*rules.issues).model_copy(update={"contributing_factors": ["no alert", "bad config"]})
    answer.prevention.immediate = ["add monitoring", "alert on restarts"]

    merged, _ = merge(rules, answer)

    assert merged.contributing_factors == ["no alert", "bad config", "no canary"]
    assert merged.prevention.immediate == ["add monitoring", "alert on restarts"]


def test_ticks_survive_the_merge_in_the_folded_incident() -> None:
    crash = issue("swarm.crash_loop", Severity.P0, "api")
    redis = issue("redis.memory", Severity.P1, "redis")
    rules = triage(crash, redis)
    merged, diff = merge(rules, from_claude(crash.model_copy(update={"title": "better title"})))
    stream = Stream()
    stream.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=rules))
    stream.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item=crash.id))
    stream.add(ev.EventKind.ITEM_TICKED, ev.ItemTicked(item=redis.id))
    stream.add(ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=merged, summary=", ".join(diff)))

    incident = stream.incident()

    assert incident.triage is not None
    assert incident.triage.engine is Provenance.CLAUDE
    for item in (crash.id, redis.id):
        assert incident.is_ticked(item)
        assert incident.triage.issue(item) is not None
