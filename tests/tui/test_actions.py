"""The incident keys: e, u, n, s, r, x, q / ctrl+c, ?, the palette, l and /."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Input, TextArea

from maestro import events as ev
from maestro.escalation import status_update
from maestro.journal import Journal
from tests.tui.conftest import AppFactory, FrozenClock, hand_triage, kinds, on_screen, seed, settle
from tui.screens.dialogs import ConfirmDialog, QuitDialog, SeverityDialog, TextPrompt, TextViewer
from tui.screens.help import HelpScreen
from tui.screens.incident import IncidentScreen
from tui.screens.status_update import StatusUpdateDialog


def editor_text(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, StatusUpdateDialog)
    return screen.query_one(TextArea).text


def viewer_text(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, TextViewer)
    return screen.query_one(TextArea).text


async def test_e_escalates_to_whom_the_rules_name_after_confirmation(
    make_app: AppFactory, seeded: str, clock: FrozenClock
) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clock.advance(minutes=31)
        await pilot.press("e")
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.question == "Escalate to Infrastructure Manager?"
        reason = "multiple services failing (cache, db, ghost, pending, worker)"
        assert f"Why: {reason}" in app.screen.detail
        await pilot.press("y")
        await settle(pilot)
        escalated = [e for e in app.journal.events(seeded) if e.kind is ev.EventKind.ESCALATED]
        assert [e.payload for e in escalated] == [ev.Escalated(level=2, role="Infrastructure Manager", reason=reason)]
        assert "Infrastructure Manager" in app.screen.escalation.timer_view.current  # type: ignore[attr-defined]


async def test_e_without_a_rule_goes_one_step_up_with_the_clock_as_reason(
    make_app: AppFactory, journal: Journal, clock: FrozenClock
) -> None:
    app = make_app(seed(journal, triage=hand_triage()), demo_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clock.advance(minutes=10)
        await pilot.press("e")
        assert isinstance(app.screen, ConfirmDialog) and "Team Lead" in app.screen.question
        assert "No [[notify]] channel: call them" in app.screen.detail
        await pilot.press("y")
        await settle(pilot)
        assert app.incident is not None
        assert [(e.level, e.reason) for e in app.incident.escalations] == [(1, "P0 open 0:10:00")]


async def test_e_then_no_escalates_nobody(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = kinds(app.journal, seeded)
        await pilot.press("e", "n")
        assert isinstance(app.screen, IncidentScreen)
        assert kinds(app.journal, seeded) == before


async def test_u_drafts_a_status_update_that_is_copied_and_marked_posted_by_hand(
    make_app: AppFactory, seeded: str, clock: FrozenClock
) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clock.advance(minutes=12)
        assert app.incident is not None
        expected = status_update(app.incident, clock(), on_screen(app).latest)
        await pilot.press("u")
        last = app.journal.events(seeded)[-1]
        assert last.payload == ev.StatusUpdateDrafted(number=1, text=expected)
        assert expected.startswith(
            "[05:32] Update #1:\nStatus: Investigating\nImpact: Most users see errors on checkout; 5"
        )
        assert editor_text(app) == expected
        await pilot.press("ctrl+t")
        assert app.clipboard == expected
        view = app.screen_stack[0].escalation.timer_view  # type: ignore[attr-defined]
        assert view.next_update_s == 180 and view.last_update == "", "a draft does not count as sent"
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.incident.sent_updates[0].text == expected
        assert app.screen.escalation.timer_view.last_update == expected  # type: ignore[attr-defined]
        assert app.screen.escalation.timer_view.next_update_s == 15 * 60  # type: ignore[attr-defined]


async def test_n_adds_a_note(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("enter")
        assert isinstance(app.screen, TextPrompt), "an empty note is refused"
        await pilot.press(*"restarted worker", "enter")
        await pilot.pause()
        assert app.journal.events(seeded)[-1].payload == ev.NoteAdded(text="restarted worker")
        timeline = app.screen.timeline.plain
        assert timeline.splitlines()[-1].endswith("ana@node1 Note: restarted worker")


async def test_s_changes_the_severity(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        assert isinstance(app.screen, SeverityDialog)
        await pilot.press("down", "enter")
        last = app.journal.events(seeded)[-1]
        assert last.kind is ev.EventKind.SEVERITY_CHANGED and last.payload.severity == "P1"  # type: ignore[attr-defined]
        assert app.screen.header.header_view.severity == "P1"  # type: ignore[attr-defined]
        await pilot.press("s", "2")
        assert app.journal.events(seeded)[-1].payload.severity == "P2"  # type: ignore[attr-defined]
        assert app.incident.severity == "P2"


async def test_r_resolves_with_a_resolution_line(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmDialog), "a P0 issue is open and services are down: ask first"
        assert "1 P0 issue still open: worker crash-looping" in app.screen.detail
        assert "down: " in app.screen.detail
        await pilot.press("n")
        assert isinstance(app.screen, IncidentScreen)
        assert app.journal.events(seeded)[-1].kind is not ev.EventKind.RESOLVED
        await pilot.press("r", "y", *"rolled back web", "enter")
        assert app.journal.events(seeded)[-1].payload == ev.Resolved(resolution="rolled back web")
        assert app.screen.header.header_view.status == "resolved"  # type: ignore[attr-defined]
        assert app.screen.escalation.timer_view.running is False  # type: ignore[attr-defined]


async def test_x_exports_every_report_into_the_folder_it_names(
    make_app: AppFactory, seeded: str, tmp_path: Path
) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        folder = tmp_path / "reports" / seeded
        last = app.journal.events(seeded)[-1]
        assert last.kind is ev.EventKind.REPORTS_EXPORTED
        assert last.payload.folder == str(folder)  # type: ignore[attr-defined]
        files = [folder / f for f in last.payload.files]  # type: ignore[attr-defined]
        assert len(files) >= 7 and all(f.is_file() and f.parent == folder for f in files)
        assert str(folder) in app.screen.title_text  # type: ignore[attr-defined]
        for f in files:
            assert f.name in viewer_text(app)
        assert app.incident.exported


async def test_q_on_an_unexported_incident_offers_the_export(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        assert isinstance(app.screen, QuitDialog)
        await pilot.press("escape")
        assert isinstance(app.screen, IncidentScreen) and app.is_running
        await pilot.press("ctrl+c")
        assert isinstance(app.screen, QuitDialog)
        await pilot.press("n")
        await pilot.pause()
        assert not app.is_running
    assert "reports_exported" not in kinds(app.journal, seeded)


async def test_quit_yes_exports_then_quits(make_app: AppFactory, seeded: str, tmp_path: Path) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q", "y")
        await settle(pilot)
        assert not app.is_running
    assert kinds(app.journal, seeded)[-1] == "reports_exported"
    assert (tmp_path / "reports" / seeded).is_dir()


async def test_q_after_an_export_quits_at_once(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("escape", "q")
        await pilot.pause()
        assert not app.is_running


async def test_question_mark_lists_every_key(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.rows
        for key, words in [
            ("?", "Show every key"),
            ("ctrl+p", "command palette"),
            (":", "command palette"),
            ("tab", "Next pane"),
            ("space", "Mark the highlighted issue done"),
            ("enter", "Open the issue card"),
            ("c", "Copy the highlighted command"),
            ("l", "logs of the selected service"),
            ("/", "Filter the services"),
            ("e", "Escalate"),
            ("u", "status update"),
            ("n", "note"),
            ("s", "severity"),
            ("t", "triage again"),
            ("r", "resolved"),
            ("x", "Export"),
            ("q", "Quit"),
        ]:
            assert any(key in keys.split(" / ") and words in meaning for _, keys, meaning in rows), (key, words)
        await pilot.press("escape")
        assert isinstance(app.screen, IncidentScreen)


async def test_the_palette_runs_actions_by_name(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("colon")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"escalate", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n", "ctrl+p", *"note")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)


async def test_l_shows_the_logs_of_the_selected_service(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.services.table  # type: ignore[attr-defined]
        await pilot.press("4")
        table.move_cursor(row=table.get_row_index("worker"))
        await pilot.press("l")
        text = viewer_text(app)
        assert "boom: cannot connect to queue" in text and "cache warming" not in text
        await pilot.press("escape")
        table.move_cursor(row=table.get_row_index("api"))
        await pilot.press("l")
        assert viewer_text(app) == "No log lines captured for api."


async def test_slash_filters_the_services_and_escape_clears_it(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"cach")
        table = app.screen.services.table  # type: ignore[attr-defined]
        assert [table.get_row_at(i)[0].plain for i in range(table.row_count)] == ["cache"]
        await pilot.press("escape")
        assert table.row_count == len(on_screen(app).latest.services) and app.focused is table  # type: ignore[union-attr]


async def test_t_runs_the_triage_again(make_app: AppFactory, seeded: str, journal: Journal) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = kinds(journal, seeded).count("triage_generated")
        await pilot.press("space", "t")
        await settle(pilot)
        assert kinds(journal, seeded).count("triage_generated") == before + 1, journal.events(seeded)[-1]
        rerun = journal.events(seeded)[-1].payload
        assert rerun.summary == "run again by hand"  # type: ignore[attr-defined]
        assert app.incident.triage == rerun.triage  # type: ignore[attr-defined]
        assert app.incident.ticked == ["swarm.crash_loop:worker"], "ticks survive a new triage"
