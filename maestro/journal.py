"""The append-only incident journal: one SQLite file (WAL) shared by every maestro-tui process on a host.

Durability: synchronous=FULL in WAL mode, so an acknowledged event survives a killed writer and a power loss.
Threads: one connection opened with check_same_thread=False, every call serialised by a lock.
Trouble: on a full disk, a read-only filesystem or without write permission the journal opens read-only,
says why (`not_saving`), refuses appends in one line and goes back to writing once it can.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from pydantic import ValidationError

from maestro import events as ev
from maestro import start_time
from maestro.incident import FoldError, Incident, advance
from maestro.model import IncidentContext, IncidentStatus, Model, Severity
from maestro.paths import journal_path
from maestro.redact import redact_obj

APPLICATION_ID = 0x4D414553  # "MAES" in the SQLite header: tells a maestro journal from any other database
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 10.0
MOVE_ASIDE = "move it aside or pass --journal NEW_PATH"
SWARM_LEASE_S = 15.0
"""A process that journaled engine events keeps the right to journal them this long after its last batch."""
RETRY_WRITABLE_S = 5.0
"""How often `retry_writable` tries again to write a journal that was opened read-only."""
LOW_SPACE_BYTES = 1 << 20
"""Below this much free space, a failed write is put down to a full disk."""

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

    sqlite_error = ""
    """The SQLite error name (SQLITE_FULL) when SQLite raised it."""


@dataclass(frozen=True)
class NotSaving:
    """Why the journal cannot be written now, and what brings saving back; str() is the one line to show."""

    cause: str
    fix: str

    def __str__(self) -> str:
        return f"not saving: {self.cause} — {self.fix} and actions are saved again"


class JournalReadOnly(JournalError):
    """An event refused because the journal cannot be written now (full disk, read-only filesystem)."""

    def __init__(self, reason: NotSaving) -> None:
        super().__init__(str(reason))
        self.reason = reason


class IncidentSummary(Model):
    id: str
    description: str
    opened_at: datetime
    opened_by: str
    status: IncidentStatus
    severity: Severity | None
    last_activity: datetime
    events: int


def default_actor(env: Mapping[str, str] | None = None, *, name: str | None = None) -> str:
    """`person@host`, plus ` from <ip>` when the session came in over SSH.

    The person is `name` (--as, the config) when given, else the login behind the account: under sudo or
    `su` the root account is shared, so SUDO_USER or the terminal's login name tells the responders apart.
    A `name` with an @ is taken whole.
    """
    env = os.environ if env is None else env
    if name and "@" in name:
        return name.strip()
    user = next((env[k] for k in ("LOGNAME", "USER", "LNAME", "USERNAME") if env.get(k)), "") or _account()
    if user == "root":
        user = env.get("SUDO_USER") or _terminal_login() or user
    actor = f"{(name or '').strip() or user}@{socket.gethostname()}"
    for var in ("SSH_CONNECTION", "SSH_CLIENT"):
        fields = env.get(var, "").split()
        if fields:
            return f"{actor} from {fields[0]}"
    return actor


def _terminal_login() -> str:
    """Who logged in on this terminal (utmp), which `sudo -i` and `su` do not change; empty without one."""
    try:
        return os.getlogin()
    except OSError:
        return ""


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

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        clock: Callable[[], datetime],
        actor: str,
        not_saving: NotSaving | None = None,
    ) -> None:
        self.path = path
        self.actor = actor
        self._conn = conn
        self._not_saving = not_saving
        self._read_only = not_saving is not None
        self._retry_at = time.monotonic() + RETRY_WRITABLE_S
        self._holder = f"{os.getpid()}.{secrets.token_hex(4)}"
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
        conn, not_saving = _connect(target)
        return cls(conn, target, clock or _utc_now, actor or default_actor(), not_saving)

    @property
    def not_saving(self) -> NotSaving | None:
        """Why events cannot be saved now (opened read-only, or the last write failed); None while they can."""
        return self._not_saving

    def retry_writable(self, *, force: bool = False) -> bool:
        """Try again to write, at most every RETRY_WRITABLE_S unless forced; True when events are saved again.

        A journal opened read-only is reopened read-write; one whose last write failed is tried by the next append.
        """
        with self._lock:
            if self._not_saving is None:
                return True
            now = time.monotonic()
            if not force and now < self._retry_at:
                return False
            self._retry_at = now + RETRY_WRITABLE_S
            if not self._read_only:
                # The connection can write; only the last write failed. Once there is room the next append tries.
                self._not_saving = _write_trouble(self.path, low_space=1)
                return self._not_saving is None
            try:
                conn = _connect_writable(self.path)
            except (JournalError, sqlite3.Error, OSError):
                if (trouble := _write_trouble(self.path)) is not None:
                    self._not_saving = trouble
                return False
            self._conn.close()
            self._conn = conn
            self._read_only = False
            self._not_saving = None
            self._data_version = self._pragma_int("data_version")
            self._wrote = True
            return True

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
        """Start a new incident; its id is unique across every process sharing the file.

        When it began is read from the words now, while "20 minutes ago" still means something.
        """
        with self._write() as conn:
            at = self._now()
            payload = ev.IncidentOpened(context=start_time.dated(context, at), severity=severity)
            incident_id = _new_incident_id(at)
            while self._exists(incident_id):
                incident_id = _new_incident_id(at)
            return self._insert(conn, incident_id, at, ev.EventKind.INCIDENT_OPENED, payload)

    def append(self, incident_id: str, kind: ev.EventKind, payload: ev.Payload) -> ev.Event:
        """Record one event; it is on disk when this returns. A payload of the wrong type is a TypeError."""
        return self.append_together(incident_id, [(kind, payload)])[0]

    def append_together(self, incident_id: str, events: Sequence[tuple[ev.EventKind, ev.Payload]]) -> list[ev.Event]:
        """Record events that mean one thing (a triage and the ticks it carries): all on disk, or none."""
        for kind, payload in events:
            expected = ev.PAYLOADS[kind]
            if type(payload) is not expected:
                raise TypeError(f"{kind} takes a {expected.__name__} payload, not {type(payload).__name__}")
        with self._write() as conn:
            if not self._exists(incident_id):
                raise JournalError(f"no incident {incident_id} in journal {self.path}")
            at = self._now()
            return [self._insert(conn, incident_id, at, kind, payload) for kind, payload in events]

    def toggle(self, incident_id: str, payload: ev.ItemTicked | ev.PhaseTicked) -> ev.Event:
        """Tick the item (or phase) if it is open, reopen it if it is ticked: decided from the journal inside the
        write, so fast presses and other responders' ticks alternate instead of repeating one stale choice."""
        if isinstance(payload, ev.ItemTicked):
            on, off, field, name = ev.EventKind.ITEM_TICKED, ev.EventKind.ITEM_UNTICKED, "item", payload.item
        else:
            on, off, field, name = ev.EventKind.PHASE_TICKED, ev.EventKind.PHASE_UNTICKED, "phase", payload.phase
        with self._write() as conn:
            if not self._exists(incident_id):
                raise JournalError(f"no incident {incident_id} in journal {self.path}")
            row = conn.execute(
                "SELECT kind FROM events WHERE incident_id = ? AND kind IN (?, ?)"
                f" AND json_extract(payload, '$.{field}') = ? ORDER BY seq DESC LIMIT 1",
                (incident_id, on.value, off.value, name),
            ).fetchone()
            kind = off if row is not None and row[0] == on.value else on
            return self._insert(conn, incident_id, self._now(), kind, payload)

    def append_swarm_events(self, incident_id: str, news: list[ev.SwarmEvent]) -> list[ev.Event]:
        """Journal engine events once for all the processes following the same incident.

        Every process hears the same engine; the one that journaled the incident's engine events within the
        last SWARM_LEASE_S keeps doing it, and the others' copies are dropped (returns []).
        """
        if not news:
            return []
        key = f"swarm_events_lease.{incident_id}"
        with self._write() as conn:
            if not self._exists(incident_id):
                raise JournalError(f"no incident {incident_id} in journal {self.path}")
            now = time.time()
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            holder, until = _lease(row[0] if row else "")
            if holder not in ("", self._holder) and until > now:
                return []
            lease = json.dumps({"holder": self._holder, "until": now + SWARM_LEASE_S})
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, lease))
            at = self._now()
            return [self._insert(conn, incident_id, at, ev.EventKind.SWARM_EVENT, payload) for payload in news]

    def append_once(self, incident_id: str, kind: ev.EventKind, payload: ev.Payload, key: str) -> ev.Event | None:
        """Record the event unless one of this kind with the same `key` field is already there (None then).

        The check and the insert share one write transaction, so two processes cannot both record it.
        """
        expected = ev.PAYLOADS[kind]
        if type(payload) is not expected:
            raise TypeError(f"{kind} takes a {expected.__name__} payload, not {type(payload).__name__}")
        if key not in type(payload).model_fields:
            raise TypeError(f"{expected.__name__} has no field {key!r}")
        with self._write() as conn:
            if not self._exists(incident_id):
                raise JournalError(f"no incident {incident_id} in journal {self.path}")
            found = conn.execute(
                "SELECT 1 FROM events WHERE incident_id = ? AND kind = ? AND json_extract(payload, ?) = ? LIMIT 1",
                (incident_id, kind.value, f"$.{key}", getattr(payload, key)),
            ).fetchone()
            if found is not None:
                return None
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
        with self._lock:
            if self._read_only and not self.retry_writable(force=True):
                assert self._not_saving is not None
                raise JournalReadOnly(self._not_saving)
            try:
                with _sqlite_errors(self.path):
                    self._conn.execute("BEGIN IMMEDIATE")
                    try:
                        yield self._conn
                        self._conn.execute("COMMIT")
                    except BaseException:
                        if self._conn.in_transaction:
                            self._conn.execute("ROLLBACK")
                        raise
            except JournalError as exc:
                if _is_write_failure(exc.sqlite_error) and (trouble := _write_trouble(self.path)) is not None:
                    self._not_saving = trouble
                    raise JournalReadOnly(trouble) from None
                raise
            self._not_saving = None
            self._wrote = True

    def _exists(self, incident_id: str) -> bool:
        row = self._conn.execute("SELECT 1 FROM events WHERE incident_id = ? LIMIT 1", (incident_id,)).fetchone()
        return row is not None

    def _insert(
        self, conn: sqlite3.Connection, incident_id: str, at: datetime, kind: ev.EventKind, payload: ev.Payload
    ) -> ev.Event:
        # Journals are exported and copied between nodes: secrets never reach the file.
        text = redact_obj(payload).model_dump_json()
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


def _lease(value: str) -> tuple[str, float]:
    """(holder, until) of a lease row; an unreadable one counts as no lease."""
    try:
        data = json.loads(value)
        return str(data["holder"]), float(data["until"])
    except (ValueError, TypeError, KeyError):
        return "", 0.0


def _new_incident_id(at: datetime) -> str:
    return f"INC-{at:%Y%m%d-%H%M}-{secrets.token_hex(2)}"


def _one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "payload"
        return f"{where}: {first['msg']}"
    return " ".join(str(exc).split())


# --- opening: create, or validate without ever writing to a file that is not ours ------------------


def _connect(path: Path) -> tuple[sqlite3.Connection, NotSaving | None]:
    """A read-write connection; a read-only one (and why) when the file is a journal that cannot be written."""
    created = _create(path)
    if not created:
        _check_existing(path)
    try:
        conn = _connect_writable(path)
    except JournalError as exc:
        fresh = created or _size(path) == 0
        trouble = None if fresh or not _is_write_failure(exc.sqlite_error) else _write_trouble(path)
        if trouble is None:
            raise
        return _connect_read_only(path, trouble), trouble
    # Opened by another process, a journal can be opened for writing on a full disk; say so before a write fails.
    return conn, _write_trouble(path, low_space=1)


def _connect_writable(path: Path) -> sqlite3.Connection:
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


def _connect_read_only(path: Path, trouble: NotSaving) -> sqlite3.Connection:
    """Read-only; without a shared-memory index (it cannot be made on a full or read-only disk) the file is
    read as immutable, which is safe only when its write-ahead log holds nothing."""
    uri = path.as_uri()
    try:
        return _validated(sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False), path)
    except sqlite3.Error:
        pass
    wal = path.with_name(path.name + "-wal")
    if _size(wal) > 0:
        raise JournalError(
            f"journal {path} cannot be read: {trouble.cause} and {wal.name} holds events not yet in the file;"
            f" {trouble.fix}, then try again"
        )
    with _sqlite_errors(path):
        return _validated(sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False), path)


def _validated(conn: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    try:
        _validate(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def _write_trouble(path: Path, low_space: int = LOW_SPACE_BYTES) -> NotSaving | None:
    """Why `path` cannot be written, if it is the disk (full: under `low_space` bytes free; read-only) or the
    permissions; else None."""
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is None:
        return None
    try:
        stats = os.statvfs(existing)
    except OSError:
        return None
    if stats.f_flag & os.ST_RDONLY:
        return NotSaving(f"{_mount_point(existing)} is mounted read-only", "remount it read-write")
    if stats.f_bavail * stats.f_frsize < low_space or (stats.f_files > 0 and stats.f_favail == 0):
        return NotSaving(f"disk full on {_mount_point(existing)}", "free space")
    folder = path.parent if path.parent.exists() else existing
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return NotSaving(f"no permission to write {path}", "fix its permissions")
    return None


def _mount_point(path: Path) -> Path:
    """The mount point holding `path`: the longest mount in /proc/self/mountinfo above it (bind mounts too)."""
    path = path.resolve()
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        lines = []
    mounts = [_unescape(line.split()[4]) for line in lines if len(line.split()) > 4]
    above = [Path(m) for m in mounts if path == Path(m) or Path(m) in path.parents]
    return max(above, key=lambda m: len(m.parts), default=Path(path.anchor))


def _unescape(field: str) -> str:
    """Mount points in mountinfo escape space, tab, newline and backslash as octal."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


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
    made = False
    try:
        _make_dirs(path.parent)
        os.close(os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        made = True
        conn = _sqlite_connect(scratch)
        try:
            _initialise(conn)
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
        os.link(scratch, path)
    except FileExistsError:
        return False
    except (OSError, sqlite3.Error) as exc:
        trouble = _write_trouble(path)
        why = trouble.cause if trouble else getattr(exc, "strerror", None) or " ".join(str(exc).split())
        raise JournalError(f"journal {path} cannot be created ({why}); pass --journal with a writable path") from None
    finally:
        if made:
            for leftover in (scratch, *(scratch.with_name(scratch.name + end) for end in ("-wal", "-shm"))):
                with contextlib.suppress(OSError):
                    leftover.unlink(missing_ok=True)
    return True


def _make_dirs(directory: Path) -> None:
    """Create the missing directories, each 0700; a file in the way is named."""
    for d in (directory, *directory.parents):
        if d.exists() and not d.is_dir():
            raise JournalError(f"journal folder {d} is a file, not a folder; move it aside or pass --journal NEW_PATH")
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


_WRITE_FAILURES = ("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_IOERR")


def _is_write_failure(sqlite_error: str) -> bool:
    """Errors (and their extended codes) that a full disk, a read-only filesystem or missing permissions cause."""
    return bool(sqlite_error) and sqlite_error.startswith(_WRITE_FAILURES)


@contextmanager
def _sqlite_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        error = JournalError(_describe(path, exc))
        error.sqlite_error = getattr(exc, "sqlite_errorname", "")
        raise error from None


def _describe(path: Path, exc: sqlite3.Error) -> str:
    name = getattr(exc, "sqlite_errorname", "")
    detail = " ".join(str(exc).split())
    if name == "SQLITE_NOTADB":
        return f"journal {path} is not a maestro journal (file is not a database); {MOVE_ASIDE}"
    if name == "SQLITE_CORRUPT":
        return f"journal {path} is damaged ({detail}); {MOVE_ASIDE}"
    if name == "SQLITE_BUSY":
        return f"journal {path} is locked by another process for over {BUSY_TIMEOUT_S:.0f} s; try again"
    if _is_write_failure(name) and (trouble := _write_trouble(path)) is not None:
        return f"journal {path} cannot be written: {trouble.cause}; {trouble.fix} and try again"
    if name == "SQLITE_FULL":
        return f"journal {path} cannot grow (disk full); free some space and try again"
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return f"journal {path} cannot be written ({detail}); fix its permissions or pass --journal NEW_PATH"
    return f"journal {path}: {detail}"
