"""What each kind of channel receives, as pydantic models: Slack incoming webhook, generic JSON, PagerDuty v2."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from maestro.model import Severity
from maestro.notify.channel import ChannelKind
from maestro.redact import redact

SOURCE = "maestro-tui"


class NoticeKind(StrEnum):
    STATUS_UPDATE = "status_update"
    ESCALATION = "escalation"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    TEST = "test"


class Notice(BaseModel):
    """One message to people outside the terminal. `text` is redacted when the notice is made."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: NoticeKind
    incident_id: str
    severity: Severity | None = None
    status: str = ""
    text: str
    who: str
    when: datetime

    @field_validator("text")
    @classmethod
    def _redacted(cls, text: str) -> str:
        return redact(text)


class SlackMessage(BaseModel):
    """Slack incoming webhook body."""

    text: str


class WebhookMessage(BaseModel):
    """The generic JSON body: enough for any receiver to file or route the message."""

    source: str = SOURCE
    kind: NoticeKind
    incident_id: str
    severity: Severity | None
    status: str
    text: str
    who: str
    when: datetime


PagerDutyAction = Literal["trigger", "acknowledge", "resolve"]
PagerDutySeverity = Literal["critical", "error", "warning", "info"]

_PD_SEVERITY: dict[Severity | None, PagerDutySeverity] = {
    Severity.P0: "critical",
    Severity.P1: "error",
    Severity.P2: "warning",
    None: "info",
}


class PagerDutyDetails(BaseModel):
    summary: str = Field(max_length=1024)
    source: str
    severity: PagerDutySeverity
    timestamp: datetime
    component: str = SOURCE
    custom_details: dict[str, str] = {}


class PagerDutyEvent(BaseModel):
    """PagerDuty Events API v2. `payload` is required only for trigger."""

    routing_key: str
    event_action: PagerDutyAction
    dedup_key: str
    payload: PagerDutyDetails | None = None


def pagerduty_action(notice: Notice) -> PagerDutyAction:
    """One alert per incident (dedup key = incident id): escalations and updates trigger it (PagerDuty folds a
    repeat into the open alert), an acknowledgement acknowledges it, resolving resolves it. A test resolves a
    key nobody was paged for, so it checks the route and the key without waking anyone."""
    if notice.kind in (NoticeKind.RESOLVED, NoticeKind.TEST):
        return "resolve"
    if notice.kind is NoticeKind.ACKNOWLEDGED:
        return "acknowledge"
    return "trigger"


def slack_text(notice: Notice) -> str:
    head = f"[{notice.incident_id}]" + (f" {notice.severity}" if notice.severity else "")
    head += f" {notice.status}" if notice.status else ""
    return f"{head} ({notice.kind.value.replace('_', ' ')} by {notice.who})\n{notice.text}"


def body(kind: ChannelKind, notice: Notice, routing_key: str = "") -> BaseModel:
    """The request body for a channel kind."""
    if kind is ChannelKind.SLACK:
        return SlackMessage(text=slack_text(notice))
    if kind is ChannelKind.WEBHOOK:
        return WebhookMessage(**notice.model_dump())
    action = pagerduty_action(notice)
    details = None
    if action == "trigger":
        summary = f"{notice.incident_id}: " + (notice.text.splitlines()[0] if notice.text else notice.kind.value)
        details = PagerDutyDetails(
            summary=summary[:1024],
            source=notice.who,
            severity=_PD_SEVERITY[notice.severity],
            timestamp=notice.when,
            custom_details={"text": notice.text, "status": notice.status, "kind": notice.kind.value},
        )
    return PagerDutyEvent(routing_key=routing_key, event_action=action, dedup_key=notice.incident_id, payload=details)
