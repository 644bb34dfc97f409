"""Secret redaction (placeholder until the redactor lands)."""

from __future__ import annotations


def redact(text: str) -> str:
    return text
