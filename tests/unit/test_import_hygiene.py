"""The headless core never loads the UI toolkit or the LLM SDK."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import maestro

ROOT = Path(__file__).resolve().parents[2]


def all_core_modules() -> list[str]:
    return sorted(
        m.name for m in pkgutil.walk_packages(maestro.__path__, prefix="maestro.") if "__main__" not in m.name
    )


def test_core_has_many_modules() -> None:
    assert len(all_core_modules()) >= 8


def test_importing_all_of_maestro_loads_neither_textual_nor_anthropic() -> None:
    modules = all_core_modules()
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'anthropic', 'widgets', 'tui'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == ""


def test_headless_cli_paths_do_not_load_textual() -> None:
    code = (
        "import sys\n"
        "from tui import cli\n"
        "cli.main(['config', 'check', '--config', '/nonexistent/x.toml'])\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'anthropic'})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == ""
    assert "does not exist" in result.stderr
