"""The `maestro-tui` command as a person runs it: a real process, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SEED_EXAMPLE = "Production API down - 500 errors. Logs show database connection timeout. Deployed 30 minutes ago."


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, env=env, timeout=60)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_seed_example_is_a_p0_with_labelled_fix_verify_rollback(env: dict[str, str]) -> None:
    result = run(env, "triage", SEED_EXAMPLE, "--format", "json")
    assert result.returncode == 0, result.stderr
    triage = json.loads(result.stdout)
    assert triage["severity"] == "P0"
    top = triage["issues"][0]
    assert top["severity"] == "P0"
    for kind in ("fix", "verify", "rollback"):
        assert top[kind], kind
        assert all(c["danger"] in {"read-only", "mutating", "destructive"} for c in top[kind])
    assert any(c["danger"] == "read-only" for c in top["verify"])


def test_triage_markdown_reads_like_the_priority_list(env: dict[str, str]) -> None:
    result = run(env, "triage", "Redis out of memory - cache failures", "--offline")
    assert result.returncode == 0, result.stderr
    assert "P1" in result.stdout and "redis" in result.stdout.lower()
    assert "```bash" in result.stdout


def test_empty_description_is_one_line(env: dict[str, str]) -> None:
    assert "description is empty" in one_line_error(run(env, "triage", "  "))


def test_unknown_incident_and_empty_journal(env: dict[str, str]) -> None:
    assert "no incidents" in one_line_error(run(env, "export"))
    line = one_line_error(run(env, "export", "INC-nope"))
    assert "INC-nope" in line


def test_config_init_then_check_then_a_bad_key(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "config", "init").returncode == 0
    assert run(env, "config", "check").stdout.strip().endswith(": ok")
    (tmp_path / "config.toml").write_text("poll_interval_s = 'fast'\n")
    line = one_line_error(run(env, "config", "check"))
    assert "poll_interval_s" in line and "line 1" in line


def test_a_broken_runbook_file_is_named_while_the_shipped_runbooks_still_triage(
    env: dict[str, str], tmp_path: Path
) -> None:
    books = tmp_path / "books"
    books.mkdir()
    broken = books / "broken.toml"
    broken.write_text("[[runbook]]\nid = 'x.y'\nseverity = 'P9'\n")
    (tmp_path / "config.toml").write_text(f"runbook_dir = '{books}'\n")
    result = run(env, "triage", "Redis out of memory - cache failures", "--offline", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"maestro-tui: Runbook skipped: {broken}: line 1, [[runbook]] #1")
    triage = json.loads(result.stdout)
    assert triage["severity"] == "P1" and triage["issues"]

    line = one_line_error(run(env, "config", "check"))
    assert line.startswith(f"maestro-tui: runbook: {broken}: line 1, ") and "'title': Field required" in line
    broken.unlink()
    checked = run(env, "config", "check")
    assert checked.returncode == 0 and f"{books}: " in checked.stdout


def test_corrupt_journal_is_one_line_and_untouched(env: dict[str, str], tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    journal.write_bytes(b"this is not a database at all" * 100)
    before = journal.read_bytes()
    line = one_line_error(run(env, "list"))
    assert str(journal) in line
    assert journal.read_bytes() == before


def test_unwritable_report_dir_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    from maestro.journal import Journal
    from maestro.model import IncidentContext

    with Journal.open(tmp_path / "journal.sqlite3") as journal:
        journal.open_incident(IncidentContext(description="API down"))
    blocker = tmp_path / "file"
    blocker.write_text("")
    line = one_line_error(run(env, "export", "--out", str(blocker / "reports")))
    assert "--out" in line


def test_list_and_export_round_trip(env: dict[str, str], tmp_path: Path) -> None:
    from maestro.journal import Journal
    from maestro.model import IncidentContext

    with Journal.open(tmp_path / "journal.sqlite3") as journal:
        opened = journal.open_incident(IncidentContext(description="Database locked up - users can't login"))
    listing = run(env, "list")
    assert opened.incident_id in listing.stdout and "Database locked up" in listing.stdout
    out = tmp_path / "out"
    result = run(env, "export", opened.incident_id[:12], "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert len(list(out.glob("*.md"))) == 5 and list(out.glob("*.html")) and list(out.glob("*.json"))
    with Journal.open(tmp_path / "journal.sqlite3") as journal:
        kinds = [e.kind for e in journal.events(opened.incident_id)]
    assert kinds[-1] == "reports_exported"


@pytest.mark.parametrize("sub", [[], ["triage"], ["status"], ["list"], ["export"], ["config"], ["config", "check"]])
def test_help_everywhere(env: dict[str, str], sub: list[str]) -> None:
    result = run(env, *sub, "--help")
    assert result.returncode == 0 and "usage:" in result.stdout


def test_status_without_an_engine_says_why(env: dict[str, str]) -> None:
    result = run(env, "status")
    assert result.returncode == 1
    assert "unreachable" in result.stdout.lower() or "not" in result.stdout.lower()


def test_terminal_escapes_in_input_never_reach_the_terminal(env: dict[str, str]) -> None:
    hostile = "API down \x1b]52;c;ZXZpbA==\x07 \x1b[31mred\x1b[0m [bold red]x[/]"
    result = run(env, "triage", hostile, "--offline")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b\\]52;c;ZXZpbA==\\x07" in result.stdout and "\\[bold red\\]x\\[/\\]" in result.stdout


def test_show_prompt_prints_the_redacted_request_and_sends_nothing(env: dict[str, str]) -> None:
    from tests.fake_anthropic import FakeAnthropic

    with FakeAnthropic() as fake:
        env = {**env, "ANTHROPIC_API_KEY": "sk-ant-api03-" + "x" * 40, "ANTHROPIC_BASE_URL": fake.base_url}
        result = run(
            env,
            "triage",
            "Checkout down after deploy",
            "--error",
            "could not connect to postgres://shop:hunter2@db:5432/shop",
            "--offline",
            "--show-prompt",
        )
        assert fake.requests == []
    assert result.returncode == 0, result.stderr
    assert "hunter2" not in result.stdout and "sk-ant-api03" not in result.stdout
    assert "postgres://shop:[REDACTED]@db:5432/shop" in result.stdout
    assert "submit_triage" in result.stdout and "Checkout down after deploy" in result.stdout


@pytest.mark.parametrize("word", ["version", "stauts", "lsit", "exprot", "ls"])
def test_a_mistyped_subcommand_opens_no_incident(env: dict[str, str], word: str) -> None:
    line = one_line_error(run(env, word))
    assert f"{word!r} is not a subcommand; did you mean `maestro-tui " in line
    assert not Path(env["MAESTRO_JOURNAL"]).exists()


def test_version(env: dict[str, str]) -> None:
    result = run(env, "--version")
    assert result.returncode == 0 and result.stdout.startswith("maestro-tui ")


def test_the_screen_without_a_terminal_opens_nothing(env: dict[str, str]) -> None:
    line = one_line_error(run(env, "API returns 500s on every request"))
    assert "the screen needs a terminal" in line
    assert not Path(env["MAESTRO_JOURNAL"]).exists()


def test_a_closed_pipe_is_no_traceback(env: dict[str, str]) -> None:
    from maestro.journal import Journal
    from maestro.model import IncidentContext

    with Journal.open(Path(env["MAESTRO_JOURNAL"])) as journal:
        for n in range(2000):
            journal.open_incident(IncidentContext(description=f"incident {n} " + "x" * 100))
    for args in (["list"], ["list", "--json"], ["triage", "API down", "--offline"]):
        done = subprocess.run(
            f"{sys.executable} -m tui.cli {' '.join(args[:1])} {' '.join(repr(a) for a in args[1:])} | head -c 10",
            shell=True,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert len(done.stdout) == 10
        assert done.stderr == "", done.stderr


def test_a_damaged_journal_is_one_line_for_every_command(env: dict[str, str], tmp_path: Path) -> None:
    import sqlite3

    from maestro.journal import Journal
    from maestro.model import IncidentContext

    path = Path(env["MAESTRO_JOURNAL"])
    with Journal.open(path) as journal:
        incident_id = journal.open_incident(IncidentContext(description="API down")).incident_id
    with sqlite3.connect(path) as raw:
        raw.execute(
            "INSERT INTO events (incident_id, at, actor, kind, payload) VALUES (?, 'x', 'x', 'note_added', '{}')",
            (incident_id,),
        )
    raw.close()
    for args in (["export"], ["export", incident_id], ["list"]):
        line = one_line_error(run(env, *args))
        assert line.startswith(f"maestro-tui: journal {path} ") and "--journal NEW_PATH" in line


def test_a_file_in_the_way_of_the_journal_folder_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("")
    env["MAESTRO_JOURNAL"] = str(tmp_path / "blocker" / "journal.sqlite3")
    line = one_line_error(run(env, "list"))
    assert line == (
        f"maestro-tui: journal folder {tmp_path / 'blocker'} is a file, not a folder;"
        " move it aside or pass --journal NEW_PATH"
    )


def test_full_disk_journal_is_listed_and_exported_read_only(env: dict[str, str], tmp_path: Path) -> None:
    from maestro.journal import Journal
    from maestro.model import IncidentContext
    from tests.smalldisk import small_disk

    with small_disk(tmp_path / "disk") as disk:
        path = disk.root / "journal.sqlite3"
        env["MAESTRO_JOURNAL"] = str(path)
        with Journal.open(path) as journal:
            incident_id = journal.open_incident(IncidentContext(description="disk full on node1")).incident_id
        disk.fill()
        listing = run(env, "list")
        assert listing.returncode == 0 and incident_id in listing.stdout and listing.stderr == ""
        exported = run(env, "export", "--out", str(tmp_path / "out"))
        assert exported.returncode == 0, exported.stderr
        assert f"reports to {tmp_path / 'out'}" in exported.stdout
        assert exported.stderr.strip() == (
            f"maestro-tui: the export is not in the timeline: not saving: disk full on {disk.root}"
            " — free space and actions are saved again"
        )


def test_the_actor_is_the_person_not_the_shared_root(env: dict[str, str], tmp_path: Path) -> None:
    from maestro.journal import Journal
    from maestro.model import IncidentContext

    path = Path(env["MAESTRO_JOURNAL"])
    with Journal.open(path) as journal:
        journal.open_incident(IncidentContext(description="API down"))
    out = str(tmp_path / "out")
    assert run({**env, "USER": "root", "LOGNAME": "root", "SUDO_USER": "ana"}, "export", "--out", out).returncode == 0
    (tmp_path / "config.toml").write_text("responder = 'bo'\n")
    assert run(env, "export", "--out", out).returncode == 0
    assert run(env, "export", "--out", out, "--as", "cy").returncode == 0
    with Journal.open(path) as journal:
        actors = [e.actor.split("@")[0] for e in journal.events(journal.incidents()[0].id)][1:]
    assert actors == ["ana", "bo", "cy"]


def test_a_when_that_gives_no_time_is_one_line(env: dict[str, str]) -> None:
    line = one_line_error(run(env, "API returns 500s", "--when", "after lunch-ish"))
    assert line == (
        "maestro-tui: cannot tell when 'after lunch-ish' is; "
        "give a time like 14:05, '20 minutes ago' or 2026-11-26T14:05Z"
    )
