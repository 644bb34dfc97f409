"""The first frame pays for nothing it does not draw: heavy modules load inside workers and dialogs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

NOT_AT_START = (
    "anthropic",
    "jinja2",
    "docker",
    "maestro.report",
    "maestro.triage.rules",
    "maestro.triage.claude",
    "maestro.collect",
    "maestro.safety",
    "tui.screens.dialogs",
    "textual.widgets._text_area",
)


def test_importing_the_app_loads_no_heavy_module() -> None:
    code = f"import sys\nimport tui.app\nprint(','.join(m for m in {NOT_AT_START!r} if m in sys.modules))\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == ""
