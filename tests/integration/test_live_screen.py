"""The screen against real engines: the lab's failures by name, an engine that stops and comes back, hostile logs.

Tests that stop dockerd or add services use `scratch_lab`, the private second lab.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest
from requests import PreparedRequest, Response

from maestro.collect import swarm
from maestro.collect.logs import MAX_LINE
from maestro.collect.source import LOG_BYTES, SwarmSource
from maestro.config import Config
from maestro.journal import Journal
from maestro.model import IncidentContext
from tests.integration.conftest import Lab
from tests.tui.conftest import hand_triage, on_screen, seed, svg_text, wait_until
from tui.app import MaestroApp
from tui.screens.incident import IncidentScreen
from tui.screens.logs import LogsScreen
from widgets.services import ServicesPanel

pytestmark = [pytest.mark.lab, pytest.mark.timeout(300)]

MARKUP = "[bold red]x[/] [link=http://x]y[/link]"
# What the hostile service prints: 10,000 short lines, a 1 MiB line, binary bytes, markup, escapes (OSC 52 too).
SCRIPT = (
    "seq 10000; head -c 1048576 /dev/zero | tr '\\0' x; echo; "
    "printf '\\377\\376bin\\200ary\\n'; "
    f"echo '{MARKUP}'; "
    "printf '\\033[31mred\\033[0m \\033]52;c;ZXZpbA==\\007\\n'"
)
SHOWN_ESCAPES = "\\x1b[31mred\\x1b[0m \\x1b]52;c;ZXZpbA==\\x07"


@pytest.fixture(autouse=True)
def no_claude(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal.open(tmp_path / "journal.sqlite3") as opened:
        yield opened


def live_app(journal: Journal, host: str, poll_interval_s: float = 0.5) -> tuple[MaestroApp, SwarmSource, str]:
    """The app on an incident triaged beforehand (so no triage runs), polling `host`."""
    incident_id = seed(journal, context=IncidentContext(description="checkout is down"), triage=hand_triage())
    live = SwarmSource(host)
    config = Config(poll_interval_s=poll_interval_s)
    app = MaestroApp(journal=journal, config=config, incident_id=incident_id, evidence_source=live)
    return app, live, incident_id


def panel(app: MaestroApp) -> ServicesPanel:
    screen = app.incident_screen
    assert isinstance(screen, IncidentScreen)
    return screen.services


def polls(app: MaestroApp) -> int:
    """Full polls the incident screen has started (none before the session is open)."""
    poller = on_screen(app).poller
    return poller.polls_started if poller is not None else 0


def rows(app: MaestroApp) -> dict[str, tuple[str, str]]:
    table = panel(app).table
    cells = [table.get_row_at(i) for i in range(table.row_count)]
    return {row[0].plain: (row[1].plain, row[2].plain) for row in cells}


def source_line(app: MaestroApp) -> str:
    return panel(app).query_one("#services-source").render().plain  # type: ignore[attr-defined]


def lab_replicas(lab: Lab) -> dict[str, str]:
    listing = lab.docker("service", "ls", "--format", "{{.Name}} {{.Replicas}}")
    return dict(line.split(" ", 1) for line in listing.splitlines())


def api_troubled(lab: Lab) -> bool:
    """Whether a task of the lab's healthy `api` failed or carries an error (a loaded machine can kill one)."""
    listing = lab.docker("service", "ps", "--no-trunc", "--format", "{{.CurrentState}}|{{.Error}}", "api")
    return any(
        not state.startswith(("Running", "Shutdown")) or error
        for state, error in (line.split("|", 1) for line in listing.splitlines())
    )


async def test_the_lab_failing_services_show_by_name_from_one_client(
    lab: Lab, journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths: list[list[str]] = []
    connect = swarm.connect

    def counted(host: str | None = None, **kwargs: Any) -> docker.DockerClient:
        client = connect(host, **kwargs)
        sent: list[str] = []
        send = client.api.send

        def count(request: PreparedRequest, **options: Any) -> Response:
            sent.append(str(request.path_url).split("?")[0])
            return send(request, **options)

        client.api.send = count  # type: ignore[method-assign]
        paths.append(sent)
        return client

    monkeypatch.setattr(swarm, "connect", counted)
    app, live, incident_id = live_app(journal, lab.host)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: polls(app) >= 4 and len(rows(app)) >= 7, timeout=60)
        await wait_until(pilot, lambda: live.following, timeout=30)
        shown = rows(app)
        assert set(shown) == set(lab_replicas(lab))
        for name in ("pending", "ghost"):  # never run a task: down on every poll
            assert shown[name] == (lab_replicas(lab)[name], "DOWN")
        assert shown["api"] == ("3/3", "ERRORS" if api_troubled(lab) else "ok"), "ERRORS only for a task in trouble"
        assert shown["web"] == ("2/2", "UPDATE"), "its update rolled back"
        states = [state for _, state in shown.values()]
        assert states.index("ok") > max(i for i, s in enumerate(states) if s == "DOWN"), "trouble first"
        assert source_line(app).startswith("live swarm Docker ")

        def heard_worker() -> bool:
            return any(
                e.kind.value == "swarm_event"
                and e.payload.model_dump() == {"subject": "worker", "text": "container exited with code 1"}
                for e in journal.events(incident_id)
            )

        await wait_until(pilot, heard_worker, timeout=30)
    assert not live.following, "quitting closed the event stream"
    assert len(paths) == 1, "one client for the whole session"
    sent = paths[0]
    assert sum(p.endswith("/services") for p in sent) >= 4
    assert sum(p.endswith("/info") for p in sent) == 1, "the engine is identified once, not on every poll"


async def test_an_engine_that_stops_mid_session_greys_the_pane_and_comes_back(
    scratch_lab: Lab, journal: Journal
) -> None:
    app, live, _ = live_app(journal, scratch_lab.host)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            services = panel(app)
            await wait_until(pilot, lambda: len(rows(app)) >= 7 and live.following, timeout=60)
            before = set(rows(app))

            stopped = await asyncio.to_thread(scratch_lab.script, "down", "--keep-data")
            assert stopped.returncode == 0, stopped.stderr
            await wait_until(pilot, lambda: services.has_class("-stale"), timeout=30)
            assert source_line(app).startswith(f"engine unreachable: no Docker engine at {scratch_lab.host}")
            assert re.fullmatch(r"last seen \d:\d\d:\d\d ago", str(services.border_subtitle))
            assert set(rows(app)) == before, "the last snapshot stays"
            for key in ("tab", "shift+tab", "down", "up"):  # a call waiting on the engine would take seconds
                started = time.perf_counter()
                await pilot.press(key)
                assert time.perf_counter() - started < 1.0, f"{key} waited while the engine is gone"
            assert isinstance(app.screen, IncidentScreen)

            restarted = await asyncio.to_thread(scratch_lab.script, "up", "--bare")
            assert restarted.returncode == 0, restarted.stderr
            await wait_until(pilot, lambda: not services.has_class("-stale"), timeout=60)
            assert source_line(app).startswith("live swarm Docker ")
            assert set(rows(app)) == before
            await wait_until(pilot, lambda: live.following, timeout=30)
    finally:
        await asyncio.to_thread(scratch_lab.script, "up")


@pytest.fixture
def hostile_service(scratch_lab: Lab) -> Iterator[str]:
    """A one-shot service in the scratch lab that printed hostile and huge lines, finished."""
    client = scratch_lab.client()
    spec = docker.types.ContainerSpec("maestro/busybox:lab", ["sh", "-c", SCRIPT])
    template = docker.types.TaskTemplate(spec, restart_policy=docker.types.RestartPolicy(condition="none"))
    client.api.create_service(template, name="hostile-logs")
    try:
        deadline = time.monotonic() + 60
        states: set[str] = set()
        while time.monotonic() < deadline:
            states = {t["Status"]["State"] for t in client.api.tasks(filters={"service": "hostile-logs"})}
            if states == {"complete"}:
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"the hostile service did not complete: {states}")
        yield "hostile-logs"
    finally:
        client.api.remove_service("hostile-logs")
        client.close()


def resident_kib() -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]


async def test_hostile_and_huge_logs_show_literally_bounded_and_keys_stay_quick(
    scratch_lab: Lab, journal: Journal, hostile_service: str
) -> None:
    app, _, _ = live_app(journal, scratch_lab.host, poll_interval_s=2.0)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: hostile_service in rows(app), timeout=60)
        await pilot.press("4")  # the services pane: `l` shows the selected service's logs
        table = panel(app).table
        table.move_cursor(row=table.get_row_index(hostile_service))
        rss_before = resident_kib()
        asked = time.perf_counter()
        await pilot.press("l")
        screen = app.screen
        assert isinstance(screen, LogsScreen)
        title = screen.query_one(".title")
        await wait_until(pilot, lambda: "recent lines" in title.render().plain, timeout=30)  # type: ignore[attr-defined]
        loaded_in = time.perf_counter() - asked
        await pilot.pause()
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\x07" not in svg and "href" not in svg
        assert MARKUP in svg_text(svg) and SHOWN_ESCAPES in svg_text(svg), "the newest lines are in view"

        lines = [line.split(" ", 1)[1] for line in screen.text.splitlines()]
        assert lines[-3:] == ["\ufffd\ufffdbin\ufffdary", MARKUP, SHOWN_ESCAPES]
        assert "\x1b" not in screen.text and "\x07" not in screen.text
        huge = next(line for line in lines if line.startswith("xxxx"))
        assert huge.startswith("x" * MAX_LINE) and huge.endswith("bytes cut)") and len(huge) < MAX_LINE + 40
        numbers = [int(line) for line in lines if line.isdigit()]
        assert numbers[-1] == 10_000 and numbers == list(range(10_001 - len(numbers), 10_001))
        assert len(screen.text.encode()) <= LOG_BYTES + 10 * len(lines), "the byte budget (plus the HH:MM:SS)"

        took = []
        for key in ("pageup", "pageup", "up", "home", "end", "pagedown", "down", "up", "pageup", "end"):
            started = time.perf_counter()
            await pilot.press(key)
            took.append(time.perf_counter() - started)
        # A freeze (a huge text, a wait on the engine) shows on every key; a busy CI machine delays a few.
        assert statistics.median(took) < 0.5 and max(took) < 1.5, [f"{t:.2f}" for t in took]
        grown_mib = (resident_kib() - rss_before) / 1024
        assert grown_mib < 50, f"resident memory grew by {grown_mib:.0f} MiB"

        print(f"logs of {len(lines)} lines shown in {loaded_in:.2f} s; slowest key {max(took) * 1000:.0f} ms")
