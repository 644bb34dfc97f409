"""The issue card says why an issue ranks where it does, and marks a guess from words alone as one."""

from __future__ import annotations

from rich.style import Style

from maestro.model import Severity
from tests.factories import issue
from tui.screens.issue import issue_text


def plain_tone(name: str) -> Style:
    return Style()


def test_a_measured_issue_shows_why_with_facts_apart_from_words() -> None:
    measured = issue("swarm.unhealthy", Severity.P0, "db").model_copy(
        update={
            "why": "measured outage of db, matching the report",
            "measured": ["db 0/1", "health check failing"],
            "reported": ["'database connection timeout'"],
        }
    )
    card = issue_text(plain_tone, measured, done=False).plain
    assert "Why it ranks here\nmeasured outage of db, matching the report\n" in card
    assert "measured: db 0/1; health check failing\nreported: 'database connection timeout'" in card
    assert "Hypothesis" not in card


def test_a_guess_from_words_alone_is_a_hypothesis_with_its_check() -> None:
    guessed = issue("db.pool_exhausted", Severity.P1, "api").model_copy(
        update={"hypothesis": True, "reported": ["'too many connections'"], "check": "docker service logs api"}
    )
    card = issue_text(plain_tone, guessed, done=False).plain
    assert "Hypothesis: nothing measured confirms it yet\nreported: 'too many connections'\ncheck: " in card


def test_an_issue_without_reasons_has_no_section() -> None:
    card = issue_text(plain_tone, issue("swarm.crash_loop", Severity.P0, "worker"), done=False).plain
    assert "Why it ranks here" not in card and "Hypothesis" not in card
