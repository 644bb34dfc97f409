"""The built wheel carries exactly the project's packages, and every report renders from a fresh venv.

The wheel is built without network (the project venv's hatchling, no build isolation) and unpacked with
`pip install --no-deps --no-index --target` into a venv made with `--without-pip`. The third-party
dependencies come from the project venv through a `.pth` line, which Python appends after the fresh
venv's own site-packages, so `maestro` and `templates` can only be the wheel's copies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
import venv
import zipfile
from pathlib import Path

from maestro import report

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"maestro", "tui", "widgets", "templates"}
"""The wheel's top-level names. `tui`, `widgets` and `templates` are generic: the README says to install
into an environment of its own (pipx, uv tool or a dedicated venv) so they never meet another project's."""
SHIPPED_SUFFIXES = {".py", ".toml", ".tcss", ".json", ".j2"}

EXPORT_FROM_WHEEL = """
import json, sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import maestro, templates
from maestro import events as ev, report
from maestro.config import Config
from maestro.incident import fold
from maestro.model import Command, IncidentContext, Severity, SystemStatus, Triage, TriageIssue

t0 = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
issue = TriageIssue(
    id="swarm.crash_loop:worker", runbook_id="swarm.crash_loop", subject="worker", severity=Severity.P0,
    title="Worker crash loop", summary="worker exits at start",
    fix=[Command(text="docker service rollback worker", purpose="Roll back worker")],
)
triage = Triage(
    severity=Severity.P0, system_status=SystemStatus.DOWN, user_impact="checkout down",
    primary_cause="bad deploy", issues=[issue], eta_minutes=15, generated_at=t0,
)
payloads = [
    (ev.EventKind.INCIDENT_OPENED, ev.IncidentOpened(context=IncidentContext(description="worker is down"))),
    (ev.EventKind.TRIAGE_GENERATED, ev.TriageGenerated(triage=triage)),
    (ev.EventKind.ITEM_TICKED, ev.ItemTicked(item=issue.id)),
]
events = [
    ev.Event(seq=n, incident_id="INC-W", at=t0 + timedelta(minutes=n), actor="ana@node1", kind=kind, payload=p)
    for n, (kind, p) in enumerate(payloads, start=1)
]
files = report.export(fold(events), Config(), Path(sys.argv[1]), now=t0 + timedelta(minutes=20))
print(json.dumps({
    "maestro": maestro.__file__,
    "templates": templates.__file__,
    "files": [str(f) for f in files],
    "sys_path": sys.path,
}))
"""


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def _build_wheel(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    wheel_args = ["--no-deps", "--no-build-isolation", "--no-index", "--wheel-dir", str(dist), "--quiet"]
    built = _run([sys.executable, "-m", "pip", "wheel", str(ROOT), *wheel_args], cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("maestro_tui-*.whl")
    return wheel


def test_the_wheel_carries_exactly_the_project_packages_and_all_their_files(tmp_path: Path) -> None:
    wheel = zipfile.ZipFile(_build_wheel(tmp_path))
    names = wheel.namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == PACKAGES
    source = {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.suffix in SHIPPED_SUFFIXES and "__pycache__" not in path.parts
    }
    assert source - set(names) == set(), "every source file of the packages is in the wheel"
    assert {n for n in names if not n.split("/")[0].endswith(".dist-info")} == source, "and nothing else"
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "maestro-tui = tui.cli:main" in wheel.read(entry_points).decode()


def test_every_report_renders_from_the_installed_wheel(tmp_path: Path) -> None:
    started = time.monotonic()
    wheel = _build_wheel(tmp_path)
    shipped = zipfile.ZipFile(wheel).namelist()
    for name in ["reports.html.j2", *(r.template for r in report.REPORTS)]:
        assert f"templates/{name}" in shipped
    built_at = time.monotonic()

    fresh = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(fresh)
    python = fresh / "bin" / "python"
    site = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path).stdout.strip()
    )
    install_args = ["--no-deps", "--no-index", "--quiet", "--target", str(site), str(wheel)]
    installed = _run([sys.executable, "-m", "pip", "install", *install_args], cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    (site / "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    installed_at = time.monotonic()

    workdir = tmp_path / "work"
    workdir.mkdir()
    out = workdir / "reports"
    result = _run([str(python), "-c", EXPORT_FROM_WHEEL, str(out)], cwd=workdir)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert Path(facts["maestro"]).is_relative_to(site)
    assert Path(facts["templates"]).is_relative_to(site)
    assert not any(Path(p).resolve() == ROOT for p in facts["sys_path"] if p)

    files = [Path(f) for f in facts["files"]]
    assert [f.name for f in files] == [r.filename for r in report.REPORTS] + [report.HTML_FILE, report.JSON_FILE]
    texts = {f.name: f.read_text(encoding="utf-8") for f in files}
    assert "1. ✓ Worker crash loop (05:03 UTC)" in texts["01-executive-summary.md"]
    assert "docker service rollback worker" in texts["02-priority-list.md"]
    assert "├─" in texts["04-quick-reference.md"]
    assert "| Time to mitigate | 2 min |" in texts["05-incident-report.md"]
    assert '<section class="report" id="incident-report">' in texts[report.HTML_FILE]
    assert json.loads(texts[report.JSON_FILE])["incident"]["id"] == "INC-W"
    finished = time.monotonic()
    print(
        f"wheel build {built_at - started:.1f}s, venv+install {installed_at - built_at:.1f}s, "
        f"export {finished - installed_at:.1f}s, total {finished - started:.1f}s"
    )
    assert finished - started < 30
