"""When an incident began, read from what a person wrote ("since 14:05", "20 minutes ago") as an absolute time.

Relative words freeze badly: a report written an hour later must not say "10 minutes ago". The time is
read once, against the moment the words were written, and stored with the incident.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

from maestro.model import IncidentContext

_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hr": 3600, "hour": 3600}
_UNIT_WORDS = {"d": 86400, "day": 86400}
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "five": 5, "ten": 10, "fifteen": 15, "twenty": 20}

_AGO = re.compile(
    r"\b(?P<half>half an? hour)\s+ago\b"
    r"|\b(?P<n>\d+(?:\.\d+)?|an?|one|two|three|five|ten|fifteen|twenty)\s*"
    r"(?P<unit>s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)\s+ago\b",
    re.IGNORECASE,
)
_ISO = re.compile(r"\b(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(?::\d{2})?)(?:\.\d+)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?", re.I)
_CLOCK = re.compile(
    r"\b(?:since|at|from|around|about|began|started|starting|start)\s+(?:at\s+|around\s+|about\s+)?"
    r"(?P<h>[01]?\d|2[0-3])[:h.](?P<m>[0-5]\d)\s*(?P<ampm>[ap]\.?m\.?)?\s*(?P<utc>utc|z|gmt)?\b",
    re.IGNORECASE,
)
_BARE_CLOCK = re.compile(
    r"^\s*(?P<h>[01]?\d|2[0-3])[:h.](?P<m>[0-5]\d)\s*(?P<ampm>[ap]\.?m\.?)?\s*(?P<utc>utc|z|gmt)?\s*$", re.I
)
_JUST_NOW = re.compile(r"\b(just now|right now|now)\b", re.IGNORECASE)


def began_at(text: str, now: datetime, tz: tzinfo | None = None) -> datetime | None:
    """The absolute start the text gives, or None when it gives none.

    A clock time without a zone is read in `tz` (default: this machine's zone) and lies in the past:
    "since 23:50" written at 00:10 means yesterday.
    """
    if not text.strip():
        return None
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    if match := _AGO.search(text):
        return _round(now - _ago(match))
    if match := _ISO.search(text):
        return _iso(match, now, tz)
    if match := _CLOCK.search(text) or _BARE_CLOCK.match(text):
        return _clock(match, now, tz)
    if _JUST_NOW.search(text):
        return _round(now)
    return None


def dated(context: IncidentContext, now: datetime) -> IncidentContext:
    """The context with `began_at` read from `when`, else from the description; unchanged if already set."""
    if context.began_at is not None:
        return context
    for text in (context.when, context.description):
        if (start := began_at(text, now)) is not None:
            return context.model_copy(update={"began_at": start})
    return context


def _ago(match: re.Match[str]) -> timedelta:
    if match.group("half"):
        return timedelta(minutes=30)
    raw = match.group("n").lower()
    amount = float(_NUMBER_WORDS.get(raw, 0) or raw)
    unit = match.group("unit").lower().rstrip("s") or "s"
    seconds = _UNITS.get(unit) or _UNIT_WORDS.get(unit) or 60
    return timedelta(seconds=amount * seconds)


def _iso(match: re.Match[str], now: datetime, tz: tzinfo | None) -> datetime:
    day, clock, zone = match.groups()
    parsed = datetime.fromisoformat(f"{day}T{clock if clock.count(':') == 2 else clock + ':00'}")
    if zone and zone.upper() in ("Z", "UTC"):
        return parsed.replace(tzinfo=UTC)
    if zone:
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:])) * sign
        return (parsed - offset).replace(tzinfo=UTC)
    return parsed.replace(tzinfo=tz or _local_zone(now)).astimezone(UTC)


def _clock(match: re.Match[str], now: datetime, tz: tzinfo | None) -> datetime:
    hour, minute = int(match.group("h")), int(match.group("m"))
    ampm = (match.group("ampm") or "").lower()
    if ampm.startswith("p") and hour < 12:
        hour += 12
    elif ampm.startswith("a") and hour == 12:
        hour = 0
    zone = UTC if match.group("utc") else (tz or _local_zone(now))
    local_now = now.astimezone(zone)
    start = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if start > local_now + timedelta(minutes=1):
        start -= timedelta(days=1)
    return start.astimezone(UTC)


def _local_zone(now: datetime) -> tzinfo:
    return now.astimezone().tzinfo or UTC


def _round(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)
