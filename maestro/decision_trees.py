"""The seed's two decision trees, "Should I roll back?" and "Should I escalate?", as data, answered from the
incident's situation. Each answer names the branch taken and the facts that took it there."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from maestro.config import Config
from maestro.escalation import level_of
from maestro.incident import Incident
from maestro.model import Evidence, Model, Severity
from maestro.situation import Situation, situation

NO_PROGRESS_LIMIT = timedelta(minutes=30)


class Branch(Model):
    id: str
    question: str
    yes: str
    no: str


class Tree(Model):
    title: str
    root: str
    branches: list[Branch]


ROLLBACK = Tree(
    title="Should I roll back?",
    root="Incident detected",
    branches=[
        Branch(id="fix_failed", question="Fix deployed, still broken?", yes="ROLLBACK NOW", no="Continue monitoring"),
        Branch(id="worse", question="Getting worse after fix?", yes="ROLLBACK NOW", no="Continue monitoring"),
        Branch(id="stuck", question="Been > 30 min, no progress?", yes="Consider rollback", no="Continue fixing"),
        Branch(id="data", question="Data integrity at risk?", yes="ROLLBACK + ESCALATE", no="Continue monitoring"),
    ],
)

ESCALATE = Tree(
    title="Should I escalate?",
    root="Incident severity",
    branches=[
        Branch(
            id="P0",
            question="P0 (Production down): still broken after 30 min?",
            yes="Escalate to Team Lead",
            no="No escalation",
        ),
        Branch(
            id="P1",
            question="P1 (Degraded): still broken after 1 hour?",
            yes="Escalate to Team Lead",
            no="No escalation",
        ),
        Branch(id="P2", question="P2 (Minor)", yes="Handle during business hours: no escalation", no=""),
    ],
)

# Which yes-answer wins when several branches say yes: the strongest action first.
_ROLLBACK_ORDER = ("data", "fix_failed", "worse", "stuck")


class Step(Model):
    branch: str
    question: str
    answer: bool
    because: str
    outcome: str


class Answer(Model):
    tree: str
    answer: str
    branch: str
    because: str
    steps: list[Step]

    def line(self) -> str:
        return f"{self.tree} {self.answer}: {self.because}"


def should_roll_back(incident: Incident, now: datetime, evidence: Evidence | None = None) -> Answer:
    s = situation(incident, now, evidence)
    facts = {
        "fix_failed": _fix_failed(s),
        "worse": _worse(s),
        "stuck": _stuck(s),
        "data": _data(s),
    }
    steps = []
    for branch in ROLLBACK.branches:
        yes, because = facts[branch.id]
        steps.append(
            Step(
                branch=branch.id,
                question=branch.question,
                answer=yes,
                because=because,
                outcome=branch.yes if yes else branch.no,
            )
        )
    by_id = {step.branch: step for step in steps}
    if not s.open:
        return Answer(
            tree=ROLLBACK.title, answer="No rollback", branch="resolved", because="incident resolved", steps=steps
        )
    chosen = next((by_id[b] for b in _ROLLBACK_ORDER if by_id[b].answer), None)
    if chosen is None:
        quiet = by_id["stuck"]
        return Answer(
            tree=ROLLBACK.title, answer=quiet.outcome, branch=f"{quiet.question} No", because=quiet.because, steps=steps
        )
    return Answer(
        tree=ROLLBACK.title,
        answer=chosen.outcome,
        branch=f"{chosen.question} Yes",
        because=chosen.because,
        steps=steps,
    )


def _fix_failed(s: Situation) -> tuple[bool, str]:
    if not s.fixes_deployed:
        return False, "no fix deployed yet"
    if s.still_failing_after_fix:
        return True, f"still failing after the fix: {', '.join(s.still_failing_after_fix)}"
    if s.evidence_at is None or s.first_fix_at is None or s.evidence_at <= s.first_fix_at:
        return False, "no evidence taken since the fix"
    return False, "the fixed services are running"


def _worse(s: Situation) -> tuple[bool, str]:
    if not s.fixes_deployed:
        return False, "no fix deployed yet"
    if s.new_failures_since_fix:
        return True, f"failing since the fix: {', '.join(s.new_failures_since_fix)}"
    return False, "no new failure since the fix"


def _stuck(s: Situation) -> tuple[bool, str]:
    since = s.last_progress_at or (s.at - s.elapsed)
    quiet = s.at - since
    if s.open and s.elapsed > NO_PROGRESS_LIMIT and quiet > NO_PROGRESS_LIMIT:
        what = "nothing done" if s.last_progress_at is None else f"nothing done since {s.last_progress_at:%H:%M}"
        return True, f"open {_minutes(s.elapsed)} min, {what}"
    if s.last_progress_at is None:
        return False, f"open {_minutes(s.elapsed)} min"
    return False, f"last progress {_minutes(quiet)} min ago"


def _data(s: Situation) -> tuple[bool, str]:
    if s.data_at_risk:
        return True, s.data_at_risk
    return False, "no data-integrity issue found"


def _minutes(value: timedelta) -> int:
    return int(value.total_seconds() // 60)


def should_escalate(incident: Incident, config: Config, now: datetime, evidence: Evidence | None = None) -> Answer:
    """The seed's tree, with its thresholds taken from the chain (Team Lead's `after_minutes`)."""
    s = situation(incident, now, evidence)
    branch = next(b for b in ESCALATE.branches if b.id == s.severity.value)
    limit = _team_lead_minutes(config, s.severity)
    if s.severity is Severity.P2 or limit is None:
        step = Step(branch=branch.id, question=branch.question, answer=True, because="P2", outcome=branch.yes)
        return Answer(tree=ESCALATE.title, answer=branch.yes, branch=branch.question, because="P2", steps=[step])
    question = branch.question
    over = s.elapsed >= timedelta(minutes=limit)
    if not s.open:
        answer, because = branch.no, f"resolved in {_minutes(s.elapsed)} min"
        over = False
    elif over:
        answer, because = branch.yes, f"still broken after {_minutes(s.elapsed)} min (limit {limit} min)"
    else:
        left = math.ceil((timedelta(minutes=limit) - s.elapsed).total_seconds() / 60)
        answer, because = f"{branch.no} yet", f"open {_minutes(s.elapsed)} min; Team Lead in {left} min"
    step = Step(branch=branch.id, question=question, answer=over, because=because, outcome=answer)
    taken = f"{question} {'Yes' if over else 'No'}"
    return Answer(tree=ESCALATE.title, answer=answer, branch=taken, because=because, steps=[step])


def _team_lead_minutes(config: Config, severity: Severity) -> int | None:
    level = level_of(config, "Team Lead", 1)
    return config.escalation[level].after_minutes.get(severity, severity.info.escalate_after_min)


def evaluate(incident: Incident, config: Config, now: datetime, evidence: Evidence | None = None) -> list[Answer]:
    """Both trees, in the seed's order."""
    return [should_roll_back(incident, now, evidence), should_escalate(incident, config, now, evidence)]
