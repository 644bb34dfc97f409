"""Outside text (descriptions, service names, log lines, notes) is shown literally and never styles the screen."""

from __future__ import annotations

from maestro import demo
from maestro.journal import Journal
from maestro.model import IncidentContext, LogLine, ServiceInfo
from tests.tui.conftest import AppFactory, FrozenClock, hand_triage, option_texts, seed, settle, svg_text
from tui.screens.dialogs import TextViewer

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
        timeline = screen.timeline.query_one("#timeline-text").render().plain  # type: ignore[attr-defined]
        assert f"Incident opened: desc {SHOWN}" in timeline

        await pilot.press("n", *"[b]note[/b]", "enter")
        timeline = screen.timeline.query_one("#timeline-text").render().plain  # type: ignore[attr-defined]
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
