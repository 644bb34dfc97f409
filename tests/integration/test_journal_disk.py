"""The journal on a real small filesystem in trouble: a full tmpfs, a read-only one, a file in the way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from maestro import events as ev
from maestro.journal import Journal, JournalError, JournalReadOnly
from maestro.model import IncidentContext
from tests.smalldisk import SmallDisk, small_disk


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    with small_disk(tmp_path / "disk") as mounted:
        yield mounted


def new_incident(path: Path) -> str:
    with Journal.open(path, actor="ana@test") as journal:
        incident_id = journal.open_incident(IncidentContext(description="disk full on node1")).incident_id
        journal.append(incident_id, ev.EventKind.NOTE_ADDED, ev.NoteAdded(text="before"))
    return incident_id


def note(journal: Journal, incident_id: str, text: str) -> ev.Event:
    return journal.append(incident_id, ev.EventKind.NOTE_ADDED, ev.NoteAdded(text=text))


def test_full_disk_opens_read_only_refuses_writes_in_one_line_and_writes_again_once_freed(disk: SmallDisk) -> None:
    path = disk.root / "journal.sqlite3"
    incident_id = new_incident(path)
    disk.fill()

    journal = Journal.open(path, actor="ana@test")
    try:
        assert journal.not_saving is not None
        assert str(journal.not_saving) == (
            f"not saving: disk full on {disk.root} — free space and actions are saved again"
        )
        assert [s.id for s in journal.incidents()] == [incident_id]
        assert [n.text for n in journal.incident(incident_id).notes] == ["before"]
        with pytest.raises(JournalReadOnly) as refused:
            note(journal, incident_id, "while full")
        assert str(refused.value) == str(journal.not_saving)
        assert journal.retry_writable(force=True) is False

        disk.free()
        assert note(journal, incident_id, "after").payload == ev.NoteAdded(text="after")
        assert journal.not_saving is None
    finally:
        journal.close()
    with Journal.open(path) as again:
        assert [n.text for n in again.incident(incident_id).notes] == ["before", "after"]
        assert again.not_saving is None


def test_disk_filling_under_an_open_journal_is_named_and_a_second_reader_still_sees_everything(
    disk: SmallDisk,
) -> None:
    path = disk.root / "journal.sqlite3"
    incident_id = new_incident(path)
    with Journal.open(path, actor="ana@test") as writer:
        note(writer, incident_id, "in the log")
        disk.fill()
        with pytest.raises(JournalReadOnly, match=f"^not saving: disk full on {disk.root} — free space"):
            note(writer, incident_id, "x" * 100_000)
        assert writer.not_saving is not None and writer.not_saving.cause == f"disk full on {disk.root}"

        with Journal.open(path, actor="bo@test") as reader:
            assert reader.not_saving is not None and reader.not_saving.cause == f"disk full on {disk.root}"
            assert [n.text for n in reader.incident(incident_id).notes] == ["before", "in the log"]
            with pytest.raises(JournalReadOnly, match="disk full"):
                note(reader, incident_id, "y" * 100_000)

        disk.free()
        assert writer.retry_writable(force=True) is True
        assert writer.not_saving is None
        note(writer, incident_id, "saved again")
        assert [n.text for n in writer.incident(incident_id).notes] == ["before", "in the log", "saved again"]


def test_read_only_filesystem_opens_a_cleanly_closed_journal_read_only(disk: SmallDisk) -> None:
    path = disk.root / "journal.sqlite3"
    incident_id = new_incident(path)
    disk.remount("ro")
    try:
        with Journal.open(path) as journal:
            assert journal.not_saving is not None
            assert str(journal.not_saving) == (
                f"not saving: {disk.root} is mounted read-only — remount it read-write and actions are saved again"
            )
            assert [n.text for n in journal.incident(incident_id).notes] == ["before"]
            with pytest.raises(JournalReadOnly, match="is mounted read-only"):
                note(journal, incident_id, "refused")
            disk.remount("rw")
            note(journal, incident_id, "after remount")
            assert journal.not_saving is None
    finally:
        disk.remount("rw")


def test_new_journal_on_a_read_only_or_full_disk_is_one_line(disk: SmallDisk) -> None:
    disk.remount("ro")
    try:
        with pytest.raises(JournalError) as info:
            Journal.open(disk.root / "state" / "journal.sqlite3")
        assert str(info.value) == (
            f"journal {disk.root}/state/journal.sqlite3 cannot be created ({disk.root} is mounted read-only);"
            " pass --journal with a writable path"
        )
    finally:
        disk.remount("rw")
    disk.fill()
    with pytest.raises(JournalError, match=rf"cannot be created \(disk full on {disk.root}\)"):
        Journal.open(disk.root / "new.sqlite3")
    assert sorted(p.name for p in disk.root.iterdir()) == ["ballast"]


def test_a_file_where_the_folder_should_be_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("")
    with pytest.raises(JournalError) as info:
        Journal.open(blocker / "maestro" / "journal.sqlite3")
    assert str(info.value) == (
        f"journal folder {blocker} is a file, not a folder; move it aside or pass --journal NEW_PATH"
    )
