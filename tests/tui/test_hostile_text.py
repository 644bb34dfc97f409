"""Outside text (descriptions, service names, log lines, notes) is shown literally and never styles the screen."""

from __future__ import annotations

from maestro import demo
from maestro.events import EventKind
from maestro.journal import Journal
from maestro.model import Command, Danger, IncidentContext, LogLine, ServiceInfo
from maestro.text import copyable
from tests.tui.conftest import AppFactory, FrozenClock, hand_triage, option_texts, seed, settle, svg_text
from tui.screens.dialogs import ConfirmDialog, TextViewer

MARKUP = "[bold red]boom[/] [link=https://evil.example]click[/link]"
ESCAPES = "\x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07 \x1b[2J"
SHOWN_ESCAPES = "\\x1b[31mred\\x1b[0m \\x1b]52;c;ZXZpbA==\\x07 \\x1b[2J"
EVIL = f"{MARKUP} {ESCAPES}"
SHOWN = f"{MARKUP} {SHOWN_ESCAPES}"


def hostile_incident(journal: Journal, clock: FrozenClock) -> str:
    evidence = demo.evidence(clock())
    evil_service = ServiceInfo(id="x1", name=f"svc{EVIL}", image="img", desired=1, running=0, last_error=EVIL)
    evidence = evidence.model_copy(
        update={
            "services": [*evidence.services, evil_service],
            "logs": [LogLine(service=evil_service.name, at=clock(), text=EVIL)],
        }
    )
    triage = hand_triage()
    first = triage.issues[0].model_copy(update={"title": f"title {EVIL}", "summary": f"summary {EVIL}"})
    triage = triage.model_copy(update={"issues": [first, *triage.issues[1:]]})
    return seed(journal, context=IncidentContext(description=f"desc {EVIL}"), triage=triage, evidence=evidence)


async def test_markup_and_escapes_show_literally_everywhere(
    make_app: AppFactory, journal: Journal, clock: FrozenClock
) -> None:
    incident_id = hostile_incident(journal, clock)
    app = make_app(incident_id, demo_engine=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = app.screen
        checklist = "\n".join(option_texts(screen.checklist))  # type: ignore[attr-defined]
        assert f"title {SHOWN}" in checklist and f"summary {SHOWN}" in checklist
        table = screen.services.table  # type: ignore[attr-defined]
        row = table.get_row(f"svc{EVIL}")
        assert row[0].plain == f"svc{SHOWN}" and row[4].plain == SHOWN
        assert all(not cell.spans for cell in row), "outside text carries no styling of its own"
        timeline = screen.timeline.plain
        assert f"Incident opened: desc {SHOWN}" in timeline

        await pilot.press("n", *"[b]note[/b]", "enter")
        timeline = screen.timeline.plain
        assert timeline.splitlines()[-1].endswith("Note: [b]note[/b]")

        await pilot.press("4")
        table.move_cursor(row=table.get_row_index(f"svc{EVIL}"))
        await pilot.press("l")
        assert isinstance(app.screen, TextViewer)
        assert SHOWN in app.screen.text and "\x1b" not in app.screen.text
        await pilot.press("escape")

        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\x07" not in svg and "href" not in svg
        screen_text = svg_text(svg)
        assert "[bold red]boom[/]" in screen_text and "\\x1b]52;c;ZXZpbA==" in screen_text


SMUGGLED = "docker service ls # list\rdocker service rm web\r" + ESCAPES + " [/x] [link=https://evil.example]y"


async def test_a_smuggling_command_asks_first_and_copies_only_what_was_shown(
    make_app: AppFactory, journal: Journal, clock: FrozenClock
) -> None:
    triage = hand_triage()
    first = triage.issues[0]
    hostile = Command(text=SMUGGLED, purpose="list the services", danger=Danger.READ_ONLY)
    triage = triage.model_copy(update={"issues": [first.model_copy(update={"fix": [hostile]}), *triage.issues[1:]]})
    app = make_app(seed(journal, triage=triage, evidence=demo.evidence(clock())), demo_engine=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmDialog), "a command holding control characters is destructive: ask"
        assert "control characters" in app.screen.detail and "\r" not in app.screen.detail
        assert "docker service rm deletes the service" in app.screen.detail
        await pilot.press("y")
        await settle(pilot)

        assert app.clipboard == copyable(SMUGGLED)
        assert not set(app.clipboard) & {"\r", "\x1b", "\x07"}
        toast = app.toasts[-1]
        assert "\x1b" not in toast.message and "\x1b" not in toast.title and "DESTRUCTIVE" in toast.title.upper()
        latest = journal.latest_open()
        assert latest is not None
        copied = journal.events(latest.id)[-1]
        assert copied.kind is EventKind.COMMAND_COPIED
        assert copied.payload.danger is Danger.DESTRUCTIVE  # type: ignore[union-attr]


async def test_any_toast_shows_markup_and_escapes_as_text(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded, demo_engine=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        app.screen.notify(f"[/x] {EVIL}", title=f"[link=x]{ESCAPES}")
        await pilot.pause()
        toast = app.toasts[-1]
        assert toast.message == f"[/x] {SHOWN}"
        assert "\x1b" not in toast.title
