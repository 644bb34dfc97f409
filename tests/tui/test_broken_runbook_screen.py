"""A broken runbook file in runbook_dir: the screen still triages from the shipped runbooks and names the file."""

from __future__ import annotations

from pathlib import Path

from maestro.config import Config
from maestro.model import IncidentContext
from tests.tui.conftest import AppFactory, option_texts, settle


async def test_the_checklist_names_the_broken_runbook_file_and_still_has_issues(
    make_app: AppFactory, config: Config, tmp_path: Path
) -> None:
    books = tmp_path / "runbooks"
    books.mkdir()
    broken = books / "ours.toml"
    broken.write_text("[[runbook]\nid = 'ours.x'\n")
    config.runbook_dir = books
    app = make_app(new_context=IncidentContext(description="Redis out of memory - cache failures"))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert app.incident is not None and app.incident.triage is not None and app.incident.triage.issues
        shown = "\n".join(option_texts(app.screen.checklist))  # type: ignore[attr-defined]
        assert f"Runbook skipped: {broken}: invalid TOML" in shown
        assert "P?" not in shown
