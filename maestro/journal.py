"""The append-only incident journal: one SQLite file (WAL) shared by every maestro-tui process on a host.

Durability: synchronous=FULL in WAL mode, so an acknowledged event survives a killed writer and a power loss.
Threads: one connection opened with check_same_thread=False, every call serialised by a lock.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from pydantic import ValidationError

from maestro import events as ev
from maestro.incident import FoldError, Incident, advance
from maestro.model import IncidentContext, IncidentStatus, Model, Severity
from maestro.paths import journal_path

APPLICATION_ID = 0x4D414553  # "MAES" in the SQLite header: tells a maestro journal from any other database
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 10.0
MOVE_ASIDE = "move it aside or pass --journal NEW_PATH"

_SQLITE_MAGIC = b"SQLite format 3\x00"
_SCHEMA = (
    f"PRAGMA application_id = {APPLICATION_ID}",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    f"INSERT INTO meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}'),"
    f" ('application_id', '{APPLICATION_ID}')",
    """CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL CHECK (json_valid(payload))
    )""",
    "CREATE INDEX events_by_incident ON events (incident_id, seq)",
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
    " BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
    " BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END",
)

# The kinds that can change an incident's description, severity or status; the list of incidents folds
# only these, so big evidence payloads are never read for it.
_SUMMARY_KINDS = (
    ev.EventKind.INCIDENT_OPENED,
    ev.EventKind.CONTEXT_UPDATED,
    ev.EventKind.TRIAGE_GENERATED,
    ev.EventKind.SEVERITY_CHANGED,
    ev.EventKind.ITEM_TICKED,
    ev.EventKind.ITEM_UNTICKED,
    ev.EventKind.PHASE_TICKED,
    ev.EventKind.PHASE_UNTICKED,
    ev.EventKind.RESOLVED,
    ev.EventKind.INCIDENT_CLOSED,
)
_SUMMARY_KIND_LIST = ", ".join(f"'{kind.value}'" for kind in _SUMMARY_KINDS)
_FINISHED = (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)


class JournalError(Exception):
    """A journal problem a person can act on; str() is one line naming the file and what to do."""


class IncidentSummary(Model):
    id: str
    description: str
    opened_at: datetime
    opened_by: str
    status: IncidentStatus
    severity: Severity | None
    last_activity: datetime
    events: int


def default_actor(env: Mapping[str, str] | None = None) -> str:
    """`user@host`, plus ` from <ip>` when the session came in over SSH."""
    env = os.environ if env is None else env
    user = next((env[k] for k in ("LOGNAME", "USER", "LNAME", "USERNAME") if env.get(k)), "") or _account()
    actor = f"{user}@{socket.gethostname()}"
    for var in ("SSH_CONNECTION", "SSH_CLIENT"):
        fields = env.get(var, "").split()
        if fields:
            return f"{actor} from {fields[0]}"
    return actor


def _account() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return "unknown"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Journal:
    """Open with `Journal.open()`. Safe to share between threads (one connection behind a lock)."""

    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Callable[[], datetime], actor: str) -> None:
        self.path = path
        self.actor = actor
        self._conn = conn
        self._clock = clock
        self._lock = threading.RLock()
        self._data_version = self._pragma_int("data_version")
        self._wrote = False
        self._summaries: dict[str, IncidentSummary] = {}
        self._summary_folds: dict[str, Incident] = {}
        self._summary_seq = 0

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        actor: str | None = None,
    ) -> Journal:
        """Open the journal at `path` (default: paths.journal_path), creating it if missing or empty.

        `clock` gives event times (naive times are read as UTC); `actor` defaults to default_actor().
        """
        target = journal_path(path)
        return cls(_connect(target), target, clock or _utc_now, actor or default_actor())

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- writing ------------------------------------------------------------------------------------

    def open_incident(self, context: IncidentContext, severity: Severity | None = None) -> ev.Event:
        """Start a new incident; its id is unique across every process sharing the file."""
        payload = ev.IncidentOpened(context=context, severity=severity)
        with self._write() as conn:
            at = self._now()
            incident_id = _new_incident_id(at)
            while self._exists(incident_id):
                incident_id = _new_incident_id(at)
            return self._insert(conn, incident_id, at, ev.EventKind.INCIDENT_OPENED, payload)

    def append(self, incident_id: str, kind: ev.EventKind, payload: ev.Payload) -> ev.Event:
        """Record one event; it is on disk when this returns. A payload of the wrong type is a TypeError."""
        expected = ev.PAYLOADS[kind]
        if type(payload) is not expected:
            raise TypeError(f"{kind} takes a {expected.__name__} payload, not {type(payload).__name__}")
        with self._write() as conn:
            if not self._exists(incident_id):
                raise JournalError(f"no incident {incident_id} in journal {self.path}")
            return self._insert(conn, incident_id, self._now(), kind, payload)

    # --- reading ------------------------------------------------------------------------------------

    def events(self, incident_id: str, after_seq: int = 0) -> list[ev.Event]:
        rows = self._query(
            "SELECT seq, incident_id, at, actor, kind, payload FROM events"
            " WHERE incident_id = ? AND seq > ? ORDER BY seq",
            (incident_id, after_seq),
        )
        return [self._event(row) for row in rows]

    def incident(self, incident_id: str) -> Incident:
        events = self.events(incident_id)
        if not events:
            raise JournalError(f"no incident {incident_id} in journal {self.path}")
        return self._catch_up(None, events)

    def refresh(self, incident: Incident) -> Incident:
        """The incident with only the events written since `incident.last_seq` applied."""
        return self._catch_up(incident, self.events(incident.id, after_seq=incident.last_seq))

    def incidents(self) -> list[IncidentSummary]:
        """Every incident, newest first. Catches up incrementally on the events written since the last call."""
        with self._lock:
            self._catch_up_summaries()
            summaries = list(self._summaries.values())
        return sorted(summaries, key=lambda s: (s.opened_at, s.id), reverse=True)

    def open_incidents(self) -> list[IncidentSummary]:
        """Incidents neither resolved nor closed, newest first."""
        return [s for s in self.incidents() if s.status not in _FINISHED]

    def latest_open(self) -> IncidentSummary | None:
        return next(iter(self.open_incidents()), None)

    def resolve_id(self, prefix: str) -> str:
        """The one incident id starting with `prefix` (case-insensitive)."""
        wanted = prefix.strip().casefold()
        if not wanted:
            raise JournalError("give an incident id (or its first characters); `maestro-tui list` shows them")
        ids = [row[0] for row in self._query("SELECT DISTINCT incident_id FROM events", ())]
        exact = [i for i in ids if i.casefold() == wanted]
        matches = exact or sorted(i for i in ids if i.casefold().startswith(wanted))
        if not matches:
            raise JournalError(f"no incident id starts with {prefix.strip()!r} in journal {self.path}")
        if len(matches) > 1:
            shown = ", ".join(matches[:3]) + (", ..." if len(matches) > 3 else "")
            raise JournalError(f"{prefix.strip()!r} matches {len(matches)} incidents ({shown}); give more of the id")
        return matches[0]

    def changed(self) -> bool:
        """True when any connection, this one included, wrote since the previous call."""
        with self._lock:
            version = self._pragma_int("data_version")
            changed = self._wrote or version != self._data_version
            self._data_version = version
            self._wrote = False
            return changed

    # --- internals ----------------------------------------------------------------------------------

    def _now(self) -> datetime:
        at = self._clock()
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, _sqlite_errors(self.path):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            self._wrote = True

    def _exists(self, incident_id: str) -> bool:
        row = self._conn.execute("SELECT 1 FROM events WHERE incident_id = ? LIMIT 1", (incident_id,)).fetchone()
        return row is not None

    def _insert(
        self, conn: sqlite3.Connection, incident_id: str, at: datetime, kind: ev.EventKind, payload: ev.Payload
    ) -> ev.Event:
        text = payload.model_dump_json()
        stored = ev.PAYLOADS[kind].model_validate_json(text)
        cursor = conn.execute(
            "INSERT INTO events (incident_id, at, actor, kind, payload) VALUES (?, ?, ?, ?, ?)",
            (incident_id, at.isoformat(timespec="microseconds"), self.actor, kind.value, text),
        )
        assert cursor.lastrowid is not None
        return ev.Event(
            seq=cursor.lastrowid, incident_id=incident_id, at=at, actor=self.actor, kind=kind, payload=stored
        )

    def _query(self, sql: str, params: tuple[object, ...]) -> list[tuple[Any, ...]]:
        with self._lock, _sqlite_errors(self.path):
            return self._conn.execute(sql, params).fetchall()

    def _pragma_int(self, name: str) -> int:
        return int(self._query(f"PRAGMA {name}", ())[0][0])

    def _event(self, row: tuple[Any, ...]) -> ev.Event:
        seq, incident_id, at, actor, kind, payload = row
        try:
            return ev.Event.from_row(seq, incident_id, datetime.fromisoformat(at), actor, kind, json.loads(payload))
        except (ValueError, ValidationError) as exc:
            reason = _one_line(exc)
            raise JournalError(
                f"journal {self.path} has a corrupt event at seq {seq} ({reason}); {MOVE_ASIDE}"
            ) from None

    def _catch_up(self, incident: Incident | None, events: list[ev.Event]) -> Incident:
        """Fold `events` onto `incident` (from scratch when it is None), sharing what they leave unchanged."""
        try:
            return advance(incident, events)
        except FoldError as exc:
            raise JournalError(f"journal {self.path} is inconsistent ({exc}); {MOVE_ASIDE}") from None

    def _catch_up_summaries(self) -> None:
        rows = self._query(
            "SELECT seq, incident_id, at, actor, kind,"
            f" CASE WHEN kind IN ({_SUMMARY_KIND_LIST}) THEN payload END FROM events"
            " WHERE seq > ? ORDER BY seq",
            (self._summary_seq,),
        )
        if not rows:
            return
        fresh: dict[str, list[ev.Event]] = {}
        activity: dict[str, tuple[int, str]] = {}
        for row in rows:
            incident_id, at = row[1], row[2]
            activity[incident_id] = (activity.get(incident_id, (0, at))[0] + 1, at)
            if row[5] is not None:
                fresh.setdefault(incident_id, []).append(self._event(row))
        folds = dict(self._summary_folds)
        for incident_id, events in fresh.items():
            folds[incident_id] = self._catch_up(folds.get(incident_id), events)
        summaries = {i: self._summary(folds.get(i), i, count, at) for i, (count, at) in activity.items()}
        self._summary_folds = folds
        self._summaries.update(summaries)
        self._summary_seq = rows[-1][0]

    def _summary(self, folded: Incident | None, incident_id: str, new_events: int, last_at: str) -> IncidentSummary:
        if folded is None:
            raise JournalError(
                f"journal {self.path} is inconsistent (incident {incident_id} was never opened); {MOVE_ASIDE}"
            )
        try:
            last_activity = datetime.fromisoformat(last_at)
        except ValueError:
            raise JournalError(f"journal {self.path} has a corrupt time {last_at!r}; {MOVE_ASIDE}") from None
        before = self._summaries.get(incident_id)
        return IncidentSummary(
            id=incident_id,
            description=folded.context.description,
            opened_at=folded.opened_at,
            opened_by=folded.opened_by,
            status=folded.status,
            severity=folded.severity,
            last_activity=last_activity,
            events=new_events + (before.events if before else 0),
        )


def _new_incident_id(at: datetime) -> str:
    return f"INC-{at:%Y%m%d-%H%M}-{secrets.token_hex(2)}"


def _one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "payload"
        return f"{where}: {first['msg']}"
    return " ".join(str(exc).split())


# --- opening: create, or validate without ever writing to a file that is not ours ------------------


def _connect(path: Path) -> sqlite3.Connection:
    if not _create(path):
        _check_existing(path)
    with _sqlite_errors(path):
        conn = _sqlite_connect(path)
    try:
        with _sqlite_errors(path):
            if _is_empty(conn):
                _initialise(conn)
            _validate(conn, path)
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise JournalError(
                    f"journal {path} cannot use write-ahead logging (mode {mode}); pass --journal on a local disk"
                )
            conn.execute("PRAGMA synchronous = FULL")
    except BaseException:
        conn.close()
        raise
    return conn


def _sqlite_connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)


def _create(path: Path) -> bool:
    """Make a new journal appear whole: built beside `path` (mode 0600), then hard-linked into place.

    False when `path` already exists; a 0-byte file is then initialised in place, under SQLite's lock.
    """
    if path.is_dir():
        raise JournalError(f"journal {path} is a directory; pass --journal with a file path")
    if path.exists():
        return False
    scratch = path.with_name(f".{path.name}.{secrets.token_hex(4)}.new")
    try:
        _make_dirs(path.parent)
        os.close(os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        with _sqlite_errors(path):
            conn = _sqlite_connect(scratch)
            try:
                _initialise(conn)
                conn.execute("PRAGMA journal_mode = WAL")
            finally:
                conn.close()
        os.link(scratch, path)
    except FileExistsError:
        return False
    except OSError as exc:
        raise JournalError(
            f"journal {path} cannot be created ({exc.strerror}); pass --journal with a writable path"
        ) from None
    finally:
        scratch.unlink(missing_ok=True)
    return True


def _make_dirs(directory: Path) -> None:
    """Create the missing directories, each 0700."""
    missing = [d for d in (directory, *directory.parents) if not d.exists()]
    for d in reversed(missing):
        d.mkdir(exist_ok=True)
        d.chmod(0o700)


def _check_existing(path: Path) -> None:
    """Reject, from the bytes alone, files that are not a maestro journal or are cut short.

    A 0-byte file counts as a new journal: it gets mode 0600 and is initialised once connected.
    """
    try:
        size = path.stat().st_size
        if size == 0:
            path.chmod(0o600)
            return
        with path.open("rb") as f:
            head = f.read(100)
    except OSError as exc:
        raise JournalError(
            f"journal {path} cannot be read ({exc.strerror}); fix its permissions or pass --journal NEW_PATH"
        ) from None
    if not head.startswith(_SQLITE_MAGIC):
        raise JournalError(f"journal {path} is not a maestro journal (file is not a database); {MOVE_ASIDE}")
    if len(head) < 100:
        raise JournalError(f"journal {path} is damaged (file is truncated); {MOVE_ASIDE}")
    if int.from_bytes(head[68:72], "big", signed=True) != APPLICATION_ID:
        raise JournalError(
            f"journal {path} is not a maestro journal (SQLite database of another application); {MOVE_ASIDE}"
        )
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    expected = pages * page_size
    size_is_valid = head[24:28] == head[92:96]
    # With pages in the write-ahead log, or a checkpoint under way, the main file may be shorter for now.
    if size_is_valid and size < expected and not _wal_holds_pages(path) and _size(path) < expected:
        raise JournalError(f"journal {path} is damaged (file is truncated: {size} of {expected} bytes); {MOVE_ASIDE}")


def _wal_holds_pages(path: Path) -> bool:
    return _size(path.with_name(path.name + "-wal")) > 0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _initialise(conn: sqlite3.Connection) -> None:
    """Create the schema unless another process got there first."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if _is_empty(conn):
            for statement in _SCHEMA:
                conn.execute(statement)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _is_empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def _validate(conn: sqlite3.Connection, path: Path) -> None:
    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        raise JournalError(
            f"journal {path} is not a maestro journal (SQLite database of another application); {MOVE_ASIDE}"
        )
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"meta", "events"} <= tables:
        raise JournalError(f"journal {path} is damaged (its tables are missing); {MOVE_ASIDE}")
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    try:
        version = int(row[0])
    except (TypeError, ValueError):
        raise JournalError(f"journal {path} is damaged (no schema version); {MOVE_ASIDE}") from None
    if version > SCHEMA_VERSION:
        raise JournalError(
            f"journal {path} was written by a newer maestro-tui (schema {version}, this one reads"
            f" {SCHEMA_VERSION}); upgrade maestro-tui or pass --journal NEW_PATH"
        )


@contextmanager
def _sqlite_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise JournalError(_describe(path, exc)) from None


def _describe(path: Path, exc: sqlite3.Error) -> str:
    name = getattr(exc, "sqlite_errorname", "")
    detail = " ".join(str(exc).split())
    if name == "SQLITE_NOTADB":
        return f"journal {path} is not a maestro journal (file is not a database); {MOVE_ASIDE}"
    if name == "SQLITE_CORRUPT":
        return f"journal {path} is damaged ({detail}); {MOVE_ASIDE}"
    if name == "SQLITE_BUSY":
        return f"journal {path} is locked by another process for over {BUSY_TIMEOUT_S:.0f} s; try again"
    if name == "SQLITE_FULL":
        return f"journal {path} cannot grow (disk full); free some space and try again"
    if name in ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"):
        return f"journal {path} cannot be written ({detail}); fix its permissions or pass --journal NEW_PATH"
    return f"journal {path}: {detail}"
