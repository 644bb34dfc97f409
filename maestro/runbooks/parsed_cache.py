"""The shipped runbooks as parsed before: start-up reads one file instead of parsing the runbooks, reading the
needles out of their regexes and weighing their terms again. Other entries built from shipped data (the index of
the reported cases) are kept the same way, each kind under its own name.

An entry is named by a hash of what it was made from (the runbook files, the code that parses them and the
models it fills, the Python and pydantic versions), so a changed runbook or upgrade makes a new one. Entries are
kept beside the runbooks, as bytecode is beside its source (every user and home folder of the install shares
them; a file there is as trusted as the code beside it), and where that folder is not writable in the user's
cache folder. A cache that cannot be read or written is no error: the runbooks are parsed as without it.
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


BESIDE = Path(__file__).resolve().parent / "__pycache__"
"""The install's own cache folder, beside the runbooks."""


def folders() -> list[Path]:
    """Where entries are looked for and written, in order: MAESTRO_CACHE alone when it is set (`off`: nowhere),
    else beside the runbooks, then the user's cache folder."""
    chosen = os.environ.get(CACHE_ENV, "")
    if chosen == "off":
        return []
    if chosen:
        return [Path(chosen).expanduser()]
    import platformdirs

    from maestro.paths import APP_NAME

    return [BESIDE, Path(platformdirs.user_cache_dir(APP_NAME))]


def load(name: str, kind: str = "runbooks") -> Any | None:
    """The entry from the first folder that has it, or None when none has it or it cannot be read."""
    for where in folders():
        try:
            with open(where / f"{kind}-{name}.pickle", "rb") as file:
                return pickle.load(file)
        except Exception:  # a missing, partial or stale entry is the same as none
            continue
    return None


def save(name: str, value: object, kind: str = "runbooks") -> None:
    """Keep `value` under `name` in the first folder that can be written (whole or not at all); older entries
    of its kind there beyond KEPT are removed."""
    for where in folders():
        if _save(where, name, value, kind):
            return


def _save(where: Path, name: str, value: object, kind: str) -> bool:
    written: str | None = None
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=where, prefix=f".{kind}-", delete=False) as file:
            written = file.name
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(written, where / f"{kind}-{name}.pickle")
        written = None
        entries = sorted(where.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in entries[KEPT:]:
            stale.unlink(missing_ok=True)
    except Exception:  # a read-only or full folder: the next one, else the next start parses again
        if written is not None:
            Path(written).unlink(missing_ok=True)
        return False
    return True
