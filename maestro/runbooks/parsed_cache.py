"""The shipped runbooks as parsed before, kept in the user's cache folder: start-up reads one file instead of
parsing 57 runbooks, reading the needles out of their regexes and weighing their terms again.

An entry is named by a hash of what it was made from (the runbook files, the code that parses them and the
models it fills, the Python and pydantic versions), so a changed runbook or upgrade makes a new one. A cache
that cannot be read or written is no error: the runbooks are parsed as without it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CACHE_ENV = "MAESTRO_CACHE"
"""A folder for the cache instead of the platform's; `off` keeps none."""
KEPT = 3
"""Entries kept: those of a few versions side by side (two installs sharing one cache folder)."""


def key(texts: Iterable[str]) -> str:
    """A name for what an entry is made from: `texts` and the code and versions that turn them into objects."""
    import pydantic

    from maestro import model
    from maestro.runbooks import catalog, terms

    digest = hashlib.sha256()
    for part in (
        *texts,
        sys.version,
        pydantic.VERSION,
        *(Path(m.__file__ or "").read_text() for m in (catalog, terms, model)),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def folder() -> Path | None:
    chosen = os.environ.get(CACHE_ENV, "")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    from maestro.paths import APP_NAME

    return Path(platformdirs.user_cache_dir(APP_NAME))


def load(name: str) -> Any | None:
    """The entry, or None when there is none or it cannot be read."""
    where = folder()
    if where is None:
        return None
    try:
        with open(where / f"runbooks-{name}.pickle", "rb") as file:
            return pickle.load(file)
    except Exception:  # a missing, partial or stale entry is the same as none
        return None


def save(name: str, value: object) -> None:
    """Keep `value` under `name` (written whole or not at all); older entries beyond KEPT are removed."""
    where = folder()
    if where is None:
        return
    written: str | None = None
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=where, prefix=".runbooks-", delete=False) as file:
            written = file.name
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(written, where / f"runbooks-{name}.pickle")
        written = None
        entries = sorted(where.glob("runbooks-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in entries[KEPT:]:
            stale.unlink(missing_ok=True)
    except Exception:  # a read-only or full cache folder: the next start parses again
        if written is not None:
            Path(written).unlink(missing_ok=True)
