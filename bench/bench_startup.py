"""Start-up: process start until the first frame is on the terminal, maestro vs a bare Textual app.

Method: each program runs N times as a child process on a 160x48 pseudo-terminal, all of them taking
turns so they share the machine's state. The clock starts just before the process is spawned and stops
when the terminal receives the first frame's content: the bare app's Static text; maestro's pane titles.
Maestro is the real command, `maestro-tui --demo` on a fresh journal with no config file, the demo
evidence source polling. It runs twice: without ANTHROPIC_API_KEY, and with a key and ANTHROPIC_BASE_URL
pointing at the local fake Messages API (tests/fake_anthropic.py on 127.0.0.1: nothing leaves the
machine), which answers slowly so Claude is still streaming while the rules triage is measured. The
time until the rules triage is on screen is printed as well. All are medians. Target: maestro / bare <= 1.5.

    .venv/bin/python bench/bench_startup.py [runs]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ptyrun import PtyProgram
from tests import claude_samples as sample
from tests.fake_anthropic import FakeAnthropic, tool_call

BARE = """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("bare-first-frame")
        yield Footer()

Bare().run()
"""

MAESTRO = """
import sys
from tui.cli import main

raise SystemExit(main(["--demo", "--journal", sys.argv[1]]))
"""

FIRST_FRAME = {"bare": b"bare-first-frame", "maestro": b"Checklist", "maestro + key": b"Checklist"}
TRIAGE_SHOWN = b"Crash loop"
KEY = "bench-key-not-a-secret"


def once(name: str, folder: Path, fake: FakeAnthropic) -> tuple[float, float | None]:
    if name == "bare":
        program = PtyProgram(BARE)
    else:
        env: dict[str, str | None] = {"MAESTRO_CONFIG": str(folder / "no-config.toml"), "ANTHROPIC_API_KEY": None}
        if name == "maestro + key":
            fake.script(tool_call(sample.answer(), chunk_size=16, chunk_delay_s=0.5))
            env |= {"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": fake.base_url}
        program = PtyProgram(MAESTRO, str(folder / f"journal-{name}.sqlite3"), env=env)
    asked = len(fake.requests)
    try:
        first = program.read_until(FIRST_FRAME[name])
        triage = program.read_until(TRIAGE_SHOWN) if name != "bare" else None
        if name == "maestro + key":
            program.read_until(b"Claude is refining the triage")
            deadline = time.perf_counter() + 5
            while len(fake.requests) == asked and time.perf_counter() < deadline:
                program.drain(0.05)
            assert len(fake.requests) == asked + 1, "the run with a key asked the local fake"
    finally:
        program.stop()
    return first, triage


def main(runs: int) -> None:
    names = ("bare", "maestro", "maestro + key")
    first: dict[str, list[float]] = {name: [] for name in names}
    triage: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp, FakeAnthropic() as fake:
        assert fake.base_url.startswith("http://127.0.0.1:"), fake.base_url
        for run in range(runs + 1):
            folder = Path(tmp) / f"run-{run}"
            folder.mkdir()
            for name in names:
                shown, triaged = once(name, folder, fake)
                if run == 0:
                    continue
                first[name].append(shown)
                if triaged is not None:
                    triage[name].append(triaged)
        asked = len(fake.requests)

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:7.1f} ms"

    bare = statistics.median(first["bare"])
    print(f"runs: {runs} each (after one warm-up), 160x48 pty, median of process start -> first frame")
    print(f"bare Textual app (Header, Static, Footer):    {ms(first['bare'])}")
    for name in names[1:]:
        ratio = statistics.median(first[name]) / bare
        print(f"{name:<14} first frame:                {ms(first[name])}  ({ratio:.2f}x)")
        print(f"{name:<14} rules triage on screen:     {ms(triage[name])}")
    print(f"Claude requests the local fake received: {asked} (one per run with a key, warm-up included)")
    print(f"ratio maestro / bare: {statistics.median(first['maestro']) / bare:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
