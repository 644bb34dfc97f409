"""Filling a runbook placeholder: a value becomes one shell word or is left out, never shell syntax."""

from __future__ import annotations

import random
import shlex

import pytest

from maestro.model import Danger, IncidentContext
from maestro.safety import classify
from maestro.triage import rules
from maestro.triage.facts import fill, plain_value, refused

PLAIN = [
    "web",
    "shop_api",
    "manager-1",
    "10.0.0.5",
    "8080",
    "4G",
    "registry.local:5000/team/api:v1.9.5",
    "api@sha256:" + "ab" * 32,
    "node.role==manager",
    "node.labels.zone != eu-1",
    "https://127.0.0.1:9/health",
    "https://api.example.test/health?deep=1&verbose=true",
    "http://[::1]:8080/ready",
    "https://user@host.example/path#frag",
]
HOSTILE = [
    "https://127.0.0.1:9/health;{docker,service,rm,web}",
    "https://x/$(reboot)",
    "https://x/`reboot`",
    "web; docker service rm web",
    "web && reboot",
    "web | sh",
    "web > /etc/passwd",
    "web\ndocker service rm web",
    "web\rdocker service rm web",
    "web\u2028reboot",
    "web'; reboot; '",
    'web"; reboot; "',
    "${IFS}reboot",
    "$HOME",
    "{rm,-rf,/}",
    "-rf",
    "--force",
    "a b",
    "web\x1b]0;x\x07",
    "https://x/health\\",
    "",
]


@pytest.mark.parametrize("value", PLAIN)
def test_a_plain_value_is_one_word_wherever_it_lands(value: str) -> None:
    assert plain_value(value)
    bare = fill("curl -s {health_url} | head", {"health_url": value})
    assert shlex.split(bare)[2] == value
    if "'" not in value:
        assert shlex.split(fill("x '{health_url}'", {"health_url": value}))[1] == value
    assert classify(bare) is classify("curl -s https://example.test | head")


@pytest.mark.parametrize("value", HOSTILE)
def test_a_value_that_is_not_plain_leaves_the_placeholder(value: str) -> None:
    for template in ("curl -s {health_url}", "x '{health_url}' y", 'x "{health_url}" y'):
        out = fill(template, {"health_url": value})
        assert "<HEALTH_URL>" in out
        assert value not in out or not value
    if value:
        assert refused("curl -s {health_url}", {"health_url": value}) == ["health_url"]


def test_random_values_never_add_a_word_or_an_operator() -> None:
    rng = random.Random(9)
    alphabet = "abc019.:/-_@=,%+?&#*;|&$`'\"\\(){}[]<> \t\n!~^"
    for _ in range(3000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16)))
        out = fill("docker service logs {service} | tail -5", {"service": value})
        words = shlex.split(out)
        assert len(words) == 7, (value, out)
        assert words[3] in (value, "<SERVICE>")
        assert classify(out) is Danger.READ_ONLY, (value, out)


def test_prose_takes_facts_as_they_are() -> None:
    assert fill("It exits ({error})", {"error": "task: non-zero exit (1)"}, shell=False) == (
        "It exits (task: non-zero exit (1))"
    )


@pytest.mark.parametrize(
    "description",
    [
        "customers get 502 from https://127.0.0.1:9/health;{docker,service,rm,web} since the deploy",
        "api down at https://127.0.0.1:9/$(reboot) after deploy",
        "checkout 500s from http://127.0.0.1:9/x`docker stack rm prod` since 10:00",
        "web is slow, see http://127.0.0.1:9/health|sh and host db;reboot",
    ],
)
def test_the_triage_of_a_hostile_description_has_no_smuggled_syntax(description: str) -> None:
    triage = rules.triage(IncidentContext(description=description))
    commands = [c for issue in triage.issues for c in (*issue.fix, *issue.verify, *issue.rollback)]
    assert commands
    for command in commands:
        for token in ("{docker", "$(reboot", "`docker", "|sh", ";reboot"):
            assert token not in command.text, command.text
    left_out = [c for c in commands if "<HEALTH_URL>" in c.text]
    assert all("by hand" in c.purpose for c in left_out)
