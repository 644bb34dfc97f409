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


def test_the_lazy_seam_loads_a_module_on_its_first_use_and_knows_every_name() -> None:
    code = (
        "import sys\nfrom maestro import lazy\n"
        "before = 'maestro.escalation' in sys.modules\n"
        "lazy.escalation.clock\n"
        "names = [getattr(lazy, name).__name__ for name in lazy.MODULES]\n"
        "print(before, 'maestro.escalation' in sys.modules, names == list(lazy.MODULES.values()))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.split() == ["False", "True", "True"]
    source = (ROOT / "maestro" / "lazy.py").read_text(encoding="utf-8")
    for name in lazy.MODULES:
        assert f'"{name}"' in source.split("__all__")[1], f"{name} is missing from what type checkers see"


def test_a_screen_loads_on_its_first_use_and_every_later_screen_exists() -> None:
    code = (
        "import sys\nfrom tui import screens\n"
        "before = 'tui.screens.dialogs' in sys.modules\n"
        "screens.dialogs.ConfirmDialog\n"
        "names = [getattr(screens, name).__name__ for name in screens.LATER]\n"
        "print(before, 'tui.screens.dialogs' in sys.modules, names == [f'tui.screens.{n}' for n in screens.LATER])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.split() == ["False", "True", "True"]
    source = (ROOT / "tui" / "screens" / "__init__.py").read_text(encoding="utf-8")
    for name in screens.LATER:
        assert f'"{name}"' in source.split("__all__")[1], f"{name} is missing from what type checkers see"
