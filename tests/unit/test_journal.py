from __future__ import annotations

import os
import re
import socket
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from maestro import events as ev
from maestro import paths
from maestro.incident import fold
from maestro.journal import APPLICATION_ID, IncidentSummary, Journal, JournalError, default_actor
from maestro.model import (
    Danger,
    Evidence,
    IncidentContext,
    IncidentStatus,
    LogLine,
    NodeInfo,
    ServiceInfo,
    Severity,
    Signal,
    SignalKind,
    TaskInfo,
)
from tests.factories import T0, issue, triage

ACTOR = "ana@node1 from 192.0.2.10"


class StepClock:
    """Each reading is one second and one microsecond after the previous one."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1, microseconds=1)
        return self.now


def open_journal(path: Path, clock: Callable[[], datetime] | None = None, actor: str = ACTOR) -> Journal:
    return Journal.open(path, clock=clock or StepClock(), actor=actor)


@pytest.fixture
def journal_file(tmp_path: Path) -> Path:
    return tmp_path / "state" / "journal.sqlite3"


@pytest.fixture
def journal(journal_file: Path) -> Iterator[Journal]:
    with open_journal(journal_file) as j:
        yield j


def context(description: str = "API returns 500s") -> IncidentContext:
    return IncidentContext(description=description, what_broke="api", user_impact="checkout fails")


def evidence(services: int = 3, log_lines: int = 5) -> Evidence:
    names = [f"svc{n}" for n in range(services)]
    return Evidence(
        collected_at=T0,
        source="swarm",
        engine="Docker 27.3.1",
        services=[ServiceInfo(id=f"id-{n}", name=n, image=f"reg/{n}:1.2", desired=2, running=1) for n in names],
        nodes=[NodeInfo(id="n1", hostname="node1", role="manager", availability="active", state="ready")],
        tasks=[TaskInfo(id=f"t-{n}", service=n, desired_state="running", state="failed", exit_code=137) for n in names],
        signals=[
            Signal(kind=SignalKind.OOM_KILLED, subject=n, detail="exit 137", observed_at=T0, data={"exit_code": "137"})
            for n in names
        ],
        logs=[LogLine(service=names[0], at=T0, text=f"line {i} " + "x" * 200) for i in range(log_lines)],
    )


def sample_payloads() -> list[tuple[ev.EventKind, ev.Payload]]:
    """One payload of every kind, with non-default values wherever the payload has a field."""
    k = ev.EventKind
    return [
        (k.CONTEXT_UPDATED, ev.ContextUpdated(context=context("API and worker return 500s"))),
        (k.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence())),
        (
            k.TRIAGE_GENERATED,
            ev.TriageGenerated(
                triage=triage(issue("swarm.crash_loop", Severity.P0, "worker"), issue("redis.oom", Severity.P1)),
                summary="rules: 2 issues",
            ),
        ),
        (k.TRIAGE_FAILED, ev.TriageFailed(engine="claude", reason="timed out after 30 s")),
        (k.ITEM_TICKED, ev.ItemTicked(item="swarm.crash_loop:worker", label="restart worker")),
        (k.ITEM_UNTICKED, ev.ItemTicked(item="swarm.crash_loop:worker", label="restart worker")),
        (k.PHASE_TICKED, ev.PhaseTicked(phase="assess", label="PAUSE")),
        (k.PHASE_UNTICKED, ev.PhaseTicked(phase="assess")),
        (k.SEVERITY_CHANGED, ev.SeverityChanged(severity=Severity.P1, reason="only EU affected")),
        (k.ESCALATED, ev.Escalated(level=1, role="Team Lead", name="Dana", contact="+1 555", reason="30 min")),
        (k.STATUS_UPDATE_DRAFTED, ev.StatusUpdateDrafted(number=1, text="Investigating: API errors")),
        (k.STATUS_UPDATE_SENT, ev.StatusUpdateSent(number=1, text="Identified: API errors", channels=["incidents"])),
        (
            k.ESCALATION_RULE_FIRED,
            ev.EscalationRuleFired(
                rule="multiple_services", level=2, role="Infrastructure Manager", reason="multiple services failing"
            ),
        ),
        (
            k.NOTIFICATION_SENT,
            ev.NotificationSent(
                channel="pager", channel_kind="pagerduty", notice="escalation", ok=False, attempts=3, detail="HTTP 500"
            ),
        ),
        (k.CONDITION_REPORTED, ev.ConditionReported(condition=ev.Condition.DATA_LOSS, note="orders table")),
        (k.NOTE_ADDED, ev.NoteAdded(text="worker logs show OOM; ünïcode ✓ and 'quotes' \"too\"\nsecond line")),
        (
            k.COMMAND_COPIED,
            ev.CommandCopied(command="docker service rollback api", danger=Danger.MUTATING, issue_id="x:api"),
        ),
        (k.SWARM_EVENT, ev.SwarmEvent(subject="api", text="task failed: exit 137")),
        (k.ROOT_CAUSE_CONFIRMED, ev.RootCauseConfirmed(issue_id="swarm.crash_loop:worker", note="logs agree")),
        (k.RESOLVED, ev.Resolved(resolution="rolled back api to 1.2")),
        (k.REPORTS_EXPORTED, ev.ReportsExported(folder="/tmp/reports/INC-1", files=["report.md", "timeline.md"])),
        (k.INCIDENT_CLOSED, ev.IncidentClosed()),
    ]


# --- round trip -----------------------------------------------------------------------------------


def test_every_kind_round_trips_through_a_new_connection(journal_file: Path) -> None:
    clock = StepClock()
    with open_journal(journal_file, clock) as journal:
        opened = journal.open_incident(context(), Severity.P0)
        written = [opened] + [journal.append(opened.incident_id, kind, p) for kind, p in sample_payloads()]
    assert {e.kind for e in written} == set(ev.EventKind)

    with open_journal(journal_file, actor="someone-else@elsewhere") as reader:
        read = reader.events(opened.incident_id)
    assert read == written
    assert [e.payload for e in read[1:]] == [p for _, p in sample_payloads()]
    assert read[0].payload == ev.IncidentOpened(context=context(), severity=Severity.P0)
    assert {e.actor for e in read} == {ACTOR}
    assert [e.at for e in read] == [T0 + timedelta(seconds=n, microseconds=n) for n in range(1, len(read) + 1)]
    assert [e.seq for e in read] == sorted({e.seq for e in read})


def test_time_is_stored_as_iso_utc_with_microseconds(journal_file: Path) -> None:
    plus_two = timezone(timedelta(hours=2))
    local_times = iter([datetime(2026, 11, 26, 7, 32, 0, 5, tzinfo=plus_two), datetime(2026, 11, 26, 5, 40)])
    with Journal.open(journal_file, clock=lambda: next(local_times), actor=ACTOR) as journal:
        opened = journal.open_incident(context())
        note = journal.append(opened.incident_id, ev.EventKind.NOTE_ADDED, ev.NoteAdded(text="naive clock"))
    assert opened.incident_id.startswith("INC-20261126-0532-")
    with sqlite3.connect(journal_file) as raw:
        stamps = [row[0] for row in raw.execute("SELECT at FROM events ORDER BY seq")]
    raw.close()
    assert stamps == ["2026-11-26T05:32:00.000005+00:00", "2026-11-26T05:40:00.000000+00:00"]
    assert note.at == datetime(2026, 11, 26, 5, 40, tzinfo=UTC)


def test_incident_ids_are_dated_and_unique(journal: Journal) -> None:
    same_minute = datetime(2026, 11, 26, 5, 32, 7, tzinfo=UTC)
    journal_ids = []
    with Journal.open(journal.path, clock=lambda: same_minute, actor=ACTOR) as other:
        for n in range(60):
            journal_ids.append(other.open_incident(context(f"incident {n}")).incident_id)
    assert len(set(journal_ids)) == 60
    assert all(re.fullmatch(r"INC-20261126-0532-[0-9a-f]{4}", i) for i in journal_ids)


# --- folding ----------------------------------------------------------------------------------------


def busy_incident(journal: Journal) -> str:
    """An incident that goes through every status, with a triage that has P0 work to tick."""
    incident_id = journal.open_incident(context()).incident_id
    k = ev.EventKind
    p0 = issue("swarm.crash_loop", Severity.P0, "worker")
    steps: list[tuple[ev.EventKind, ev.Payload]] = [
        (k.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence())),
        (k.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(p0, issue("redis.oom", Severity.P1, "cache")))),
        (k.PHASE_TICKED, ev.PhaseTicked(phase="assess")),
        (k.NOTE_ADDED, ev.NoteAdded(text="restarting worker")),
        (k.ESCALATED, ev.Escalated(level=1, role="Team Lead")),
        (k.ITEM_TICKED, ev.ItemTicked(item=p0.id)),
        (k.SEVERITY_CHANGED, ev.SeverityChanged(severity=Severity.P1)),
        (k.STATUS_UPDATE_DRAFTED, ev.StatusUpdateDrafted(number=1, text="mitigated")),
        (k.RESOLVED, ev.Resolved(resolution="fixed")),
        (k.REPORTS_EXPORTED, ev.ReportsExported(folder="/r", files=["a.md"])),
        (k.INCIDENT_CLOSED, ev.IncidentClosed()),
    ]
    for kind, payload in steps:
        journal.append(incident_id, kind, payload)
    return incident_id


def test_incident_is_the_fold_of_its_events(journal: Journal) -> None:
    incident_id = busy_incident(journal)
    incident = journal.incident(incident_id)
    assert incident == fold(journal.events(incident_id))
    assert incident.status is IncidentStatus.CLOSED
    assert incident.mitigated_at is not None and incident.mitigated_at < incident.resolved_at  # type: ignore[operator]


def test_refresh_from_any_point_equals_the_full_fold(journal: Journal) -> None:
    incident_id = busy_incident(journal)
    events = journal.events(incident_id)
    full = journal.incident(incident_id)
    for n in range(1, len(events) + 1):
        partial = fold(events[:n])
        assert journal.refresh(partial) == full, f"refresh after {n} events"
    assert journal.refresh(full) == full


def test_refresh_follows_writes_as_they_happen(journal_file: Path) -> None:
    with open_journal(journal_file) as viewer, open_journal(journal_file, actor="bo@node2") as writer:
        incident_id = writer.open_incident(context()).incident_id
        seen = viewer.incident(incident_id)
        for n in range(5):
            writer.append(incident_id, ev.EventKind.NOTE_ADDED, ev.NoteAdded(text=f"note {n}"))
            seen = viewer.refresh(seen)
            assert [note.text for note in seen.notes] == [f"note {i}" for i in range(n + 1)]
        assert seen == writer.incident(incident_id)


# --- listing ----------------------------------------------------------------------------------------


def expected_summary(journal: Journal, incident_id: str) -> IncidentSummary:
    events = journal.events(incident_id)
    incident = fold(events)
    return IncidentSummary(
        id=incident_id,
        description=incident.context.description,
        opened_at=incident.opened_at,
        opened_by=incident.opened_by,
        status=incident.status,
        severity=incident.severity,
        last_activity=events[-1].at,
        events=len(events),
    )


def test_summaries_agree_with_full_folds(journal: Journal) -> None:
    k = ev.EventKind
    closed = busy_incident(journal)
    plain = journal.open_incident(context("disk full on node2"), Severity.P2).incident_id
    renamed = journal.open_incident(context("slow queries")).incident_id
    journal.append(renamed, k.CONTEXT_UPDATED, ev.ContextUpdated(context=context("slow queries on orders db")))
    journal.append(renamed, k.EVIDENCE_CAPTURED, ev.EvidenceCaptured(evidence=evidence()))
    mitigated = journal.open_incident(context("worker crash loop")).incident_id
    p0 = issue("swarm.crash_loop", Severity.P0, "worker")
    journal.append(mitigated, k.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage(p0)))
    journal.append(mitigated, k.ITEM_TICKED, ev.ItemTicked(item=p0.id))
    journal.append(mitigated, k.SWARM_EVENT, ev.SwarmEvent(subject="worker", text="running again"))

    summaries = journal.incidents()
    assert summaries == [expected_summary(journal, i) for i in (mitigated, renamed, plain, closed)]
    assert [s.status for s in summaries] == ["mitigated", "open", "open", "closed"]
    assert summaries[1].description == "slow queries on orders db"


def test_summaries_catch_up_with_other_writers(journal_file: Path) -> None:
    with open_journal(journal_file) as viewer, open_journal(journal_file, actor="bo@node2") as writer:
        first = writer.open_incident(context("first")).incident_id
        assert [s.id for s in viewer.incidents()] == [first]
        second = writer.open_incident(context("second")).incident_id
        writer.append(first, ev.EventKind.SEVERITY_CHANGED, ev.SeverityChanged(severity=Severity.P0))
        writer.append(first, ev.EventKind.NOTE_ADDED, ev.NoteAdded(text="n"))
        writer.append(second, ev.EventKind.RESOLVED, ev.Resolved(resolution="done"))
        assert viewer.incidents() == [expected_summary(viewer, second), expected_summary(viewer, first)]
        assert viewer.incidents()[1].severity is Severity.P0


def test_open_incidents_and_latest_open(journal: Journal) -> None:
    assert journal.incidents() == [] and journal.latest_open() is None
    older = journal.open_incident(context("older")).incident_id
    resolved = journal.open_incident(context("resolved")).incident_id
    journal.append(resolved, ev.EventKind.RESOLVED, ev.Resolved(resolution="ok"))
    closed = busy_incident(journal)
    assert [s.id for s in journal.incidents()] == [closed, resolved, older]
    assert [s.id for s in journal.open_incidents()] == [older]
    assert journal.latest_open() == journal.open_incidents()[0]
    newer = journal.open_incident(context("newer")).incident_id
    latest = journal.latest_open()
    assert latest is not None and latest.id == newer


def test_listing_200_incidents_with_big_evidence_is_quick(journal_file: Path) -> None:
    big = ev.EvidenceCaptured(evidence=evidence(services=40, log_lines=200))
    with open_journal(journal_file) as writer:
        raw_start = time.perf_counter()
        for n in range(200):
            incident_id = writer.open_incident(context(f"incident {n}")).incident_id
            writer.append(incident_id, ev.EventKind.EVIDENCE_CAPTURED, big)
            writer.append(incident_id, ev.EventKind.NOTE_ADDED, ev.NoteAdded(text="n"))
        append_s = time.perf_counter() - raw_start
    size_mb = journal_file.stat().st_size / 1e6
    with open_journal(journal_file) as reader:
        start = time.perf_counter()
        summaries = reader.incidents()
        cold = time.perf_counter() - start
        start = time.perf_counter()
        assert reader.incidents() == summaries
        warm = time.perf_counter() - start
        start = time.perf_counter()
        full = [reader.incident(s.id) for s in summaries]
        folding_all = time.perf_counter() - start
    assert len(summaries) == 200 and all(s.events == 3 for s in summaries)
    assert [s.status for s in summaries] == [i.status for i in full]
    print(
        f"\n600 appends {600 / append_s:.0f} events/s; journal {size_mb:.1f} MB; incidents() cold {cold * 1e3:.0f} ms,"
        f" warm {warm * 1e3:.1f} ms; folding all 200 in full {folding_all * 1e3:.0f} ms"
    )
    assert cold < folding_all / 2
    assert warm < 0.05


# --- ids, change detection ---------------------------------------------------------------------------


def test_resolve_id_takes_a_unique_prefix(journal_file: Path) -> None:
    opened = ev.IncidentOpened(context=context()).model_dump_json()
    with open_journal(journal_file) as journal:
        with sqlite3.connect(journal_file) as raw:  # ids chosen so that their prefixes collide
            raw.executemany(
                "INSERT INTO events (incident_id, at, actor, kind, payload) VALUES (?, ?, 'x', 'incident_opened', ?)",
                [
                    (incident_id, T0.isoformat(), opened)
                    for incident_id in ("INC-20261126-0532-ab12", "INC-20261126-0532-ab34", "INC-20261127-0900-0f0f")
                ],
            )
        raw.close()
        assert journal.resolve_id("INC-20261126-0532-ab12") == "INC-20261126-0532-ab12"
        assert journal.resolve_id("inc-20261126-0532-AB3") == "INC-20261126-0532-ab34"
        assert journal.resolve_id(" INC-20261127 ") == "INC-20261127-0900-0f0f"
        for prefix, message in [
            ("INC-20261126", "matches 2 incidents"),
            ("INC-2025", "no incident id starts with"),
            ("  ", "give an incident id"),
        ]:
            with pytest.raises(JournalError, match=message) as info:
                journal.resolve_id(prefix)
            assert "\n" not in str(info.value)


def test_changed_sees_writes_of_other_connections_and_its_own(journal_file: Path) -> None:
    with open_journal(journal_file) as viewer, open_journal(journal_file) as writer:
        assert viewer.changed() is False
        incident_id = writer.open_incident(context()).incident_id
        assert viewer.changed() is True
        assert viewer.changed() is False
        viewer.append(incident_id, ev.EventKind.NOTE_ADDED, ev.NoteAdded(text="mine"))
        assert viewer.changed() is True
        assert viewer.changed() is False
        assert writer.changed() is True


# --- the file ---------------------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_journal_and_its_directories_are_private(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "journal.sqlite3"
    with open_journal(path) as journal:
        journal.open_incident(context())
        wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
        assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
        assert (mode(tmp_path / "a"), mode(tmp_path / "a" / "b")) == (0o700, 0o700)
        assert sorted(p.name for p in path.parent.iterdir()) == sorted([path.name, wal.name, shm.name])
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
            assert dict(raw.execute("SELECT key, value FROM meta"))["schema_version"] == "1"
        raw.close()


def test_existing_directory_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    with open_journal(tmp_path / "journal.sqlite3"):
        pass
    assert mode(tmp_path) == 0o755
    assert mode(tmp_path / "journal.sqlite3") == 0o600


def test_events_cannot_be_updated_or_deleted(journal: Journal) -> None:
    incident_id = busy_incident(journal)
    before = journal.events(incident_id)
    with sqlite3.connect(journal.path) as raw:
        for statement in ("UPDATE events SET actor = 'mallory'", "DELETE FROM events WHERE seq = 1"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                raw.execute(statement)
    raw.close()
    assert journal.events(incident_id) == before


def make_garbage(path: Path) -> None:
    path.write_bytes(os.urandom(20_000))


def make_text(path: Path) -> None:
    path.write_text("incident notes\n" * 100)


def make_sqlite_prefix(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00\x10\x00")


def make_foreign(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.executescript(
        "PRAGMA application_id = 1234; CREATE TABLE events (seq INTEGER, incident_id TEXT);"
        "CREATE TABLE accounts (name TEXT); INSERT INTO accounts VALUES ('x');"
    )
    raw.close()


def make_foreign_without_id(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.executescript("PRAGMA journal_mode = WAL; CREATE TABLE photos (name TEXT); INSERT INTO photos VALUES ('y');")
    raw.close()


def fill(path: Path) -> None:
    with open_journal(path) as journal:
        incident_id = journal.open_incident(context()).incident_id
        for n in range(40):
            journal.append(incident_id, ev.EventKind.NOTE_ADDED, ev.NoteAdded(text=f"{n} " + "z" * 1500))


def make_truncated_in_half(path: Path) -> None:
    fill(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def make_truncated_mid_page(path: Path) -> None:
    fill(path)
    data = path.read_bytes()
    path.write_bytes(data[:-1000])


def make_newer_schema(path: Path) -> None:
    fill(path)
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    raw.close()


def make_without_tables(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.executescript(f"PRAGMA application_id = {APPLICATION_ID}; CREATE TABLE other (x);")
    raw.close()


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (make_garbage, "is not a maestro journal (file is not a database)"),
        (make_text, "is not a maestro journal (file is not a database)"),
        (make_sqlite_prefix, "is damaged (file is truncated)"),
        (make_foreign, "is not a maestro journal (SQLite database of another application)"),
        (make_foreign_without_id, "is not a maestro journal (SQLite database of another application)"),
        (make_truncated_in_half, "is damaged (file is truncated: "),
        (make_truncated_mid_page, "is damaged (file is truncated: "),
        (make_newer_schema, "was written by a newer maestro-tui (schema 99, this one reads 1)"),
        (make_without_tables, "is damaged (its tables are missing)"),
    ],
)
def test_unusable_file_is_refused_in_one_line_and_left_untouched(
    tmp_path: Path, make: Callable[[Path], None], says: str
) -> None:
    path = tmp_path / "journal.sqlite3"
    make(path)
    before = sorted(tmp_path.iterdir())
    content = path.read_bytes()
    with pytest.raises(JournalError) as info:
        Journal.open(path)
    message = str(info.value)
    assert message.startswith(f"journal {path} ") and says in message
    assert "\n" not in message and ("--journal NEW_PATH" in message)
    assert path.read_bytes() == content
    assert sorted(tmp_path.iterdir()) == before


def test_empty_file_becomes_a_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    path.touch(mode=0o644)
    with open_journal(path) as journal:
        incident_id = journal.open_incident(context()).incident_id
    assert mode(path) == 0o600
    with open_journal(path) as journal:
        assert journal.incident(incident_id).context == context()


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="is a directory; pass --journal"):
        Journal.open(tmp_path)


def test_corrupt_row_is_named_by_file_and_seq(journal: Journal) -> None:
    incident_id = journal.open_incident(context()).incident_id
    with sqlite3.connect(journal.path) as raw:
        raw.execute(
            "INSERT INTO events (incident_id, at, actor, kind, payload) VALUES (?, ?, 'x', 'note_added', ?)",
            (incident_id, T0.isoformat(), '{"txt": 3}'),
        )
        raw.execute(
            "INSERT INTO events (incident_id, at, actor, kind, payload) VALUES ('INC-X', 'yesterday', 'x', ?, ?)",
            ("incident_opened", ev.IncidentOpened(context=context()).model_dump_json()),
        )
    raw.close()
    for read in (journal.events, journal.incident):
        with pytest.raises(JournalError) as info:
            read(incident_id)
        message = str(info.value)
        assert message.startswith(f"journal {journal.path} has a corrupt event at seq 2 (text: Field required")
        assert "\n" not in message
    # The listing never reads note payloads, but it does read the opening of every incident.
    with pytest.raises(JournalError, match=r"corrupt event at seq 3 \(Invalid isoformat string: 'yesterday'\)"):
        journal.incidents()


def test_append_to_unknown_incident_or_with_wrong_payload(journal: Journal) -> None:
    with pytest.raises(JournalError, match=f"^no incident INC-NOPE in journal {re.escape(str(journal.path))}$"):
        journal.append("INC-NOPE", ev.EventKind.NOTE_ADDED, ev.NoteAdded(text="x"))
    with pytest.raises(JournalError, match="no incident INC-NOPE"):
        journal.incident("INC-NOPE")
    incident_id = journal.open_incident(context()).incident_id
    with pytest.raises(TypeError, match="note_added takes a NoteAdded payload, not Resolved"):
        journal.append(incident_id, ev.EventKind.NOTE_ADDED, ev.Resolved(resolution="x"))
    assert [e.kind for e in journal.events(incident_id)] == [ev.EventKind.INCIDENT_OPENED]


def test_closed_journal_says_so_in_one_line(journal_file: Path) -> None:
    journal = open_journal(journal_file)
    journal.close()
    with pytest.raises(JournalError, match=f"^journal {re.escape(str(journal_file))}: .*closed"):
        journal.incidents()


def test_threads_share_one_journal(journal: Journal) -> None:
    incident_id = journal.open_incident(context()).incident_id

    def write(tag: str) -> None:
        for n in range(100):
            journal.append(incident_id, ev.EventKind.NOTE_ADDED, ev.NoteAdded(text=f"{tag}{n}"))
            journal.incidents()

    threads = [threading.Thread(target=write, args=(tag,)) for tag in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    notes = [n.text for n in journal.incident(incident_id).notes]
    for tag in "ab":
        assert [n for n in notes if n.startswith(tag)] == [f"{tag}{n}" for n in range(100)]
    assert journal.incidents()[0].events == 201


# --- actor and paths --------------------------------------------------------------------------------


def test_default_actor() -> None:
    host = socket.gethostname()
    assert default_actor({"USER": "ana"}) == f"ana@{host}"
    assert default_actor({"LOGNAME": "bo", "SSH_CLIENT": "192.0.2.7 50022 22"}) == f"bo@{host} from 192.0.2.7"
    ssh = {"USER": "cy", "SSH_CONNECTION": "2001:db8::5 50022 2001:db8::1 22", "SSH_CLIENT": "x 1 2"}
    assert default_actor(ssh) == f"cy@{host} from 2001:db8::5"
    assert default_actor({}).endswith(f"@{host}") and not default_actor({}).startswith("@")
    assert default_actor({"USER": "root", "SUDO_USER": "dee"}) == f"dee@{host}"
    assert default_actor({"USER": "ana", "SUDO_USER": "dee"}) == f"ana@{host}"
    ssh_root = {"USER": "root", "SSH_CONNECTION": "192.0.2.8 1 2 3"}
    assert default_actor(ssh_root, name="eve") == f"eve@{host} from 192.0.2.8"
    assert default_actor({"USER": "root"}, name="fay@laptop") == "fay@laptop"


def test_paths_prefer_flag_then_env_then_platform_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("MAESTRO_JOURNAL", "MAESTRO_CONFIG", "MAESTRO_REPORTS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert paths.journal_path(None) == tmp_path / "state" / "maestro-tui" / "journal.sqlite3"
    assert paths.journal_path(None, demo=True) == tmp_path / "state" / "maestro-tui" / "demo-journal.sqlite3"
    assert paths.config_path(None) == tmp_path / "config" / "maestro-tui" / "config.toml"
    assert paths.reports_dir(None) == tmp_path / "data" / "maestro-tui" / "reports"

    monkeypatch.setenv("MAESTRO_JOURNAL", str(tmp_path / "env" / "j.sqlite3"))
    monkeypatch.setenv("MAESTRO_CONFIG", "~/maestro.toml")
    monkeypatch.setenv("MAESTRO_REPORTS", str(tmp_path / "reports"))
    assert paths.journal_path(None) == tmp_path / "env" / "j.sqlite3"
    assert paths.journal_path(None, demo=True) == tmp_path / "env" / "demo-journal.sqlite3"
    assert paths.config_path(None) == Path.home() / "maestro.toml"
    assert paths.reports_dir(None) == tmp_path / "reports"

    monkeypatch.chdir(tmp_path)
    assert paths.journal_path(Path("flag.sqlite3")) == tmp_path / "flag.sqlite3"
    assert paths.journal_path(Path("flag.sqlite3"), demo=True) == tmp_path / "flag.sqlite3"
    assert paths.config_path(Path("c.toml")) == tmp_path / "c.toml"
    assert paths.reports_dir(Path("out")) == tmp_path / "out"


def test_open_without_a_path_uses_the_env_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAESTRO_JOURNAL", str(tmp_path / "env" / "j.sqlite3"))
    with Journal.open(clock=StepClock(), actor=ACTOR) as journal:
        journal.open_incident(context())
        assert journal.path == tmp_path / "env" / "j.sqlite3"
    assert (tmp_path / "env" / "j.sqlite3").stat().st_size > 0


# --- toggles and engine events ------------------------------------------------------------------------


def test_eight_fast_toggles_alternate_from_the_journal_state(journal_file: Path) -> None:
    with open_journal(journal_file) as mine, open_journal(journal_file, actor="bo@node2") as theirs:
        incident_id = mine.open_incident(context()).incident_id
        theirs.toggle(incident_id, ev.ItemTicked(item="p0.db"))
        kinds = [mine.toggle(incident_id, ev.ItemTicked(item="p0.db", label="DB")).kind for _ in range(8)]
        assert kinds == [ev.EventKind.ITEM_UNTICKED, ev.EventKind.ITEM_TICKED] * 4
        assert mine.toggle(incident_id, ev.ItemTicked(item="p1.other")).kind == ev.EventKind.ITEM_TICKED
        assert mine.toggle(incident_id, ev.PhaseTicked(phase="p0")).kind == ev.EventKind.PHASE_TICKED
        assert mine.toggle(incident_id, ev.PhaseTicked(phase="p0")).kind == ev.EventKind.PHASE_UNTICKED
        incident = mine.incident(incident_id)
    assert incident.is_ticked("p0.db") is True and incident.ticked == ["p0.db", "p1.other"]


def test_engine_events_go_to_the_lease_holder_until_its_lease_runs_out(
    journal_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import maestro.journal

    news = [ev.SwarmEvent(subject="web", text="container exited with code 1")]
    with open_journal(journal_file) as first, open_journal(journal_file) as second:
        incident_id = first.open_incident(context()).incident_id
        assert len(first.append_swarm_events(incident_id, news)) == 1
        assert second.append_swarm_events(incident_id, news) == []
        assert len(first.append_swarm_events(incident_id, news)) == 1
        monkeypatch.setattr(maestro.journal, "SWARM_LEASE_S", -1.0)
        assert len(first.append_swarm_events(incident_id, news)) == 1
        assert len(second.append_swarm_events(incident_id, news)) == 1
        swarm = [e for e in first.events(incident_id) if e.kind == ev.EventKind.SWARM_EVENT]
    assert len(swarm) == 4


def test_events_appended_together_are_all_written_or_none(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "journal.sqlite3", actor="ana@node1") as journal:
        opened = journal.open_incident(IncidentContext(description="API returns 500s since the deploy"))
        note, tick = ev.NoteAdded(text="restarted web"), ev.ItemTicked(item="app.config_error:web", label="config")
        with pytest.raises(TypeError):
            mismatched = [(ev.EventKind.NOTE_ADDED, note), (ev.EventKind.ITEM_TICKED, note)]
            journal.append_together(opened.incident_id, mismatched)
        assert [e.kind for e in journal.events(opened.incident_id)] == [ev.EventKind.INCIDENT_OPENED]
        written = journal.append_together(
            opened.incident_id, [(ev.EventKind.NOTE_ADDED, note), (ev.EventKind.ITEM_TICKED, tick)]
        )
        assert [e.seq for e in written] == [e.seq for e in journal.events(opened.incident_id)[1:]]
        assert written[0].at == written[1].at
