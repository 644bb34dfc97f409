"""Notice when the latest signals drift from the ones the triage was made from, without re-triaging.

A signal is (kind, subject). A change counts once it has held for `confirmations` polls in a row, so a
crash-looping service that is briefly up does not flap the notice; each change is told once per triage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from maestro.model import Evidence

Key = tuple[str, str]
Change = tuple[Literal["new", "cleared"], Key]
SHOWN_PER_KIND = 3


def signal_keys(evidence: Evidence | None) -> frozenset[Key]:
    return frozenset((s.kind.value, s.subject) for s in evidence.signals) if evidence else frozenset()


class DriftWatch:
    def __init__(self, confirmations: int = 2) -> None:
        self.confirmations = confirmations
        self._baseline: frozenset[Key] | None = None
        self._streak: dict[Change, int] = {}
        self._told: set[Change] = set()

    def update(self, triaged: Evidence | None, latest: Evidence) -> str:
        """What to tell the person after this poll ('' for nothing); `triaged` is the evidence of the triage."""
        baseline = signal_keys(triaged)
        if baseline != self._baseline:
            self._baseline, self._streak, self._told = baseline, {}, set()
        current = signal_keys(latest)
        changes: set[Change] = {("new", k) for k in current - baseline} | {("cleared", k) for k in baseline - current}
        self._streak = {change: self._streak.get(change, 0) + 1 for change in changes}
        due = {c for c, held in self._streak.items() if held >= self.confirmations and c not in self._told}
        if not due:
            return ""
        self._told |= due
        return describe(due)


def describe(changes: set[Change]) -> str:
    parts = []
    for which in ("new", "cleared"):
        keys = sorted(key for kind, key in changes if kind == which)
        if not keys:
            continue
        named = ", ".join(f"{kind} {subject}".strip() for kind, subject in keys[:SHOWN_PER_KIND])
        more = f", +{len(keys) - SHOWN_PER_KIND}" if len(keys) > SHOWN_PER_KIND else ""
        label = f"{len(keys)} new signal{'s' * (len(keys) != 1)}" if which == "new" else f"{len(keys)} cleared"
        parts.append(f"{label} ({named}{more})")
    return f"evidence changed: {'; '.join(parts)} - press t to re-triage"
