"""A recorded incident for `maestro-tui --demo`: no docker needed."""

from __future__ import annotations

from datetime import datetime

from maestro.model import Evidence, IncidentContext

CONTEXT = IncidentContext(
    description="API returns 500s since the deploy",
    what_broke="web and worker services; checkout API",
    when="10 minutes ago, right after the web v2 deploy",
    user_impact="Most users see errors on checkout",
    error_messages="web v2: missing config DATABASE_URL; boom: cannot connect to queue",
    recent_changes="web updated to v2 about 20 minutes ago",
)


def evidence(now: datetime) -> Evidence:
    """The bundled swarm snapshot with every timestamp shifted so it was collected at `now`."""
    from importlib import resources

    raw = resources.files(__package__).joinpath("evidence.json").read_text(encoding="utf-8")
    recorded = Evidence.model_validate_json(raw)
    shift = now - recorded.collected_at

    def moved(value: datetime | None) -> datetime | None:
        return value + shift if value is not None else None

    return recorded.model_copy(
        update={
            "collected_at": now,
            "source": "demo",
            "services": [s.model_copy(update={"updated_at": moved(s.updated_at)}) for s in recorded.services],
            "tasks": [t.model_copy(update={"timestamp": moved(t.timestamp)}) for t in recorded.tasks],
            "signals": [s.model_copy(update={"observed_at": moved(s.observed_at)}) for s in recorded.signals],
            "logs": [line.model_copy(update={"at": moved(line.at)}) for line in recorded.logs],
        }
    )
