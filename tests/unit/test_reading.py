"""How the triage reads the words around a mention: ruled out, hypothetical or asserted."""

from __future__ import annotations

import pytest

from maestro.model import IncidentContext
from maestro.runbooks.terms import normalise, phrase_term, regex_term
from maestro.triage.matching import TextPart, change_sentences, incident_parts
from maestro.triage.reading import Polarity, without_cleared


def polarity(text: str, phrase: str) -> Polarity | None:
    found = TextPart.of("description", normalise(text), 1.0).mention(phrase_term(phrase, 1.0))
    return None if found is None else found[1]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Nothing was deployed today, but the API got slow", "deployed"),
        ("docker inspect shows OOMKilled false, ExitCode 1", "oomkilled"),
        ("The origin is healthy and answers directly", "origin"),
        ("Redis is up and answers PING", "redis"),
        ("No alarms on the broker.", "alarms"),
        ("The disk has plenty of free space", "disk"),
        ("API is slow but not down, no data loss", "data loss"),
        ("we did not deploy anything this week", "deploy"),
        ("the site is down and nobody deployed anything", "deployed"),
        ("no one changed the config", "config"),
        ("the api times out, the db and redis look healthy", "db"),
        ("500s on everything, redis/rabbit fine", "rabbit"),
        ("500s on everything, redis/rabbit fine", "redis"),
        ("the site is down; redis and app containers healthy", "redis"),
        ("payments-api is 0/3, the redis containers all up", "redis"),
        ("webhooks fail with 400, webhook secret unchanged", "webhook secret"),
        ("checkout calls fail; the tax service healthcheck passes", "healthcheck"),
    ],
)
def test_a_mention_the_words_rule_out(text: str, phrase: str) -> None:
    assert polarity(text, phrase) is Polarity.RULED_OUT


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("could not connect to the database", "database"),
        ("write failed: no space left on device", "no space left on device"),
        ("the database is not accepting connections", "database"),
        ("Traefik shows no routers for the api after the stack redeploy", "redeploy"),
        ("Database locked up - users can't login", "locked"),
        ("Writes fail, the disk is full. Nothing works", "disk"),
        ("A teammate ran a DELETE without a WHERE", "delete without a where"),
        ("The database is slow, but the cache is fine", "database"),
        ("nobody can log in since the deploy", "log in"),
        ("no one can reach the database", "database"),
        ("the checkout button does nothing on iphones", "iphones"),
    ],
)
def test_a_mention_that_reports_a_failure_is_asserted(text: str, phrase: str) -> None:
    assert polarity(text, phrase) is Polarity.ASSERTED


def test_what_people_first_thought_is_a_hypothesis() -> None:
    text = "orders are missing from the history page; support first thought the data was lost, the rows are all there"
    assert polarity(text, "data was lost") is Polarity.HYPOTHETICAL


def test_a_mention_worded_as_a_negation_is_not_cleared_by_what_follows() -> None:
    found = TextPart.of("description", "nothing failing yet and the site is fine", 1.0).mention(
        regex_term(r"\bnothing (is )?failing yet\b", 1.0)
    )
    assert found is not None and found[1] is Polarity.ASSERTED


def test_a_quoted_error_is_read_as_one_message_across_its_sentences() -> None:
    parts = incident_parts(
        IncidentContext(description="app logs 'Error 111 connecting to redis:6379. Connection refused.' all morning")
    )
    refused = regex_term(r"connecting to redis\W+(\w+\W+){0,3}refused", 1.0)
    assert next(p for p in parts if p.name == "quoted error").mention(refused) is not None
    # prose keeps its sentences apart
    assert next(p for p in parts if p.name == "description").mention(refused) is None


def test_a_hint_quoted_inside_an_error_is_not_a_report() -> None:
    text = "ERROR: database is not accepting commands to avoid wraparound data loss in database"
    assert polarity(text, "data loss") is Polarity.HYPOTHETICAL
    assert polarity(text, "not accepting commands") is Polarity.ASSERTED


def test_only_changes_the_words_assert_are_recent_changes() -> None:
    assert change_sentences("Nothing was deployed today. The API is slow.") == []
    assert change_sentences("We pushed a new WAF rule at 13:42. CPU is at 100%.") == [
        "We pushed a new WAF rule at 13:42"
    ]
    assert change_sentences("The DB password was rotated this morning") == ["The DB password was rotated this morning"]


def test_what_a_text_clears_is_left_out_and_what_fails_stays() -> None:
    assert without_cleared("the api is down, the db is fine, redis and the proxy look healthy").split() == [
        "the",
        "api",
        "is",
        "down,",
        "the",
        ",",
    ]
    for failing in ("the background jobs are running twice", "the disk is running out of space", "dns is up again"):
        assert without_cleared(failing) == failing
