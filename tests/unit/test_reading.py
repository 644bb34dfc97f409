"""How the triage reads the words around a mention: ruled out, hypothetical or asserted."""

from __future__ import annotations

import pytest

from maestro.runbooks.terms import normalise, phrase_term
from maestro.triage.matching import TextPart, change_sentences
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
