"""The shape Claude must answer in, derived from the maestro model, and its conversion to a Triage.

The output models reuse the fields of Command, TriageIssue and Triage, minus what maestro decides
itself: issue ids, provenance, timestamps and every command's danger label.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from maestro import safety
from maestro.model import Command, Provenance, Triage, TriageIssue


class _Output(BaseModel):
    model_config = ConfigDict(extra="ignore")


_HINTS = {
    "text": "One copy-paste shell command, with the real names from the evidence",
    "expected": "For verification commands: the output that means the fix worked",
    "runbook_id": "Dotted category of the problem, e.g. swarm.crash_loop; the draft's for a draft issue",
    "subject": "Service or node the issue is about; empty when it concerns the whole cluster",
    "evidence": "Facts from the evidence that support this issue",
    "time_to_fix_min": "Minutes an on-call engineer needs to apply the fix",
    "confidence": "How sure you are of the root cause, 0 to 1",
    "eta_minutes": "Minutes to full recovery: P0 fixes plus P1 fixes",
}


def _fields(source: type[BaseModel], drop: set[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, info in source.model_fields.items():
        if name in drop:
            continue
        hint = _HINTS.get(name)
        field = FieldInfo.merge_field_infos(info, description=hint) if hint else copy.copy(info)
        fields[name] = (info.annotation, field)
    return fields


ClaudeCommand = create_model("ClaudeCommand", __base__=_Output, **_fields(Command, {"danger"}))

ClaudeIssue = create_model(
    "ClaudeIssue",
    __base__=_Output,
    **_fields(TriageIssue, {"id", "provenance", "fix", "verify", "rollback"}),
    fix=(list[ClaudeCommand], Field(default=[], description="Commands that fix the issue, in order")),
    verify=(list[ClaudeCommand], Field(default=[], description="Commands that confirm the fix worked")),
    rollback=(list[ClaudeCommand], Field(default=[], description="Commands that undo the fix")),
    matches_draft_id=(
        str | None,
        Field(default=None, description="The id of the draft issue this one refines, if any"),
    ),
)

ClaudeTriage = create_model(
    "ClaudeTriage",
    __base__=_Output,
    **_fields(Triage, {"issues", "engine", "generated_at", "notice"}),
    issues=(list[ClaudeIssue], Field(description="Every issue found, most severe first")),
)


def tool_schema() -> dict[str, Any]:
    return ClaudeTriage.model_json_schema()


def issue_id(runbook_id: str, subject: str) -> str:
    return f"{runbook_id}:{subject}" if subject else runbook_id


def as_draft(triage: Triage) -> dict[str, Any]:
    """The rules triage in Claude's answer shape, each issue naming its id in `matches_draft_id`."""
    draft = ClaudeTriage.model_validate(triage.model_dump(mode="json"))
    for answer_issue, issue in zip(draft.issues, triage.issues, strict=True):
        answer_issue.matches_draft_id = issue.id
    return draft.model_dump(mode="json", exclude_defaults=True)


def to_triage(answer: BaseModel, draft: Triage) -> Triage:
    """Claude's validated answer as a maestro Triage: ids stable, danger labelled locally."""
    issues: list[TriageIssue] = []
    taken: set[str] = set()
    for item in answer.issues:  # type: ignore[attr-defined]
        matched = draft.issue(item.matches_draft_id) if item.matches_draft_id else None
        runbook_id, subject = (matched.runbook_id, matched.subject) if matched else (item.runbook_id, item.subject)
        base_id = matched.id if matched else issue_id(runbook_id, subject)
        unique_id, n = base_id, 1
        while unique_id in taken:
            n += 1
            unique_id = f"{base_id}#{n}"
        taken.add(unique_id)
        fields = item.model_dump(exclude={"matches_draft_id", "runbook_id", "subject", "fix", "verify", "rollback"})
        issues.append(
            TriageIssue(
                **fields,
                id=unique_id,
                runbook_id=runbook_id,
                subject=subject,
                fix=_commands(item.fix),
                verify=_commands(item.verify),
                rollback=_commands(item.rollback),
                provenance=Provenance.CLAUDE,
            )
        )
    return Triage(
        **answer.model_dump(exclude={"issues"}),
        issues=issues,
        engine=Provenance.CLAUDE,
        generated_at=datetime.now(UTC),
    )


def _commands(items: list[BaseModel]) -> list[Command]:
    return [safety.labelled(Command(**item.model_dump())) for item in items]
