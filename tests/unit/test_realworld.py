"""The rules triage on the development set of real-world and plainer wording (maestro/triage/reported.toml).

Scored as from outside: the most severe issue's runbook and severity, from the description alone. The same file
holds the incidents the triage starts from when nothing reaches a bar: each case is scored against the others.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import pytest

from maestro.model import IncidentContext
from maestro.triage.reported import REPORTED, shipped_index
from maestro.triage.rules import triage

NOW = datetime(2025, 10, 11, 12, 0, tzinfo=UTC)
CASES: list[dict[str, Any]] = tomllib.loads(REPORTED.read_text())["case"]
# share of cases with both cause and severity right, per (batch, kind); a plain case that no runbook's words reach
# starts from the nearest other case, as an unseen report would, not from rules written while looking at it
FLOORS = {
    ("tuning", "real"): 0.9,
    ("tuning", "plain"): 0.9,
    ("fresh", "real"): 0.75,
    ("fresh", "plain"): 0.9,
    ("untouched", "real"): 0.75,
    ("untouched", "plain"): 0.9,
}


def outcome(case: dict[str, Any]) -> tuple[str, str]:
    others = shipped_index().leaving_out(case["text"])
    top = triage(IncidentContext(description=case["text"]), now=NOW, cases=others).issues[0]
    return top.runbook_id, str(top.severity)


def score() -> tuple[dict[tuple[str, str], tuple[int, int]], list[str]]:
    hits: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for case in CASES:
        runbook, severity = outcome(case)
        key = (case["batch"], case["kind"])
        right = runbook in case["expect"] and severity == case["severity"]
        hits[key][0] += right
        hits[key][1] += 1
        if not right:
            misses.append(
                f"  [{key[0]}/{key[1]}] {case['text'][:80]!r}\n"
                f"    expected {'|'.join(case['expect'])} {case['severity']}, got {runbook} {severity}"
            )
    return {k: (v[0], v[1]) for k, v in hits.items()}, misses


def test_the_set_is_split_and_large_enough() -> None:
    kinds = defaultdict(int)
    for case in CASES:
        kinds[(case["batch"], case["kind"])] += 1
    assert kinds[("untouched", "real")] >= 30 and kinds[("tuning", "real")] >= 30
    assert kinds[("untouched", "plain")] >= 15 and kinds[("tuning", "plain")] >= 15
    assert kinds[("fresh", "real")] >= 20 and kinds[("fresh", "plain")] >= 10


def test_cause_and_severity_right_often_enough(capsys: pytest.CaptureFixture[str]) -> None:
    hits, misses = score()
    with capsys.disabled():
        for key, (right, total) in sorted(hits.items()):
            print(f"\n{key[0]:>9} {key[1]:<5} {right}/{total} ({right / total:.0%})", end="")
        # the untouched batch measures: its misses are not shown, so no rule is tuned to them
        print("\n" + "\n".join(m for m in misses if not m.startswith("  [untouched")))
    low = [f"{k}: {r}/{t}" for k, (r, t) in hits.items() if r / t < FLOORS[k]]
    assert not low, "\n".join(low)
