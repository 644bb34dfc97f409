"""`maestro-tui notify test` as a person runs it, against a local HTTP server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.http_sink import Answer, HttpSink, closed_port_url


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    with HttpSink() as server:
        yield server


def run(tmp_path: Path, config: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    environ = {**os.environ, "MAESTRO_CONFIG": str(path), "MAESTRO_JOURNAL": str(tmp_path / "j.sqlite3"), **env}
    command = [sys.executable, "-m", "tui.cli", "notify", "test", *args]
    return subprocess.run(command, capture_output=True, text=True, env=environ, timeout=60)


def channels(slack_url: str, hook_url: str) -> str:
    return f"""
[[notify]]
name = "incidents"
kind = "slack"
url_env = "TEST_SLACK_URL"

[[notify]]
name = "ops-webhook"
kind = "webhook"
url = "{hook_url}"
attempts = 2
"""


def test_notify_test_reaches_a_webhook_and_a_slack_channel(sink: HttpSink, tmp_path: Path) -> None:
    result = run(tmp_path, channels("", sink.url("/hook")), TEST_SLACK_URL=sink.url("/slack/T0/B0/secret"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "incidents (slack): sent (HTTP 200)",
        "ops-webhook (webhook): sent (HTTP 200)",
    ]
    (slack,) = sink.bodies("/slack/T0/B0/secret")
    assert "Test message from maestro-tui" in slack["text"]
    (hook,) = sink.bodies("/hook")
    assert hook["kind"] == "test" and hook["incident_id"] == "maestro-tui-test"


def test_notify_test_fails_in_one_line_per_channel_when_the_server_is_gone(sink: HttpSink, tmp_path: Path) -> None:
    sink.answers(Answer(500), Answer(500))
    result = run(tmp_path, channels("", sink.url("/hook")), TEST_SLACK_URL=closed_port_url())
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout.splitlines() == [
        "incidents (slack): failed after 3 attempts: connection refused",
        "ops-webhook (webhook): failed after 2 attempts: HTTP 500: ok",
    ]


def test_notify_test_without_channels_or_secret_says_what_to_do(tmp_path: Path) -> None:
    empty = run(tmp_path, "")
    assert empty.returncode == 2 and "Traceback" not in empty.stderr
    assert empty.stderr.strip() == (
        "maestro-tui: the config has no [[notify]] channels; `maestro-tui config init` writes commented examples"
    )
    unset = run(tmp_path, channels("", "http://127.0.0.1:9/hook"), "--channel", "incidents")
    assert unset.returncode == 1
    assert unset.stdout.strip() == (
        "incidents (slack): failed: environment variable TEST_SLACK_URL (its url) is not set"
    )
