"""Where maestro-tui keeps its files: platform directories, overridden by env variables and flags.

Precedence for each path: the explicit argument (a command-line flag), then the env variable, then
the platform directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "maestro-tui"
JOURNAL_ENV = "MAESTRO_JOURNAL"
CONFIG_ENV = "MAESTRO_CONFIG"
REPORTS_ENV = "MAESTRO_REPORTS"
JOURNAL_FILE = "journal.sqlite3"
DEMO_JOURNAL_FILE = "demo-journal.sqlite3"


def journal_path(explicit: Path | None = None, *, demo: bool = False) -> Path:
    """The journal file. The demo journal sits beside the real one, so a demo never mixes into it."""
    path = _choose(explicit, JOURNAL_ENV, Path(platformdirs.user_state_dir(APP_NAME)) / JOURNAL_FILE)
    if demo and explicit is None:
        return path.with_name(DEMO_JOURNAL_FILE)
    return path


def config_path(explicit: Path | None = None) -> Path:
    return _choose(explicit, CONFIG_ENV, Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml")


def reports_dir(explicit: Path | None = None) -> Path:
    return _choose(explicit, REPORTS_ENV, Path(platformdirs.user_data_dir(APP_NAME)) / "reports")


def _choose(explicit: Path | None, env_var: str, default: Path) -> Path:
    if explicit is not None:
        chosen = Path(explicit)
    elif os.environ.get(env_var):
        chosen = Path(os.environ[env_var])
    else:
        chosen = default
    return chosen.expanduser().absolute()
