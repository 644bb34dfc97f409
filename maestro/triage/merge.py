"""Claude's triage refines the rules triage without losing issue ids (checklist ticks hang on them)."""

from __future__ import annotations

from collections.abc import Iterable

from maestro.model import Provenance, Triage, TriageIssue


def ranked(issues: Iterable[TriageIssue]) -> list[TriageIssue]:
    """Most severe first; within one severity the given order stays (it carries meaning)."""
    return sorted(issues, key=lambda i: i.severity.rank)


def merge(rules: Triage, claude: Triage) -> tuple[Triage, list[str]]:
    """The merged triage and a short diff against the rules one (empty when nothing changed).

    Within one severity the rules triage's order stays (most actionable first for one subject), with
    Claude's version of each issue it also gave; issues only Claude found follow, in Claude's order.
    """
    refined = {i.id: i for i in claude.issues}
    known = {i.id for i in rules.issues}
    from_rules = [refined.get(i.id) or i.model_copy(update={"provenance": Provenance.RULES}) for i in rules.issues]
    issues = ranked([*from_rules, *(i for i in claude.issues if i.id not in known)])
    severity = min([claude.severity, *(i.severity for i in issues)], key=lambda s: s.rank)
    merged = claude.model_copy(
        update={
            "severity": severity,
            "issues": issues,
            "contributing_factors": _union(claude.contributing_factors, rules.contributing_factors),
            "prevention": claude.prevention.model_copy(
                update={
                    part: _union(getattr(claude.prevention, part), getattr(rules.prevention, part))
                    for part in ("immediate", "short_term", "long_term")
                }
            ),
            "engine": Provenance.CLAUDE,
        }
    )
    return merged, _diff(rules, merged)


def _union(first: list[str], second: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def _diff(rules: Triage, merged: Triage) -> list[str]:
    before = {i.id: i for i in rules.issues}
    added = [i for i in merged.issues if i.id not in before]
    common = [(before[i.id], i) for i in merged.issues if i.id in before and i.provenance is Provenance.CLAUDE]
    reranked = sum(1 for old, new in common if old.severity != new.severity)
    refined = sum(1 for old, new in common if old.severity == new.severity and _content(old) != _content(new))
    kept = sum(1 for i in merged.issues if i.provenance is Provenance.RULES)
    parts = [
        _count(len(added), "+{} issue", "+{} issues"),
        f"severity {rules.severity}→{merged.severity}" if rules.severity != merged.severity else "",
        _count(reranked, "{} issue re-ranked", "{} issues re-ranked"),
        _count(refined, "{} issue refined", "{} issues refined"),
        _count(kept, "{} rules issue kept", "{} rules issues kept"),
    ]
    return [p for p in parts if p]


def _content(issue: TriageIssue) -> dict[str, object]:
    return issue.model_dump(exclude={"provenance", "confidence"})


def _count(n: int, one: str, many: str) -> str:
    if n == 0:
        return ""
    return (one if n == 1 else many).format(n)
