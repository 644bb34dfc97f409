"""Keys a k9s / lazydocker hand expects: j/k/g/G in lists, digits for panes, esc back, l on an issue, the logs'
follow / wrap / times toggles, and how to select text with the mouse."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import TextArea

from maestro import events as ev
from maestro.journal import Journal
from maestro.model import LogLine
from tests.tui.conftest import OPENED, AppFactory, option_texts, settle, wait_until
from tui.screens.help import HelpScreen
from tui.screens.incident import IncidentScreen, PaneTabs
from tui.screens.logs import LogsScreen


def screen_of(app: object) -> IncidentScreen:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, IncidentScreen)
    return screen


async def test_j_k_g_and_shift_g_move_in_the_checklist_and_space_ticks_what_is_highlighted(
    make_app: AppFactory, seeded: str
) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        checklist = screen_of(app).checklist
        first = checklist.issue_id
        await pilot.press("j")
        second = checklist.issue_id
        assert second is not None and second != first
        await pilot.press("space")
        assert app.journal.events(seeded)[-1].payload == ev.ItemTicked(item=second, label="cache OOM-killed")
        await pilot.press("k")
        assert checklist.issue_id == first
        await pilot.press("G")
        assert checklist.issue_id == "swarm.unschedulable:pending"
        await pilot.press("g")
        assert checklist.issue_id == first
        assert "[x] cache OOM-killed" in "\n".join(option_texts(checklist))


async def test_digits_pick_panes_and_their_tabs_at_80x24_and_esc_goes_back(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        tabs = screen.query_one(PaneTabs)
        for key, pane in (("4", "services"), ("6", "timeline"), ("2", "recovery")):
            await pilot.press(key)
            assert screen.active_pane == pane and tabs.active == f"tab-{pane}"
            assert screen.pane(pane).has_focus_within
        await pilot.press("escape")
        assert screen.active_pane == "timeline"
        await pilot.press("escape")
        assert screen.active_pane == "services"
        await pilot.press("escape")
        assert screen.active_pane == "checklist"


async def test_j_and_shift_g_move_the_services_table_and_the_timeline(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        await pilot.press("4")
        table = screen.services.table
        assert table.cursor_row == 0
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_row == 0


async def test_l_on_a_checklist_issue_shows_that_issues_service(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        screen.services.table.move_cursor(row=screen.services.table.get_row_index("api"))
        await pilot.press("1", "j")
        assert screen.checklist.issue_id == "swarm.oom_killed:cache"
        await pilot.press("l")
        assert isinstance(app.screen, LogsScreen) and app.screen.service == "cache"
        await pilot.press("escape", "4", "l")
        assert isinstance(app.screen, LogsScreen) and app.screen.service == "api"


async def test_logs_follow_wrap_and_times(make_app: AppFactory, seeded: str) -> None:
    def line(n: int) -> LogLine:
        return LogLine(service="worker", at=OPENED + timedelta(seconds=n), text=f"line {n} " + "x" * 150)

    fresh = [line(n) for n in range(3)]
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(LogsScreen("worker", fresh[:1], read=lambda: list(fresh)))
        await settle(pilot)
        logs = app.screen
        assert isinstance(logs, LogsScreen)
        area = logs.query_one(TextArea)
        assert area.text.startswith("05:20:00 line 0") and "line 2" in area.text
        await pilot.press("t")
        assert area.text.startswith("line 0 ")
        assert area.soft_wrap is True
        await pilot.press("w")
        assert area.soft_wrap is False
        await pilot.press("f")
        assert logs.following is not None
        fresh.append(line(3))
        await wait_until(pilot, lambda: "line 3" in area.text, timeout=6)
        assert area.cursor_location[0] == area.document.line_count - 1, "following keeps the newest line in view"
        await pilot.press("f")
        assert logs.following is None


async def test_help_says_how_to_select_text(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("end")
        await pilot.pause()
        assert "shift+drag" in app.export_screenshot()
        rows = app.screen.rows
        assert any("j" in keys.split(" / ") and "Next row" in meaning for _, keys, meaning in rows)
        assert any(keys == "4" and "Services" in meaning for _, keys, meaning in rows)
        assert any(keys == "f" and "Follow" in meaning for _, keys, meaning in rows)


async def test_enter_moves_down_the_intake_form_and_submits_on_the_last_field(
    make_app: AppFactory, journal: Journal
) -> None:
    from tests.tui.conftest import INCIDENT_ID
    from tui.screens.intake import FIELDS, IntakeScreen

    app = make_app(demo_engine=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, IntakeScreen)
        await pilot.press(*"queue backlog growing", "enter", *"worker")
        await pilot.press(*["enter"] * (len(FIELDS) - 2))
        assert isinstance(app.screen, IntakeScreen), "enter moves to the next field until the last one"
        await pilot.press(*"deploy 14:00", "enter")
        await settle(pilot)
        assert isinstance(app.screen, IncidentScreen)
        opened = journal.events(INCIDENT_ID)[0].payload
        assert opened.context.recent_changes == "deploy 14:00"  # type: ignore[attr-defined]
        assert opened.context.what_broke == "worker"  # type: ignore[attr-defined]
