"""Start-up: process start until the triage is on the terminal, maestro vs a bare Textual app's first frame.

Method: each program runs N times as a child process on a 160x48 pseudo-terminal, all of them taking
turns so they share the machine's state, each run on a fresh journal with no config file. The clock
starts just before the process is spawned and stops when the terminal receives the first frame's
content (the bare app's Static text; maestro's pane titles) and, for maestro, when the checklist's
P0 heading is written: the rules triage is on screen (what the person came for). For the demo, the
time until an issue only the evidence shows (the worker's crash loop) is on screen is printed too.
Maestro is the real command in four shapes: `maestro-tui --demo` (the demo evidence source
polling) without ANTHROPIC_API_KEY; the same with a key and ANTHROPIC_BASE_URL pointing at the local
fake Messages API (tests/fake_anthropic.py on 127.0.0.1: nothing leaves the machine), which answers
slowly so Claude is still streaming while the rules triage is measured; and a new incident from a
description with no engine (DOCKER_HOST names a socket nobody listens on), and that incident resumed (the
command with no description). In all of them a second process opens the new incident and journals its
triage, or reads the resumed one, while the screen starts (maestro/incident_ahead.py); the screen draws that
checklist first. All are medians. The floor is the
bare app's first frame. Targets: first frame / bare <= 1.5; triage on screen / bare <= 2.0 (goal 1.5).

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

BARE_WITH_MODELS = BARE.replace(
    "        yield Footer()\n",
    """        yield Footer()

    def on_mount(self):
        self.call_after_refresh(self.load_models)

    def load_models(self):
        import pydantic

        class Model(pydantic.BaseModel):
            text: str = ""

        self.query_one(Static).update(Model(text="models-ready").text)
""",
)
"""The bare app that, after its first frame, loads pydantic and makes one model: the least a triage on
screen costs in one process with the core's model library, before any of the core's own work."""

MAESTRO = """
import sys
from tui.cli import main

raise SystemExit(main(sys.argv[1:]))
"""

DESCRIPTION = "API returns 500 errors after deploy"
NAMES = ("bare", "bare + models", "demo", "demo + key", "new, no engine", "resumed")
MAESTROS = NAMES[2:]
FIRST_FRAME = dict.fromkeys(NAMES, b"Checklist") | {"bare": b"bare-first-frame", "bare + models": b"bare-first-frame"}
TRIAGE_SHOWN = b"P0 CRITICAL"
EVIDENCE_SHOWN = {"demo": b"Crash loop", "demo + key": b"Crash loop"}
KEY = "bench-key-not-a-secret"


def once(name: str, folder: Path, fake: FakeAnthropic) -> dict[str, float]:
    """Seconds from spawn to each moment, and the CPU seconds the program had used by then."""
    if name.startswith("bare"):
        program = PtyProgram(BARE if name == "bare" else BARE_WITH_MODELS)
    else:
        env: dict[str, str | None] = {"MAESTRO_CONFIG": str(folder / "no-config.toml"), "ANTHROPIC_API_KEY": None}
        journal = "new, no engine" if name == "resumed" else name
        args = ["--journal", str(folder / f"journal-{journal.replace(' ', '').replace(',', '-')}.sqlite3")]
        if name in ("new, no engine", "resumed"):
            env |= {"DOCKER_HOST": f"unix://{folder}/nobody-listens.sock"}
        if name == "new, no engine":
            args.append(DESCRIPTION)
        elif name != "resumed":  # resumed: no description, so the latest open incident (the run before opened it)
            args.append("--demo")
        if name == "demo + key":
            fake.script(tool_call(sample.answer(), chunk_size=16, chunk_delay_s=0.5))
            env |= {"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": fake.base_url}
        program = PtyProgram(MAESTRO, *args, env=env)
    asked = len(fake.requests)
    seen: dict[str, float] = {}
    try:
        seen["first"] = program.read_until(FIRST_FRAME[name])
        seen["first cpu"] = program.cpu_seconds()
        if name == "bare + models":
            seen["models"] = program.read_until(b"models-ready")
        elif name != "bare":
            seen["triage"] = program.read_until(TRIAGE_SHOWN)
            seen["triage cpu"] = program.cpu_seconds()
        if name in EVIDENCE_SHOWN:
            seen["evidence"] = program.read_until(EVIDENCE_SHOWN[name])
        if name == "demo + key":
            program.read_until(b"Claude is refining the triage")
            deadline = time.perf_counter() + 5
            while len(fake.requests) == asked and time.perf_counter() < deadline:
                program.drain(0.05)
            assert len(fake.requests) == asked + 1, "the run with a key asked the local fake"
    finally:
        program.stop()
    return seen


def main(runs: int) -> None:
    times: dict[str, dict[str, list[float]]] = {name: {} for name in NAMES}
    with tempfile.TemporaryDirectory() as tmp, FakeAnthropic() as fake:
        assert fake.base_url.startswith("http://127.0.0.1:"), fake.base_url
        for run in range(runs + 1):
            folder = Path(tmp) / f"run-{run}"
            folder.mkdir()
            for name in NAMES:
                seen = once(name, folder, fake)
                for moment, value in seen.items():
                    if run:
                        times[name].setdefault(moment, []).append(value)
        asked = len(fake.requests)

    def median(name: str, moment: str) -> float:
        return statistics.median(times[name][moment])

    bare, bare_cpu = median("bare", "first"), median("bare", "first cpu")
    print(f"runs: {runs} each (after one warm-up), interleaved, 160x48 pty, medians from process start")
    print(f"bare Textual app (Header, Static, Footer) first frame (floor): {bare * 1000:7.1f} ms,")
    print(f"  CPU used by then {bare_cpu * 1000:5.0f} ms")
    models = median("bare + models", "models")
    floor = f"{models * 1000:7.1f} ms ({models / bare:.2f}x bare)"
    print(f"the same, pydantic and a model loaded after that frame: {floor}:")
    print("  the least a triage on screen costs in one process with the core's model library")
    for name in MAESTROS:
        for moment, label, target in (
            ("first", "first frame", " target <= 1.5"),
            ("triage", "rules triage on screen", " target <= 2.0"),
            ("evidence", "evidence in the triage", ""),
        ):
            if moment not in times[name]:
                continue
            wall = median(name, moment)
            line = f"{name:<15} {label:<23} {wall * 1000:7.1f} ms  ({wall / bare:.2f}x bare,{target})"
            if f"{moment} cpu" in times[name]:
                cpu = median(name, f"{moment} cpu")
                line += f"  CPU {cpu * 1000:5.0f} ms ({cpu / bare_cpu:.2f}x)"
            print(line)
    print(f"Claude requests the local fake received: {asked} (one per run with a key, warm-up included)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
