"""Danger labels for shell commands, decided locally (placeholder until the classifier lands)."""

from __future__ import annotations

from maestro.model import Command, Danger


def classify(text: str) -> Danger:
    return Danger.MUTATING


def labelled(command: Command) -> Command:
    return command.model_copy(update={"danger": classify(command.text)})
