"""The first frame pays for nothing it does not draw: the core loads after it, heavy modules in workers.

`maestro-tui` imports the command and the app, then draws the panes; pydantic, the journal, the config
and every engine are imported after that first frame (the session is opened then), anthropic only in
the Claude worker, whether ANTHROPIC_API_KEY is set or not.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from maestro import lazy
from tui import screens

ROOT = Path(__file__).resolve().parents[2]

NOT_BEFORE_THE_FIRST_FRAME = (
    "pydantic",
    "sqlite3",
    "maestro.model",
    "maestro.events",
    "maestro.incident",
    "maestro.journal",
    "maestro.config",
    "maestro.demo",
    "anthropic",
    "jinja2",
    "docker",
    "maestro.report",
    "maestro.triage.rules",
    "maestro.triage.claude",
    "maestro.collect.swarm",
    "maestro.collect.signals",
    "maestro.collect.engine_events",
    "maestro.triage.pipeline",
    "maestro.screen_view",
    "maestro.recorder",
    "maestro.safety",
    "tui.screens.dialogs",
    "textual.widgets._text_area",
)


@pytest.mark.parametrize("key", ["", "test-key-not-a-secret"], ids=["no-key", "key"])
def test_the_command_and_the_app_load_no_core_module(key: str) -> None:
    code = (
        "import sys\nimport tui.cli\nimport tui.app\n"
        f"print(','.join(m for m in {NOT_BEFORE_THE_FIRST_FRAME!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "ANTHROPIC_API_KEY": key, "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert result.stdout.strip() == ""


SEAMS = {
    "maestro.lazy": (lazy.MODULES, "escalation"),
    "tui.screens": ({name: f"tui.screens.{name}" for name in screens.LATER}, "dialogs"),
}
"""Each lazy seam: its short names with their modules, and one name to probe."""


@pytest.mark.parametrize("seam", sorted(SEAMS))
def test_a_lazy_seam_loads_a_module_on_its_first_use_and_knows_every_name(seam: str) -> None:
    modules, probe = SEAMS[seam]
    code = (
        f"import sys, importlib\nseam = importlib.import_module({seam!r})\n"
        f"before = {modules[probe]!r} in sys.modules\n"
        f"getattr(seam, {probe!r})\n"
        f"names = [getattr(seam, name).__name__ for name in {list(modules)!r}]\n"
        f"print(before, {modules[probe]!r} in sys.modules, names == {list(modules.values())!r})\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.split() == ["False", "True", "True"]
    path = ROOT.joinpath(*seam.split("."))
    source = (path / "__init__.py" if path.is_dir() else path.with_suffix(".py")).read_text(encoding="utf-8")
    for name in modules:
        assert f'"{name}"' in source.split("__all__")[1], f"{name} is missing from what type checkers see"
