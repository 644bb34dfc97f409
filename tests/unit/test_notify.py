"""Notifications against a local HTTP server: each channel's format, retries, failures in one line, bounds."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest

from maestro import events as ev
from maestro.config import Config, ConfigError, parse
from maestro.escalation import escalate
from maestro.journal import Journal
from maestro.model import EscalationContact, IncidentContext, Severity
from maestro.notify.channel import PAGERDUTY_EVENTS_URL, ChannelKind, NotifyChannel
from maestro.notify.payloads import Notice, NoticeKind
from maestro.notify.send import deliver, notify, notify_incident
from maestro.status_update import draft, send
from tests.factories import T0
from tests.http_sink import Answer, HttpSink, closed_port_url

SLACK_TOKEN_URL_PATH = "/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX"


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    with HttpSink() as server:
        yield server


def notice(kind: NoticeKind = NoticeKind.STATUS_UPDATE, text: str = "Status: Identified") -> Notice:
    return Notice(
        kind=kind, incident_id="INC-1", severity=Severity.P0, status="open", text=text, who="ana@node1", when=T0
    )


def channel(name: str, kind: ChannelKind, url: str, **extra: object) -> NotifyChannel:
    return NotifyChannel.model_validate({"name": name, "kind": kind, "url": url, **extra})


def test_slack_receives_its_text_and_the_webhook_the_incident_fields(sink: HttpSink) -> None:
    channels = [
        channel("incidents", ChannelKind.SLACK, sink.url("/slack")),
        channel("ops-webhook", ChannelKind.WEBHOOK, sink.url("/hook")),
    ]
    deliveries = notify(notice(), channels)
    assert [d.line() for d in deliveries] == [
        "incidents (slack): sent (HTTP 200)",
        "ops-webhook (webhook): sent (HTTP 200)",
    ]
    assert sink.bodies("/slack") == [{"text": "[INC-1] P0 open (status update by ana@node1)\nStatus: Identified"}]
    assert sink.bodies("/hook") == [
        {
            "source": "maestro-tui",
            "kind": "status_update",
            "incident_id": "INC-1",
            "severity": "P0",
            "status": "open",
            "text": "Status: Identified",
            "who": "ana@node1",
            "when": "2026-11-26T05:00:00Z",
        }
    ]
    assert all(r.headers["Content-Type"] == "application/json" for r in sink.received)


def test_pagerduty_gets_an_events_v2_trigger_then_resolve_with_the_key_from_the_environment(sink: HttpSink) -> None:
    pager = NotifyChannel(
        name="pager", kind=ChannelKind.PAGERDUTY, url=sink.url("/v2/enqueue"), routing_key_env="PD_KEY"
    )
    env = {"PD_KEY": "R0UT1NGKEY0000000000000000000000"}
    assert deliver(notice(NoticeKind.ESCALATION, "Escalate now → CTO"), pager, env).ok
    assert deliver(notice(NoticeKind.ACKNOWLEDGED, "on it"), pager, env).ok
    assert deliver(notice(NoticeKind.RESOLVED, "rolled back"), pager, env).ok
    trigger, acknowledge, resolve = sink.bodies("/v2/enqueue")
    assert trigger["routing_key"] == env["PD_KEY"] and trigger["event_action"] == "trigger"
    assert trigger["dedup_key"] == "INC-1"
    assert trigger["payload"]["summary"] == "INC-1: Escalate now → CTO"
    assert (trigger["payload"]["severity"], trigger["payload"]["source"]) == ("critical", "ana@node1")
    assert set(trigger["payload"]) >= {"summary", "source", "severity", "timestamp"}
    assert (acknowledge["event_action"], acknowledge["payload"]) == ("acknowledge", None)
    assert resolve == {"routing_key": env["PD_KEY"], "event_action": "resolve", "dedup_key": "INC-1", "payload": None}
    assert pager.model_copy(update={"url": ""}).endpoint(env) == PAGERDUTY_EVENTS_URL


def test_a_500_is_retried_then_succeeds(sink: HttpSink) -> None:
    sink.answers(Answer(500, text="upstream down"), Answer(503))
    hook = channel("ops-webhook", ChannelKind.WEBHOOK, sink.url(), attempts=3)
    delivery = deliver(notice(), hook)
    assert delivery.ok and delivery.attempts == 3
    assert len(sink.received) == 3


def test_a_400_is_not_retried_and_fails_in_one_line(sink: HttpSink) -> None:
    sink.answers(Answer(400, text="invalid_payload\nmore"))
    delivery = deliver(notice(), channel("incidents", ChannelKind.SLACK, sink.url()))
    assert not delivery.ok and len(sink.received) == 1
    assert delivery.line() == "incidents (slack): failed: HTTP 400: invalid_payload more"


def test_retries_stop_after_their_count(sink: HttpSink) -> None:
    sink.answers(*[Answer(500)] * 5)
    delivery = deliver(notice(), channel("ops-webhook", ChannelKind.WEBHOOK, sink.url(), attempts=2))
    assert not delivery.ok and len(sink.received) == 2
    assert delivery.line() == "ops-webhook (webhook): failed after 2 attempts: HTTP 500: ok"


def test_a_server_that_is_gone_fails_in_one_line_without_the_url() -> None:
    url = closed_port_url(SLACK_TOKEN_URL_PATH)
    delivery = deliver(notice(), channel("incidents", ChannelKind.SLACK, url, attempts=2))
    assert not delivery.ok
    assert delivery.line() == "incidents (slack): failed after 2 attempts: connection refused"


def test_a_silent_server_is_bounded_by_the_timeout_and_the_total(sink: HttpSink) -> None:
    sink.answers(*[Answer(delay_s=5)] * 3)
    hook = channel("ops-webhook", ChannelKind.WEBHOOK, sink.url(), timeout_s=0.3, attempts=3, max_total_s=1.0)
    start = time.monotonic()
    delivery = deliver(notice(), hook)
    elapsed = time.monotonic() - start
    assert not delivery.ok and "no answer" in delivery.detail
    assert elapsed < 1.5, elapsed
    assert "\n" not in delivery.line()


def test_a_missing_secret_variable_is_one_line_and_sends_nothing(sink: HttpSink) -> None:
    hook = NotifyChannel(name="ops-webhook", kind=ChannelKind.WEBHOOK, url_env="OPS_HOOK_URL")
    delivery = deliver(notice(), hook, env={})
    assert delivery.line() == "ops-webhook (webhook): failed: environment variable OPS_HOOK_URL (its url) is not set"
    assert sink.received == []


def test_secrets_in_the_text_are_redacted_before_sending(sink: HttpSink) -> None:
    text = "tried psql with PGPASSWORD=hunter2hunter2 and token ghp_abcdefghijklmnopqrstuvwxyz0123456789"
    notify(notice(text=text), [channel("ops-webhook", ChannelKind.WEBHOOK, sink.url())])
    sent = sink.bodies("/hook")[0]["text"]
    assert "hunter2" not in sent and "abcdefghijklmnop" not in sent and "[REDACTED]" in sent


def test_deliveries_to_an_incident_are_journaled_by_name_never_by_url(sink: HttpSink, tmp_path: Path) -> None:
    url_with_token = sink.url(SLACK_TOKEN_URL_PATH)
    config = Config(notify=[channel("incidents", ChannelKind.SLACK, url_with_token)])
    with Journal.open(tmp_path / "j.sqlite3", actor="ana@node1") as journal:
        incident_id = journal.open_incident(IncidentContext(description="api down"), Severity.P0).incident_id
        incident = journal.incident(incident_id)
        record = partial(journal.append, incident_id)
        names = ["incidents", "nope"]
        deliveries = notify_incident(record, incident, NoticeKind.ESCALATION, "Escalate now", names, config, T0, "ana")
        assert [d.line() for d in deliveries] == [
            "incidents (slack): sent (HTTP 200)",
            "nope: failed: no [[notify]] channel has this name in the config",
        ]
        incident = journal.incident(incident_id)
        raw = (tmp_path / "j.sqlite3").read_bytes() + (tmp_path / "j.sqlite3-wal").read_bytes()
    assert [(n.channel, n.notice, n.ok, n.actor) for n in incident.notifications] == [
        ("incidents", "escalation", True, "ana@node1")
    ]
    assert incident.timeline[-1].text == "Sent escalation to incidents"
    assert b"XXXXXXXXXXXXXXXX" not in raw and b"/services/" not in raw


def test_the_config_reads_notify_channels_and_checks_contact_names() -> None:
    text = """
[[notify]]
name = "incidents"
kind = "slack"
url_env = "SLACK_URL"

[[notify]]
name = "pager"
kind = "pagerduty"
routing_key_env = "PAGERDUTY_ROUTING_KEY"

[[escalation]]
role = "On-Call Engineer"
notify = "pager"
"""
    config = parse(text, Path("c.toml"))
    assert [c.name for c in config.notify] == ["incidents", "pager"]
    assert config.escalation[0].notify == "pager"
    with pytest.raises(ConfigError, match="names notify channel 'slack', which no"):
        parse(text.replace('notify = "pager"', 'notify = "slack"'), Path("c.toml"))
    with pytest.raises(ConfigError, match="needs routing_key_env"):
        parse('[[notify]]\nname = "p"\nkind = "pagerduty"\n', Path("c.toml"))
    with pytest.raises(ConfigError, match="share a name"):
        parse(text.replace('"pager"', '"incidents"'), Path("c.toml"))


def test_escalating_tells_the_contact_through_their_channel(sink: HttpSink, tmp_path: Path) -> None:
    chain = [
        EscalationContact(role="On-Call Engineer"),
        EscalationContact(role="Team Lead", name="Dana", notify="lead-slack"),
        EscalationContact(role="CTO"),
    ]
    config = Config(escalation=chain, notify=[channel("lead-slack", ChannelKind.SLACK, sink.url("/lead"))])
    with Journal.open(tmp_path / "j.sqlite3", actor="ana@node1") as journal:
        incident_id = journal.open_incident(IncidentContext(description="api down"), Severity.P0).incident_id
        incident = journal.incident(incident_id)
        now = incident.opened_at + timedelta(minutes=31)
        record = partial(journal.append, incident_id)
        deliveries = escalate(record, incident, 1, "P0 not resolved in 30 minutes", config, now, "ana@node1")
        silent = escalate(record, journal.incident(incident_id), 2, "outage over 4 hours", config, now, "ana@node1")
        incident = journal.incident(incident_id)
    assert [d.line() for d in deliveries] == ["lead-slack (slack): sent (HTTP 200)"] and silent == []
    (body,) = sink.bodies("/lead")
    assert body["text"].splitlines()[1:] == [
        "Escalation to Team Lead (Dana): P0 not resolved in 30 minutes",
        "Incident: api down",
        "P0, open, open 0:31:00",
    ]
    assert [(e.level, e.role) for e in incident.escalations] == [(1, "Team Lead"), (2, "CTO")]
    assert [(n.channel, n.notice) for n in incident.notifications] == [("lead-slack", "escalation")]


def test_the_update_after_resolving_resolves_the_pagerduty_alert(sink: HttpSink, tmp_path: Path) -> None:
    pager = NotifyChannel(name="pager", kind=ChannelKind.PAGERDUTY, url=sink.url("/pd"), routing_key="k" * 32)
    config = Config(notify=[pager])
    with Journal.open(tmp_path / "j.sqlite3") as journal:
        incident_id = journal.open_incident(IncidentContext(description="api down"), Severity.P0).incident_id
        journal.append(incident_id, ev.EventKind.RESOLVED, ev.Resolved(resolution="rolled back api"))
        incident = journal.incident(incident_id)
        now = incident.opened_at + timedelta(minutes=40)
        record = partial(journal.append, incident_id)
        assert send(record, incident, draft(incident, now), ["pager"], config, now, "ana")[0].ok
        incident = journal.incident(incident_id)
    (body,) = sink.bodies("/pd")
    assert (body["event_action"], body["dedup_key"]) == ("resolve", incident_id)
    assert incident.sent_updates[0].text.splitlines()[1] == "Status: Resolved"


def test_channel_secrets_never_reach_the_reports(sink: HttpSink, tmp_path: Path) -> None:
    from maestro import report

    secret_path = "/services/T0SECRET/B0SECRET/abcdefghijklmnopqrstuvwx"
    pager = NotifyChannel(name="pager", kind=ChannelKind.PAGERDUTY, url=sink.url("/pd"), routing_key="RK" + "9" * 30)
    config = Config(notify=[channel("incidents", ChannelKind.SLACK, sink.url(secret_path)), pager])
    with Journal.open(tmp_path / "j.sqlite3") as journal:
        incident_id = journal.open_incident(IncidentContext(description="api down"), Severity.P0).incident_id
        incident = journal.incident(incident_id)
        record = partial(journal.append, incident_id)
        now = incident.opened_at + timedelta(minutes=5)
        send(record, incident, draft(incident, now), ["incidents", "pager"], config, now, "ana")
        files = report.export(journal.incident(incident_id), config, tmp_path / "out", now=now)
    written = "".join(f.read_text(encoding="utf-8") for f in files)
    assert "Status update #1 sent (incidents, pager)" in written
    assert "T0SECRET" not in written and "9" * 30 not in written and str(sink.url("")) not in written
