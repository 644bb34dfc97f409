"""The live services pane with a source the test steers: engine loss, engine events, logs, tasks, drift, quit."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Collection
from datetime import datetime

from textual.pilot import Pilot

from maestro import demo
from maestro import events as ev
from maestro.collect.engine_events import EngineEvent
from maestro.collect.logs import LogsUnavailable
from maestro.journal import Journal
from maestro.model import Evidence, LogLine, Signal, SignalKind
from tests.tui.conftest import AppFactory, FrozenClock, kinds, on_screen, settle, svg_text, wait_until
from tui.app import MaestroApp
from tui.screens.incident import IncidentScreen
from tui.screens.logs import LogsScreen
from tui.screens.tasks import TasksScreen

HOSTILE = [
    "[bold red]x[/] [link=http://x]y[/link]",
    "\x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07",
]
SHOWN = ["[bold red]x[/] [link=http://x]y[/link]", "\\x1b[31mred\\x1b[0m \\x1b]52;c;ZXZpbA==\\x07"]


class FakeSwarm:
    """A EngineSource whose engine the test takes away, brings back, makes talk and makes slow."""

    def __init__(self, evidence: Evidence) -> None:
        self.evidence = evidence
        self.down = ""
        self.polls = 0
        self.log_lines: list[LogLine] = []
        self.logs_error: Exception | None = None
        self.logs_calls = 0
        self.logs_gate = threading.Event()
        self.logs_gate.set()
        self.closed = False
        self.answering = threading.Event()
        self.answering.set()
        self._listeners: tuple[Callable[[EngineEvent], None], Callable[[], None]] | None = None

    def __call__(self) -> Evidence:
        self.polls += 1
        self.answering.wait(30)
        if not self.down:
            return self.evidence
        now = self.evidence.collected_at
        signal = Signal(kind=SignalKind.ENGINE_UNREACHABLE, subject="", detail=self.down, observed_at=now)
        return Evidence(collected_at=now, source="swarm", errors=[self.down], signals=[signal])

    def logs(self, service: str) -> list[LogLine]:
        self.logs_calls += 1
        self.logs_gate.wait(10)
        if self.logs_error is not None:
            raise self.logs_error
        return [line for line in self.log_lines if line.service == service]

    def follow(self, on_event: Callable[[EngineEvent], None], on_wake: Callable[[], None]) -> None:
        self._listeners = (on_event, on_wake)

    def close(self) -> None:
        self.closed = True

    def emit(self, *events: EngineEvent) -> None:
        """Report events from another thread, as the engine's event stream does."""
        assert self._listeners is not None, "the app never asked to follow the events"
        on_event, on_wake = self._listeners

        def talk() -> None:
            for event in events:
                on_event(event)
                on_wake()

        thread = threading.Thread(target=talk)
        thread.start()
        thread.join()


def swarm_evidence(clock: FrozenClock) -> Evidence:
    return demo.evidence(clock()).model_copy(update={"source": "swarm", "engine": "Docker 27 (API 1.47)"})


def source_line(app: MaestroApp) -> str:
    screen = app.screen
    assert isinstance(screen, IncidentScreen)
    return screen.services.query_one("#services-source").render().plain  # type: ignore[attr-defined]


def services(app: MaestroApp) -> IncidentScreen:
    screen = app.incident_screen
    assert isinstance(screen, IncidentScreen)
    return screen


async def press_on_service(app: MaestroApp, pilot: Pilot[None], service: str, key: str) -> None:
    """Put the service table's cursor on `service`, then press `key`."""
    table = services(app).services.table
    table.focus()
    table.move_cursor(row=table.get_row_index(service))
    await pilot.press(key)


def died(service: str, at: datetime, code: int = 1) -> EngineEvent:
    return EngineEvent(at=at, kind="die", service=service, text=f"{service}: container exited with code {code}")


async def test_engine_loss_greys_the_last_snapshot_with_its_age_and_recovers(
    make_app: AppFactory, seeded: str, clock: FrozenClock
) -> None:
    fake = FakeSwarm(swarm_evidence(clock))
    app = make_app(seeded, source=fake, poll_interval_s=0.2)
    async with app.run_test(size=(160, 48)) as pilot:
        panel = services(app).services
        await wait_until(pilot, lambda: source_line(app).startswith("live swarm Docker 27"))
        assert not panel.has_class("-stale") and panel.border_subtitle == ""

        fake.down = "no Docker engine at unix:///x.sock: the socket does not exist (start dockerd)"
        clock.advance(seconds=42)
        await wait_until(pilot, lambda: panel.has_class("-stale"))
        assert source_line(app).startswith(
            "engine unreachable: no Docker engine at unix:///x.sock: the socket does not exist (start dockerd)"
            " - last seen 0:00:42 ago (snapshot of 05:20:00)"
        )
        assert panel.border_subtitle == "last seen 0:00:42 ago"
        assert panel.table.row_count == len(fake.evidence.services)
        assert services(app).header.header_view.engine_ok is False
        clock.advance(seconds=5)
        await wait_until(pilot, lambda: panel.border_subtitle == "last seen 0:00:47 ago")

        worker_up = [s.model_copy(update={"running": 1}) if s.name == "worker" else s for s in fake.evidence.services]
        fake.evidence = fake.evidence.model_copy(update={"services": worker_up, "collected_at": clock()})
        fake.down = ""
        await wait_until(pilot, lambda: not panel.has_class("-stale"))
        assert source_line(app).startswith("live swarm Docker 27 (API 1.47) - collected 05:20:47")
        assert panel.table.get_row("worker")[1].plain == "1/1"
        assert services(app).header.header_view.engine_ok is True


async def test_engine_events_poll_at_once_and_reach_the_timeline_throttled(
    make_app: AppFactory, seeded: str, clock: FrozenClock, journal: Journal
) -> None:
    fake = FakeSwarm(swarm_evidence(clock))
    app = make_app(seeded, source=fake, poll_interval_s=600)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: fake.polls == 1 and on_screen(app).latest is not None)
        await pilot.pause(0.6)
        assert fake.polls == 1, "no poll before the interval without news"

        rolled_back = EngineEvent(at=clock(), kind="update", service="web", text="web: update rolled back")
        fake.emit(*[died("worker", clock()) for _ in range(5)], rolled_back)
        await wait_until(pilot, lambda: kinds(journal, seeded).count("swarm_event") == 2)
        await wait_until(pilot, lambda: fake.polls == 2)
        await pilot.pause(0.6)
        assert fake.polls == 2, "six events, one poll"
        news = [e.payload for e in journal.events(seeded) if e.kind is ev.EventKind.SWARM_EVENT]
        assert news == [
            ev.SwarmEvent(subject="worker", text="container exited with code 1"),
            ev.SwarmEvent(subject="web", text="update rolled back"),
        ]
        timeline = services(app).timeline.plain
        assert timeline.splitlines()[-2:] == [
            "05:20:00 ana@node1 worker: container exited with code 1",
            "05:20:00 ana@node1 web: update rolled back",
        ]

        clock.advance(seconds=61)
        await wait_until(pilot, lambda: kinds(journal, seeded).count("swarm_event") == 3)
        assert journal.events(seeded)[-1].payload == ev.SwarmEvent(
            subject="worker", text="container exited with code 1 (4 more since 05:20:00)"
        )


async def test_l_reads_the_logs_in_a_worker_and_shows_them_literally(
    make_app: AppFactory, seeded: str, clock: FrozenClock
) -> None:
    fake = FakeSwarm(swarm_evidence(clock))
    fake.log_lines = [LogLine(service="worker", at=clock(), text=text) for text in HOSTILE]
    fake.logs_gate.clear()
    app = make_app(seeded, source=fake)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await press_on_service(app, pilot, "worker", "l")
        screen = app.screen
        assert isinstance(screen, LogsScreen)
        assert "boom: cannot connect to queue" in screen.text, "the captured lines show while the engine is read"
        assert screen.query_one(".title").render().plain == "Logs of worker: reading ..."  # type: ignore[attr-defined]
        took = []
        for key in ("up", "down", "end", "up", "down"):
            started = time.perf_counter()
            await pilot.press(key)
            took.append(time.perf_counter() - started)
        assert statistics.median(took) < 0.5 and max(took) < 1.5, "keys are handled while the logs are read"

        fake.logs_gate.set()
        await wait_until(pilot, lambda: SHOWN[1] in screen.text)
        assert screen.text == "\n".join(f"05:20:00 {line}" for line in SHOWN)
        assert "\x1b" not in screen.text and "\x07" not in screen.text
        assert screen.query_one(".title").render().plain == "Logs of worker: 2 recent lines"  # type: ignore[attr-defined]
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "href" not in svg

        fake.logs_gate.clear()
        await pilot.press("r")
        await wait_until(pilot, lambda: fake.logs_calls == 2)
        await pilot.press("escape")
        assert isinstance(app.screen, IncidentScreen), "closing does not wait for a read in progress"
        fake.logs_gate.set()


async def test_logs_that_cannot_be_read_say_why_and_keep_the_captured_lines(
    make_app: AppFactory, seeded: str, clock: FrozenClock
) -> None:
    fake = FakeSwarm(swarm_evidence(clock))
    fake.logs_error = LogsUnavailable("no Docker engine at unix:///x.sock: the socket does not exist")
    app = make_app(seeded, source=fake)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await press_on_service(app, pilot, "worker", "l")
        screen = app.screen
        assert isinstance(screen, LogsScreen)
        title = screen.query_one(".title")
        await wait_until(pilot, lambda: "cannot read" in title.render().plain)  # type: ignore[attr-defined]
        assert title.render().plain == (  # type: ignore[attr-defined]
            "Logs of worker: cannot read them (no Docker engine at unix:///x.sock: the socket does not exist);"
            " showing the lines captured at the last poll"
        )
        assert "boom: cannot connect to queue" in screen.text


async def test_enter_on_a_service_shows_its_tasks_and_l_then_its_logs(
    make_app: AppFactory, seeded: str, clock: FrozenClock
) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await press_on_service(app, pilot, "worker", "enter")
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        expected = [t for t in demo.evidence(clock()).tasks if t.service == "worker"]
        assert expected, "the demo keeps the tasks of the crash-looping worker"
        shown = screen.query_one("#tasks-table")
        rows = [[cell.plain for cell in shown.get_row_at(i)] for i in range(shown.row_count)]  # type: ignore[attr-defined]
        assert rows == [
            [
                str(t.slot),
                t.node,
                t.desired_state,
                t.state,
                "" if t.exit_code is None else str(t.exit_code),
                t.error or t.message,
                f"{t.timestamp:%H:%M:%S}",
            ]
            for t in expected
        ]
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LogsScreen) and app.screen.service == "worker"
        assert "boom: cannot connect to queue" in app.screen.text


async def test_a_service_without_kept_tasks_says_so(make_app: AppFactory, seeded: str) -> None:
    app = make_app(seeded)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await press_on_service(app, pilot, "api", "enter")
        screen = app.screen
        assert isinstance(screen, TasksScreen) and screen.tasks == []
        assert "tasks are kept only for services that show trouble" in svg_text(app.export_screenshot())
        await pilot.press("escape")
        assert isinstance(app.screen, IncidentScreen)


async def test_new_signals_are_told_and_the_triage_waits_for_t(
    make_app: AppFactory, seeded: str, clock: FrozenClock, journal: Journal
) -> None:
    fake = FakeSwarm(swarm_evidence(clock))
    oom = Signal(kind=SignalKind.OOM_KILLED, subject="api", detail="api OOM-killed", observed_at=clock())
    fake.evidence = fake.evidence.model_copy(update={"signals": [*fake.evidence.signals, oom]})
    app = make_app(seeded, source=fake, poll_interval_s=0.2)
    triages = kinds(journal, seeded).count("triage_generated")
    async with app.run_test(size=(160, 48)) as pilot:

        def told() -> list[str]:
            return [n.message for n in app.toasts if n.title == "Evidence changed"]

        await wait_until(pilot, lambda: bool(told()))
        assert told() == ["evidence changed: 1 new signal (oom_killed api) - press t to re-triage"]
        await wait_until(pilot, lambda: fake.polls >= 5)
        assert len(told()) == 1, "told once"
        assert kinds(journal, seeded).count("triage_generated") == triages, "no triage without t"

        await pilot.press("t")
        await wait_until(pilot, lambda: kinds(journal, seeded).count("triage_generated") == triages + 1)
        assert app.incident is not None and app.incident.evidence is not None
        assert ("oom_killed", "api") in {(s.kind.value, s.subject) for s in app.incident.evidence.signals}
        polls = fake.polls
        await wait_until(pilot, lambda: fake.polls >= polls + 3)
        assert len(told()) == 1


async def test_quitting_lets_go_of_the_engine_even_when_a_poll_hangs(
    make_app: AppFactory, seeded: str, clock: FrozenClock
) -> None:
    fake = FakeSwarm(swarm_evidence(clock))
    fake.answering.clear()
    app = make_app(seeded, source=fake)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: fake.polls == 1)
            started = time.perf_counter()
            app.exit()
        assert time.perf_counter() - started < 2.0, "the hanging poll is not waited for (it hangs 30 s)"
        assert fake.closed
    finally:
        fake.answering.set()


async def test_an_engine_never_reached_says_why_and_shows_no_snapshot(
    make_app: AppFactory, journal: Journal, clock: FrozenClock
) -> None:
    fake = FakeSwarm(swarm_evidence(clock))
    fake.down = "Docker engine at unix:///x.sock refused the connection: is dockerd running?"
    app = make_app(new_context=demo.CONTEXT, source=fake)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        panel = services(app).services
        await wait_until(
            pilot,
            lambda: source_line(app) == f"engine unreachable: {fake.down}",
        )
        assert panel.table.row_count == 0 and not panel.has_class("-stale") and panel.border_subtitle == ""
        captured = app.incident.evidence if app.incident else None
        assert captured is not None and [s.kind for s in captured.signals] == [SignalKind.ENGINE_UNREACHABLE]


class RefreshingSwarm(FakeSwarm):
    """A FakeSwarm that can also read a few services again, as SwarmSource does after engine events."""

    def __init__(self, evidence: Evidence) -> None:
        super().__init__(evidence)
        self.refreshed: list[set[str]] = []

    def refresh(self, services: Collection[str]) -> Evidence:
        self.refreshed.append(set(services))
        return self.evidence


async def test_engine_events_read_the_services_they_name_and_full_polls_keep_to_the_interval(
    make_app: AppFactory, seeded: str, clock: FrozenClock
) -> None:
    fake = RefreshingSwarm(swarm_evidence(clock))
    app = make_app(seeded, source=fake, poll_interval_s=600)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: fake.polls == 1 and on_screen(app).latest is not None)
        table = services(app).services.table
        before = {name: table.get_row(name) for name in ("worker", "web")}
        worker = next(s for s in fake.evidence.services if s.name == "worker")
        restarted = worker.model_copy(update={"restarts": worker.restarts + 1, "last_error": "exit 7"})
        fake.evidence = fake.evidence.model_copy(
            update={"services": [restarted if s.name == "worker" else s for s in fake.evidence.services]}
        )
        fake.emit(died("worker", clock()), died("worker", clock()), died("web", clock()))
        await wait_until(pilot, lambda: fake.refreshed and on_screen(app).latest is fake.evidence)
        await pilot.pause(0.6)
        assert fake.refreshed == [{"worker", "web"}], "three events, one read of the two services they name"
        assert fake.polls == 1, "no full poll before the interval"
        assert [cell.plain for cell in table.get_row("worker")][3:5] == [str(worker.restarts + 1), "exit 7"]
        assert table.get_row("web") == before["web"]
        assert on_screen(app).poller.refreshes_started == 1 and on_screen(app).poller.polls_started == 1


async def test_start_up_s_objects_leave_the_collector_once_the_engine_answered(
    make_app: AppFactory, seeded: str
) -> None:
    import gc

    gc.unfreeze()
    app = make_app(seeded)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = services(app)
        await wait_until(pilot, lambda: screen.latest is not None)
        await wait_until(pilot, lambda: screen.memory_settled, timeout=5)
        assert gc.get_freeze_count() > 0
    gc.unfreeze()
