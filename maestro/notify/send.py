"""The `notify` operation, used by the CLI and the screen.

Each channel gets its own delivery (in parallel, each bounded by the channel's `max_total_s`), the text is
redacted before it is sent, and every delivery to an incident is journaled by channel name, never by URL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING

from maestro import events as ev
from maestro.model import Model
from maestro.notify.channel import ChannelError, ChannelKind, NotifyChannel
from maestro.notify.payloads import Notice, NoticeKind, body
from maestro.notify.transport import post_json
from maestro.redact import redact

if TYPE_CHECKING:
    from maestro.config import Config
    from maestro.incident import Incident

Record = Callable[[ev.EventKind, ev.Payload], object]
"""Journals one event on the incident: `partial(journal.append, incident_id)`, or the screen's recorder."""


class Delivery(Model):
    channel: str
    kind: ChannelKind | None
    ok: bool
    attempts: int
    detail: str

    def line(self) -> str:
        """One line for a terminal or a toast: the channel's name and what happened."""
        name = f"{self.channel} ({self.kind})" if self.kind else self.channel
        if self.ok:
            return f"{name}: sent ({self.detail})"
        tries = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        return f"{name}: failed{tries}: {self.detail}"


def notify(
    notice: Notice,
    channels: Sequence[NotifyChannel],
    *,
    env: Mapping[str, str] | None = None,
    record: Record | None = None,
) -> list[Delivery]:
    """Send `notice` to every channel; `record` journals each delivery on the incident (not for a test)."""
    if not channels:
        return []
    with ThreadPoolExecutor(max_workers=min(len(channels), 4), thread_name_prefix="notify") as pool:
        deliveries = list(pool.map(lambda channel: deliver(notice, channel, env), channels))
    if record is not None and notice.kind is not NoticeKind.TEST:
        for d in deliveries:
            kind = d.kind or ""
            payload = ev.NotificationSent(
                channel=d.channel, channel_kind=kind, notice=notice.kind, ok=d.ok, attempts=d.attempts, detail=d.detail
            )
            record(ev.EventKind.NOTIFICATION_SENT, payload)
    return deliveries


def deliver(notice: Notice, channel: NotifyChannel, env: Mapping[str, str] | None = None) -> Delivery:
    """One channel; never raises for a problem a person can fix, it returns a failed Delivery instead."""
    try:
        url = channel.endpoint(env)
        data = json.dumps(body(channel.kind, notice, channel.key(env)).model_dump(mode="json")).encode()
    except ChannelError as exc:
        detail = _without_name(exc, channel)
        return Delivery(channel=channel.name, kind=channel.kind, ok=False, attempts=0, detail=detail)
    result = post_json(
        url, data, timeout_s=channel.timeout_s, attempts=channel.attempts, max_total_s=channel.max_total_s
    )
    detail = redact(result.detail).replace(url, "<url>") if url else result.detail
    return Delivery(channel=channel.name, kind=channel.kind, ok=result.ok, attempts=result.attempts, detail=detail)


def _without_name(exc: ChannelError, channel: NotifyChannel) -> str:
    return str(exc).removeprefix(f"{channel.name}: ")


def notice_for(incident: Incident, kind: NoticeKind, text: str, who: str, when: datetime) -> Notice:
    return Notice(
        kind=kind,
        incident_id=incident.id,
        severity=incident.severity,
        status=incident.status.value,
        text=text,
        who=who,
        when=when,
    )


def notify_incident(
    record: Record,
    incident: Incident,
    kind: NoticeKind,
    text: str,
    channel_names: Sequence[str],
    config: Config,
    now: datetime,
    who: str,
    *,
    env: Mapping[str, str] | None = None,
) -> list[Delivery]:
    """Notify the named channels about an incident; `record` journals every delivery.

    A name the config does not define is a failed delivery (one line), not an exception.
    """
    channels, unknown = [], []
    for name in channel_names:
        channel = config.notify_channel(name)
        if channel is None:
            unknown.append(name)
        else:
            channels.append(channel)
    notice = notice_for(incident, kind, text, who, now)
    deliveries = notify(notice, channels, env=env, record=record)
    for name in unknown:
        detail = "no [[notify]] channel has this name in the config"
        deliveries.append(Delivery(channel=name, kind=None, ok=False, attempts=0, detail=detail))
    return deliveries
