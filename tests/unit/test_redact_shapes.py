"""Redaction of the shapes secrets take in logs, commands, configs and prose, and what it must leave alone."""

from __future__ import annotations

import random
import time

import pytest

from maestro.redact import MASK, redact, redact_lines
from tests.unit.redaction_cases import NEGATIVE, POSITIVE


def test_the_tables_are_big_enough_to_mean_something() -> None:
    assert len(POSITIVE) >= 150
    assert len(NEGATIVE) >= 60


@pytest.mark.parametrize(("text", "secret"), POSITIVE, ids=lambda v: v[:50])
def test_each_shape_is_masked(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out
    assert MASK in out


@pytest.mark.parametrize("text", NEGATIVE, ids=lambda v: v[:50])
def test_ordinary_text_survives(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize("text", [t for t, _ in POSITIVE] + NEGATIVE, ids=lambda v: v[:40])
def test_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


def test_a_key_printed_one_line_per_log_line_is_masked_line_by_line() -> None:
    lines = [
        "web.1.a@n1 | starting",
        "web.1.a@n1 | -----BEGIN RSA PRIVATE KEY-----",
        "web.1.a@n1 | MIIEowIBAAKCAQEAs9kTzQ",
        "web.1.a@n1 | Z1BjP5CE/Wm/Rr500P=",
        "web.1.a@n1 | -----END RSA PRIVATE KEY-----",
        "web.1.a@n1 | db password:",
        "web.1.a@n1 | hunter2x",
        "web.1.a@n1 | ready",
    ]
    out = redact_lines(lines)
    assert len(out) == len(lines)
    joined = "\n".join(out)
    assert "MIIEowIBAAKCAQEAs9kTzQ" not in joined and "Z1BjP5CE" not in joined and "hunter2x" not in joined
    assert out[0] == lines[0] and out[-1] == lines[-1]
    assert out[2].startswith("web.1.a@n1 | ")


def test_the_figures_and_the_speed(capsys: pytest.CaptureFixture[str]) -> None:
    """Prints the table's figures and MB/s on mixed text; fails below 1 MB/s."""
    rng = random.Random(5)
    pieces = [t for t, _ in POSITIVE] + NEGATIVE
    text = "\n".join(rng.choice(pieces) + " " + "ordinary log words here " * rng.randint(0, 8) for _ in range(9000))
    start = time.process_time()
    redact(text)
    rate = len(text) / 1e6 / (time.process_time() - start)
    caught = sum(secret not in redact(t) for t, secret in POSITIVE)
    kept = sum(redact(t) == t for t in NEGATIVE)
    with capsys.disabled():
        print(
            f"\nredaction: {caught}/{len(POSITIVE)} secrets masked, {kept}/{len(NEGATIVE)} ordinary kept,"
            f" {rate:.1f} MB/s"
        )
    assert rate > 1.0
