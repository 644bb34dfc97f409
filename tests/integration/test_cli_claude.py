"""`maestro-tui triage` asks Claude when a key is set, against the local fake of the Messages API.

The command is a real process; Claude is the fake on loopback. Any Claude failure prints the rules
triage, says why on one stderr line, and exits 0.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import claude_samples as sample
from tests.fake_anthropic import FakeAnthropic, http_error, tool_call
from tests.fake_anthropic import fake_anthropic as fake_anthropic

KEY = "test-key-not-a-secret"
DESCRIPTION = sample.context().description


@pytest.fixture
def env(tmp_path: Path, fake_anthropic: FakeAnthropic) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text("[claude]\ntimeout_s = 10\n")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")},
        "ANTHROPIC_API_KEY": KEY,
        "ANTHROPIC_BASE_URL": fake_anthropic.base_url,
        "MAESTRO_JOURNAL": str(tmp_path / "journal.sqlite3"),
        "MAESTRO_CONFIG": str(config),
        "DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock",
    }


def triage_json(env: dict[str, str], *flags: str) -> tuple[dict[str, object], subprocess.CompletedProcess[str]]:
    args = [sys.executable, "-m", "tui.cli", "triage", DESCRIPTION, "--format", "json", *flags]
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout), result


def titles(triage: dict[str, object]) -> list[str]:
    return [str(issue["title"]) for issue in triage["issues"]]  # type: ignore[attr-defined]


def test_with_a_key_the_triage_is_claudes_merged_into_the_rules(
    env: dict[str, str], fake_anthropic: FakeAnthropic
) -> None:
    fake_anthropic.script(tool_call(sample.answer()))
    triage, result = triage_json(env, "--no-docker")
    assert len(fake_anthropic.requests) == 1
    assert triage["engine"] == "claude"
    assert "Database not answering on 5432" in titles(triage)
    assert result.stderr == "", "no progress line when stderr is not a terminal"


@pytest.mark.parametrize("flag", ["--no-claude", "--offline"])
def test_no_claude_and_offline_send_nothing(env: dict[str, str], fake_anthropic: FakeAnthropic, flag: str) -> None:
    fake_anthropic.script(tool_call(sample.answer()))
    triage, result = triage_json(env, flag)
    assert fake_anthropic.requests == []
    assert triage["engine"] == "rules" and result.stderr == ""


@pytest.mark.parametrize(
    ("replies", "words"),
    [
        pytest.param([http_error(529, "overloaded_error", "Overloaded")] * 2, "HTTP 529 overloaded", id="529"),
        pytest.param([tool_call('{"severity": }')] * 2, "invalid JSON", id="garbage"),
    ],
)
def test_a_claude_failure_prints_the_rules_triage_and_one_line(
    env: dict[str, str], fake_anthropic: FakeAnthropic, replies: list[object], words: str
) -> None:
    fake_anthropic.script(*replies)  # type: ignore[arg-type]
    triage, result = triage_json(env, "--no-docker")
    rules, _ = triage_json(env, "--offline")
    assert fake_anthropic.requests, "Claude was asked"
    assert triage["engine"] == "rules"
    assert titles(triage) == titles(rules)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("maestro-tui: ") and words in lines[0], lines
