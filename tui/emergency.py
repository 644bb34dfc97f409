"""The emergency commands of the quick reference, with `<SERVICE>` filled when a service is known."""

from __future__ import annotations

import shlex

from maestro.model import Command
from maestro.safety import labelled

SERVICE = "<SERVICE>"

EMERGENCY: tuple[tuple[str, str, str], ...] = (
    ("service health", "docker service ls", "Check all services"),
    ("service health", f"docker service logs --tail 100 {SERVICE}", "View the last 100 log lines"),
    ("service health", f"docker service ps --no-trunc {SERVICE}", "Inspect service tasks and errors"),
    ("service health", f"docker service update --force {SERVICE}", "Force restart the service"),
    ("rollback", f"docker service rollback {SERVICE}", "Roll back the last deployment"),
    ("rollback", f"docker service update --image <IMAGE>:<TAG> {SERVICE}", "Roll back to a specific version"),
    (
        "database",
        'psql $DATABASE_URL -c "SELECT * FROM pg_locks WHERE NOT granted;"',
        "Check for locks",
    ),
    (
        "database",
        'psql $DATABASE_URL -c "SELECT count(*) FROM pg_stat_activity;"',
        "Check active connections",
    ),
    (
        "database",
        'psql $DATABASE_URL -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
        "WHERE state = 'idle in transaction';\"",
        "Kill all idle transactions",
    ),
    (
        "database",
        'psql $DATABASE_URL -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid();"',
        "Emergency: kill all connections except yours",
    ),
    ("redis", "docker exec $(docker ps -q -f name=redis) redis-cli INFO memory", "Check memory usage"),
    ("redis", "docker exec $(docker ps -q -f name=redis) redis-cli CLIENT LIST", "Check connected clients"),
    (
        "redis",
        "docker exec $(docker ps -q -f name=redis) redis-cli FLUSHALL",
        "Clear all cache (dangerous: only if critical)",
    ),
)


def emergency_commands(service: str = "") -> list[tuple[str, Command]]:
    """(section, command) pairs, each labelled by maestro.safety."""
    name = shlex.quote(service) if service else SERVICE
    return [
        (f"emergency: {section}", labelled(Command(text=text.replace(SERVICE, name), purpose=purpose)))
        for section, text, purpose in EMERGENCY
    ]
