"""The Claude engine against the real anthropic SDK and a local fake of the Messages API."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

import pytest

from maestro import safety
from maestro.model import Danger, Provenance
from maestro.triage import claude
from maestro.triage.claude import CANCELLED, NO_KEY, ClaudeResult, ClaudeSettings, Progress, Stage
from tests import claude_samples as sample
from tests.fake_anthropic import (
    FakeAnthropic,
    Reply,
    http_error,
    slow,
    stream_error,
    text_answer,
    tool_call,
)
from tests.fake_anthropic import fake_anthropic as fake_anthropic

KEY = "test-key-not-a-secret"


def settings(fake: FakeAnthropic, **overrides: Any) -> ClaudeSettings:
    return ClaudeSettings(**{"api_key": KEY, "base_url": fake.base_url, "max_retries": 0, "timeout_s": 10, **overrides})


def run(
    config: ClaudeSettings, cancel: threading.Event | None = None, on_progress: Any = None
) -> tuple[ClaudeResult, list[Progress]]:
    seen: list[Progress] = []

    def record(progress: Progress) -> None:
        seen.append(progress)
        if on_progress:
            on_progress(progress)

    result = claude.stream_triage(
        config,
        sample.context(),
        sample.evidence(),
        sample.draft(),
        on_progress=record,
        cancel=cancel or threading.Event(),
    )
    return result, seen


def test_a_streamed_answer_becomes_a_claude_triage(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(tool_call(sample.answer(), chunk_size=40))

    result, _ = run(settings(fake_anthropic))

    assert result.ok, result.reason
    assert result.triage is not None
    assert result.triage.engine is Provenance.CLAUDE
    assert {i.provenance for i in result.triage.issues} == {Provenance.CLAUDE}
    assert [i.id for i in result.triage.issues] == [
        "swarm.crash_loop:opendeepsearch_api",
        "postgres.unreachable:db",
        "redis.memory:redis_redis",
    ]
    assert result.triage.issues[0].title == sample.answer()["issues"][0]["title"]
    assert "\n" not in result.reason


def test_progress_reports_the_issues_found_so_far(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(tool_call(sample.answer(), chunk_size=16))

    _, seen = run(settings(fake_anthropic))

    assert seen[0].stage is Stage.REQUESTING
    counts = [p.issues for p in seen[1:]]
    assert counts == [1, 2, 3]
    assert {p.stage for p in seen[1:]} == {Stage.RECEIVING}
    assert seen[-1].titles == tuple(i["title"] for i in sample.answer()["issues"])


def test_danger_labels_come_from_safety_whatever_the_model_or_the_logs_say(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(tool_call(sample.answer()))

    result, _ = run(settings(fake_anthropic))

    assert result.triage is not None
    commands = [c for i in result.triage.issues for _, c in i.commands()]
    assert len(commands) == 5
    for command in commands:
        assert command.danger == safety.labelled(command.model_copy(update={"danger": Danger.READ_ONLY})).danger
    flushall = result.triage.issue("redis.memory:redis_redis").fix[0]  # type: ignore[union-attr]
    assert flushall.text == sample.FLUSHALL
    assert flushall.danger is Danger.DESTRUCTIVE


def test_the_request_on_the_wire(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(tool_call(sample.answer()))

    run(settings(fake_anthropic, model="claude-test-model", max_tokens=2048))

    [request] = fake_anthropic.requests
    body = request.body
    assert request.path == "/v1/messages"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert body["stream"] is True
    assert body["model"] == "claude-test-model"
    assert body["max_tokens"] == 2048
    assert body["tool_choice"] == {"type": "tool", "name": "submit_triage"}
    assert body["tools"][0]["input_schema"] == claude.tool_schema()
    assert "danger" not in json.dumps(body["tools"])
    text = body["messages"][0]["content"]
    assert "crash_loop opendeepsearch_api: 14 restarts in 10 minutes" in text
    assert "FATAL could not connect" in text
    wire = json.dumps(body)
    assert sample.DB_PASSWORD not in wire
    assert sample.API_KEY_IN_LOGS not in wire


def test_the_sdk_honours_anthropic_base_url(fake_anthropic: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_anthropic.script(tool_call(sample.answer()))
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_anthropic.base_url)

    result, _ = run(ClaudeSettings(api_key=KEY, base_url=None, max_retries=0))

    assert result.ok, result.reason
    assert len(fake_anthropic.requests) == 1


def test_without_a_key_nothing_is_sent(fake_anthropic: FakeAnthropic) -> None:
    result, seen = run(ClaudeSettings(api_key=None, base_url=fake_anthropic.base_url))

    assert (result.ok, result.reason) == (False, NO_KEY)
    assert fake_anthropic.requests == []
    assert seen == []


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (
            http_error(401, "authentication_error", "invalid x-api-key"),
            "Claude unavailable (HTTP 401 invalid API key, check ANTHROPIC_API_KEY): rules triage kept",
        ),
        (http_error(403, "permission_error"), "Claude unavailable (HTTP 403 permission denied): rules triage kept"),
        (
            http_error(429, "rate_limit_error", headers={"retry-after": "60"}),
            "Claude unavailable (HTTP 429 rate limited, retry after 60 s): rules triage kept",
        ),
        (http_error(529, "overloaded_error"), "Claude unavailable (HTTP 529 overloaded): rules triage kept"),
        (http_error(500, "api_error"), "Claude unavailable (HTTP 500 server error): rules triage kept"),
        (
            http_error(404, "not_found_error", "model: claude-nope"),
            "Claude unavailable (HTTP 404 model or endpoint not found): rules triage kept",
        ),
        (
            stream_error(sample.answer(), after_chunks=3),
            "Claude unavailable (stream error: overloaded_error): rules triage kept",
        ),
    ],
    ids=["401", "403", "429", "529", "500", "404", "error-event"],
)
def test_api_failures_become_one_line(fake_anthropic: FakeAnthropic, reply: Reply, reason: str) -> None:
    fake_anthropic.script(reply)

    result, _ = run(settings(fake_anthropic))

    assert (result.ok, result.triage, result.reason) == (False, None, reason)


def test_a_long_retry_after_is_not_waited_for(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(http_error(429, "rate_limit_error", headers={"retry-after": "120"}))

    started = time.monotonic()
    result, _ = run(settings(fake_anthropic, max_retries=1, max_retry_wait_s=30))

    assert time.monotonic() - started < 2
    assert result.reason == "Claude unavailable (HTTP 429 rate limited, retry after 120 s): rules triage kept"
    assert len(fake_anthropic.requests) == 1


def test_rate_limit_waits_for_retry_after_then_gives_up(fake_anthropic: FakeAnthropic) -> None:
    limited = http_error(429, "rate_limit_error", headers={"retry-after": "1"})
    fake_anthropic.script(limited, limited)

    started = time.monotonic()
    result, seen = run(settings(fake_anthropic, max_retries=1))
    elapsed = time.monotonic() - started

    assert 1.0 <= elapsed < 5
    assert len(fake_anthropic.requests) == 2
    assert result.reason == "Claude unavailable (HTTP 429 rate limited, retry after 1 s): rules triage kept"
    assert [p.detail for p in seen if p.stage is Stage.RETRYING] == [
        "HTTP 429 rate limited, retry after 1 s: retrying in 1 s"
    ]


def test_overloaded_then_answered(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(
        http_error(529, "overloaded_error", headers={"retry-after-ms": "100"}), tool_call(sample.answer())
    )

    result, _ = run(settings(fake_anthropic, max_retries=1))

    assert result.ok, result.reason
    assert len(fake_anthropic.requests) == 2


def test_a_slow_server_times_out_quickly(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(slow(10))

    started = time.monotonic()
    result, _ = run(settings(fake_anthropic, timeout_s=1, max_retries=1))

    assert time.monotonic() - started < 4
    assert result.reason == "Claude unavailable (no answer within 1 s): rules triage kept"
    assert len(fake_anthropic.requests) == 1


def test_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = ClaudeSettings(api_key=KEY, base_url=f"http://127.0.0.1:{port}", max_retries=0)

    result, _ = run(config)

    assert result.reason == f"Claude unavailable (cannot connect to http://127.0.0.1:{port}): rules triage kept"


def test_cancel_mid_stream_closes_the_stream(fake_anthropic: FakeAnthropic) -> None:
    reply = tool_call(sample.answer(), chunk_size=16, chunk_delay_s=0.02)
    fake_anthropic.script(reply)
    cancel = threading.Event()
    cancelled_at: list[float] = []

    def cancel_on_first_issue(progress: Progress) -> None:
        if progress.issues:
            cancel.set()
            cancelled_at.append(time.monotonic())

    result, seen = run(settings(fake_anthropic), cancel, cancel_on_first_issue)
    returned_at = time.monotonic()

    assert (result.ok, result.reason) == (False, CANCELLED)
    assert [p.issues for p in seen] == [0, 1]
    assert returned_at - cancelled_at[0] < 0.5
    deadline = time.monotonic() + 3
    while fake_anthropic.disconnects == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake_anthropic.disconnects == 1


def test_cancelled_before_the_start_sends_nothing(fake_anthropic: FakeAnthropic) -> None:
    cancel = threading.Event()
    cancel.set()

    result, _ = run(settings(fake_anthropic), cancel)

    assert result.reason == CANCELLED
    assert fake_anthropic.requests == []


def test_a_schema_mismatch_is_repaired_once(fake_anthropic: FakeAnthropic) -> None:
    wrong = sample.answer()
    wrong["issues"][0]["severity"] = "P7"
    fake_anthropic.script(tool_call(wrong), tool_call(sample.answer()))

    result, seen = run(settings(fake_anthropic))

    assert result.ok, result.reason
    assert Stage.REPAIRING in {p.stage for p in seen}
    first, second = fake_anthropic.requests
    assert len(first.body["messages"]) == 1
    assistant, answer = second.body["messages"][1:]
    assert assistant == {
        "role": "assistant",
        "content": [{"type": "tool_use", "id": "toolu_fake_1", "name": "submit_triage", "input": wrong}],
    }
    tool_result = answer["content"][0]
    assert (tool_result["type"], tool_result["tool_use_id"], tool_result["is_error"]) == (
        "tool_result",
        "toolu_fake_1",
        True,
    )
    assert "issues.0.severity" in tool_result["content"]
    assert second.body["tool_choice"] == first.body["tool_choice"]


def test_invalid_json_is_repaired_once(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(tool_call('{"severity": "P0", "issues": [oops]}', chunk_size=8), tool_call(sample.answer()))

    result, _ = run(settings(fake_anthropic))

    assert result.ok, result.reason
    repair = fake_anthropic.requests[1].body["messages"][2]["content"][0]
    assert repair["is_error"] is True
    assert "invalid JSON" in repair["content"]


def test_two_invalid_answers_give_up(fake_anthropic: FakeAnthropic) -> None:
    wrong = sample.answer()
    del wrong["issues"][1]["title"]
    fake_anthropic.script(tool_call(wrong), tool_call(wrong), tool_call(sample.answer()))

    result, _ = run(settings(fake_anthropic))

    assert result.reason == (
        "Claude answered twice with an invalid triage (issues.1.title: Field required): rules triage kept"
    )
    assert len(fake_anthropic.requests) == 2


def test_invalid_json_twice_gives_up(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(tool_call('{"severity": }'), tool_call("[1, 2"))

    result, _ = run(settings(fake_anthropic))

    assert result.reason.startswith("Claude answered twice with an invalid triage (")
    assert result.reason.endswith("): rules triage kept")
    assert "\n" not in result.reason
    assert len(fake_anthropic.requests) == 2


def test_text_instead_of_a_tool_call_is_repaired(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(text_answer("I think the API is down."), tool_call(sample.answer()))

    result, _ = run(settings(fake_anthropic))

    assert result.ok, result.reason
    assistant, ask = fake_anthropic.requests[1].body["messages"][1:]
    assert assistant["content"] == [{"type": "text", "text": "I think the API is down."}]
    assert [c["type"] for c in ask["content"]] == ["text"]


def test_an_answer_cut_off_at_max_tokens_is_not_used(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(tool_call(sample.answer(), stop_reason="max_tokens"))

    result, _ = run(settings(fake_anthropic, max_tokens=1000))

    assert result.reason == "Claude's answer was cut off at max_tokens=1000: rules triage kept"
    assert len(fake_anthropic.requests) == 1


def test_a_failing_progress_callback_does_not_escape(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.script(tool_call(sample.answer()))

    def broken(progress: Progress) -> None:
        raise RuntimeError("app is gone")

    result, _ = run(settings(fake_anthropic), on_progress=broken)

    assert (result.ok, result.reason) == (False, "Claude unavailable (RuntimeError: app is gone): rules triage kept")


def test_the_fake_also_answers_without_streaming(fake_anthropic: FakeAnthropic) -> None:
    import anthropic

    fake_anthropic.script(tool_call(sample.answer()))
    params = claude.build_request(sample.context(), sample.evidence(), sample.draft())

    with anthropic.Anthropic(api_key=KEY, base_url=fake_anthropic.base_url, max_retries=0) as client:
        message = client.messages.create(**params)

    [block] = message.content
    assert (block.type, block.name, block.input) == ("tool_use", "submit_triage", sample.answer())
    assert message.stop_reason == "tool_use"
    assert "stream" not in fake_anthropic.requests[0].body
