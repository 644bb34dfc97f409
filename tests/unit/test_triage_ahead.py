"""The description's triage worked out in a forked child: the same triage as in-process, or nothing."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from maestro.config import Config
from maestro.model import IncidentContext
from maestro.triage import ahead as ahead_module
from maestro.triage.ahead import TriageAhead
from maestro.triage.pipeline import rules_triage

DESCRIPTION = "API returns 500s since the deploy; logs show database connection timeout"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="needs fork, 2 cores")


def started(description: str = DESCRIPTION, config_path: Path | None = None, *, demo: bool = False) -> TriageAhead:
    ahead = TriageAhead.start(description, "", config_path, demo=demo)
    assert ahead is not None
    return ahead


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_child_triages_the_context_as_the_screen_would() -> None:
    ahead = started()
    context = IncidentContext(description=DESCRIPTION, began_at=datetime(2026, 12, 6, 6, 0, tzinfo=UTC))
    taken = ahead.take(context, Config())
    assert taken is not None
    here = rules_triage(context, None, Config(), taken.generated_at)
    assert taken == here
    assert gone(ahead.pid)


def test_a_triage_made_for_another_context_or_config_is_not_taken() -> None:
    ahead = started()
    assert ahead.take(IncidentContext(description="the disk is full"), Config()) is None
    assert gone(ahead.pid)
    other = started()
    assert other.take(IncidentContext(description=DESCRIPTION), Config(service_aliases={"shop": "web"})) is None


def test_the_config_file_the_command_names_is_the_one_the_child_reads(tmp_path: Path) -> None:
    path = tmp_path / "maestro.toml"
    path.write_text('[service_aliases]\n"shop front" = "web"\n', encoding="utf-8")
    ahead = started("the shop front is throwing 500 errors", path)
    config = Config(service_aliases={"shop front": "web"})
    taken = ahead.take(IncidentContext(description="the shop front is throwing 500 errors"), config)
    assert taken is not None and "app.http_errors:web" in [issue.id for issue in taken.issues]


def test_a_child_that_fails_or_dawdles_gives_nothing_and_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("not = [toml", encoding="utf-8")
    ahead = started(config_path=broken)
    assert ahead.take(IncidentContext(description=DESCRIPTION), Config()) is None
    monkeypatch.setattr(ahead_module, "TAKE_WAIT_S", 0.0)
    slow = started()
    assert slow.take(IncidentContext(description=DESCRIPTION), Config()) is None
    assert gone(slow.pid)
    slow.close()  # again: nothing left to do
