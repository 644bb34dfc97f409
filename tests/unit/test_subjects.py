"""The subject the words name gates which runbooks broad symptom words support (maestro/triage/subjects.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from maestro.model import IncidentContext
from maestro.triage.matching import incident_parts
from maestro.triage.rules import triage
from maestro.triage.subjects import named_subjects

NOW = datetime(2025, 10, 11, 12, 0, tzinfo=UTC)


def top(text: str) -> tuple[str, str]:
    issue = triage(IncidentContext(description=text), now=NOW).issues[0]
    return issue.runbook_id, str(issue.severity)


def names(text: str) -> list[str]:
    return [s.name for s in named_subjects(incident_parts(IncidentContext(description=text)))]


def test_only_asserted_subjects_are_named() -> None:
    assert names("opensearch heap is full") == ["search engine"]
    assert names("the database is fine, but the cdn returns 503") == ["CDN"]
    assert names("the api is slow") == []


def test_broad_memory_words_do_not_turn_a_search_problem_into_a_container_oom() -> None:
    assert top("api memory keeps growing and the heap is full")[0] == "swarm.oom_killed"
    assert top("opensearch is slow, GC pauses in the log and heap usage over 90%")[0] != "swarm.oom_killed"


def test_a_verbatim_marker_of_another_runbook_still_wins_over_the_subject() -> None:
    assert top("the elasticsearch container was OOMKilled, exit code 137")[0] == "swarm.oom_killed"


def test_broad_connection_words_rank_after_the_cdn_reading() -> None:
    runbook, _ = top("Cloudflare shows Error 522 Connection timed out: it cannot reach the origin")
    assert runbook == "edge.upstream_unavailable"


def test_a_minority_share_of_a_function_failing_is_partial_unless_money_or_data_is_at_stake() -> None:
    assert top("about one in ten checkouts fail with a 502")[1] == "P1"
    assert top("every checkout fails with a 502")[1] == "P0"
    assert top("10% of orders were lost: data deleted by the cleanup job")[1] == "P0"


def test_a_node_lost_stays_degraded_when_users_do_not_feel_it() -> None:
    assert top("worker-3 is Down in docker node ls, its tasks moved, everything still works") == (
        "swarm.node_down",
        "P1",
    )
