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
    "tui.views",
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
