"""Runbooks as data: the shipped TOML catalog, validated on load, extended or overridden from a folder."""

from maestro.runbooks.catalog import (
    GENERIC_ID,
    PLACEHOLDERS,
    Catalog,
    Match,
    Runbook,
    RunbookError,
    Step,
    default_catalog,
    load_catalog,
    load_file,
    parse_runbooks,
)

__all__ = [
    "GENERIC_ID",
    "PLACEHOLDERS",
    "Catalog",
    "Match",
    "Runbook",
    "RunbookError",
    "Step",
    "default_catalog",
    "load_catalog",
    "load_file",
    "parse_runbooks",
]
