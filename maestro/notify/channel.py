"""A notification channel as the config describes it: where to send, and where its secret lives."""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum

from pydantic import Field, model_validator

from maestro.model import Model

PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"


class ChannelKind(StrEnum):
    SLACK = "slack"
    WEBHOOK = "webhook"
    PAGERDUTY = "pagerduty"


class ChannelError(ValueError):
    """A channel that cannot be used as configured; the message names the channel and what to set."""


class NotifyChannel(Model):
    """One `[[notify]]` entry. Secrets (a webhook URL with its token, a routing key) may sit in environment
    variables named by `url_env` / `routing_key_env`, so the config file itself can be shared."""

    name: str = Field(min_length=1)
    kind: ChannelKind
    url: str = ""
    url_env: str = ""
    routing_key: str = ""
    routing_key_env: str = ""
    timeout_s: float = Field(default=5.0, gt=0, le=60)
    attempts: int = Field(default=3, ge=1, le=10)
    max_total_s: float = Field(default=20.0, gt=0, le=300)

    @model_validator(mode="after")
    def _has_a_destination(self) -> NotifyChannel:
        if self.kind is ChannelKind.PAGERDUTY:
            if not (self.routing_key or self.routing_key_env):
                raise ValueError(f"notify channel {self.name!r} needs routing_key_env (or routing_key)")
        elif not (self.url or self.url_env):
            raise ValueError(f"notify channel {self.name!r} needs url_env (or url)")
        return self

    def endpoint(self, env: Mapping[str, str] | None = None) -> str:
        """The URL to post to, read from the environment when the config names a variable."""
        default = PAGERDUTY_EVENTS_URL if self.kind is ChannelKind.PAGERDUTY else ""
        return self._value(self.url, self.url_env, "url", env) or default

    def key(self, env: Mapping[str, str] | None = None) -> str:
        """The PagerDuty routing key; empty for other kinds."""
        if self.kind is not ChannelKind.PAGERDUTY:
            return ""
        return self._value(self.routing_key, self.routing_key_env, "routing key", env)

    def _value(self, inline: str, variable: str, what: str, env: Mapping[str, str] | None) -> str:
        if not variable:
            return inline
        value = (os.environ if env is None else env).get(variable, "").strip()
        if not value:
            raise ChannelError(f"{self.name}: environment variable {variable} (its {what}) is not set")
        return value
