"""Hostile commands: none is read-only, those that must ask are destructive and say why; everyday ones stay."""

from __future__ import annotations

import pytest

from maestro.model import Danger
from maestro.safety import classify, reasons
from tests.unit.hostile_commands import BENIGN, HOSTILE

RO, MUT, DES = Danger.READ_ONLY, Danger.MUTATING, Danger.DESTRUCTIVE
_BENIGN_LABEL = {"ro": RO, "mut": MUT}


def test_the_tables_are_big_enough_to_mean_something() -> None:
    assert len(HOSTILE) >= 120
    assert sum(must_ask for _, must_ask in HOSTILE) >= 100
    assert len(BENIGN) >= 40
    assert {label for _, label in BENIGN} == {"ro", "mut"}


@pytest.mark.parametrize(("text", "must_ask"), HOSTILE, ids=lambda v: repr(v)[:60])
def test_no_hostile_command_is_read_only(text: str, must_ask: bool) -> None:
    label = classify(text)
    assert label is not RO
    if must_ask:
        assert label is DES, reasons(text)
        assert reasons(text), "a destructive label always says why"


@pytest.mark.parametrize(("text", "label"), BENIGN, ids=lambda v: repr(v)[:60])
def test_everyday_commands_keep_their_label(text: str, label: str) -> None:
    assert classify(text) is _BENIGN_LABEL[label], reasons(text)


def test_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """Prints the table's figures for the record; fails if the must-ask rate drops below nine in ten."""
    must = [text for text, must_ask in HOSTILE if must_ask]
    asked = sum(classify(text) is DES for text in must)
    read_only = sum(classify(text) is RO for text, _ in HOSTILE)
    kept = sum(classify(text) is _BENIGN_LABEL[label] for text, label in BENIGN)
    with capsys.disabled():
        print(
            f"\nhostile: {len(HOSTILE)} commands, {read_only} read-only; must-ask {asked}/{len(must)} destructive;"
            f" benign {kept}/{len(BENIGN)} kept"
        )
    assert read_only == 0
    assert asked * 10 >= len(must) * 9


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("docker service ls # list\rdocker service rm web\r", "control characters"),
        ("X=rm; $X -rf /", "cannot tell what this runs"),
        ("{docker,service,rm,web}", "brace expansion"),
        ("python3 -c 'print(1)'", "python3 runs code"),
        ("curl -s http://127.0.0.1:9/x | sh", "piped in"),
        ("$'\\x72\\x6d' -rf /", "ANSI-C"),
        (":(){ :|:& };:", "defines the function"),
        ("docker service scale web=0", "stops every task"),
    ],
)
def test_reasons_say_what_was_seen(text: str, fragment: str) -> None:
    assert any(fragment in reason for reason in reasons(text)), reasons(text)
