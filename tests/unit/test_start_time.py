"""When an incident began: words read once, against the moment they were written, into an absolute UTC time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from maestro.journal import Journal
from maestro.model import IncidentContext
from maestro.start_time import began_at, dated

NOW = datetime(2026, 11, 26, 14, 30, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("since 14:05", datetime(2026, 11, 26, 14, 5, tzinfo=UTC)),
        ("API down since 14:05 UTC", datetime(2026, 11, 26, 14, 5, tzinfo=UTC)),
        ("started at 2:05 pm", datetime(2026, 11, 26, 14, 5, tzinfo=UTC)),
        ("14:05", datetime(2026, 11, 26, 14, 5, tzinfo=UTC)),
        ("since 23:50", datetime(2026, 11, 25, 23, 50, tzinfo=UTC)),
        ("20 minutes ago", NOW.replace(microsecond=0) - timedelta(minutes=20)),
        ("started 10 minutes ago, right after the deploy", NOW - timedelta(minutes=10)),
        ("about an hour ago", NOW - timedelta(hours=1)),
        ("half an hour ago", NOW - timedelta(minutes=30)),
        ("2 hrs ago", NOW - timedelta(hours=2)),
        ("45s ago", NOW - timedelta(seconds=45)),
        ("2026-11-26T13:58Z", datetime(2026, 11, 26, 13, 58, tzinfo=UTC)),
        ("2026-11-26 15:58+02:00", datetime(2026, 11, 26, 13, 58, tzinfo=UTC)),
        ("just now", NOW),
    ],
)
def test_words_become_an_absolute_utc_time(text: str, expected: datetime) -> None:
    assert began_at(text, NOW, tz=UTC) == expected


@pytest.mark.parametrize("text", ["", "after the deploy", "yesterday-ish", "500 errors on 3 of 4 nodes", "v2.14.05"])
def test_words_without_a_time_give_none(text: str) -> None:
    assert began_at(text, NOW, tz=UTC) is None


def test_a_clock_time_without_zone_is_read_in_the_given_zone() -> None:
    berlin_winter = timezone(timedelta(hours=1))
    assert began_at("since 15:05", NOW, tz=berlin_winter) == datetime(2026, 11, 26, 14, 5, tzinfo=UTC)


def test_dated_prefers_when_then_the_description_and_keeps_a_known_time() -> None:
    both = IncidentContext(description="API down since 14:00", when="20 minutes ago")
    assert dated(both, NOW).began_at == NOW.replace(microsecond=0) - timedelta(minutes=20)
    only_description = IncidentContext(description="checkout fails, started 5 minutes ago")
    assert dated(only_description, NOW).began_at == NOW.replace(microsecond=0) - timedelta(minutes=5)
    known = IncidentContext(description="x since 14:00", began_at=NOW)
    assert dated(known, NOW) is known
    assert dated(IncidentContext(description="API down"), NOW).began_at is None


def test_the_journal_stores_the_absolute_start_in_the_opening_event(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite3", clock=lambda: NOW, actor="ana@node1") as journal:
        opened = journal.open_incident(IncidentContext(description="API down", when="started 10 minutes ago"))
        incident = journal.incident(opened.incident_id)
    assert incident.context.began_at == datetime(2026, 11, 26, 14, 20, 20, tzinfo=UTC)
    assert incident.context.when == "started 10 minutes ago"
