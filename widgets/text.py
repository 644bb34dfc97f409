"""Literal text and tones for widgets: outside data never styles the screen; colours come from the stylesheet."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text

from maestro.text import literal

if TYPE_CHECKING:
    from textual.widget import Widget

    from maestro.model import Danger, Severity

TONES = frozenset(
    {
        "tone--good",
        "tone--warn",
        "tone--bad",
        "tone--alarm",
        "tone--heading",
        "tone--accent",
        "severity--p0",
        "severity--p1",
        "severity--p2",
        "severity-text--p0",
        "severity-text--p1",
        "severity-text--p2",
        "danger--read-only",
        "danger--mutating",
        "danger--destructive",
    }
)
"""Component classes every widget declares; their colours are the stylesheet's (tui/maestro.tcss)."""

Tone = Callable[[str], Style]
"""A tone's style as the stylesheet says it: a widget's component style, partial (only what the class sets)."""

BOLD = Style(bold=True)


def tones(widget: Widget) -> Tone:
    """The stylesheet's tones for this widget (it lists TONES in its COMPONENT_CLASSES)."""
    return lambda name: widget.get_component_rich_style(name, partial=True)


def severity_tone(tone: Tone, severity: str) -> Style:
    """Severity (a Severity, or its value "P0") as a coloured word: bold, in its colour."""
    return tone(f"severity-text--{severity.lower()}") + BOLD


def plain(value: str, style: str | Style = "", *, one_line: bool = False) -> Text:
    """Rich Text that shows the value exactly, never parsing it as markup."""
    return Text(literal(value, one_line=one_line), style=style)


def severity_label(tone: Tone, severity: Severity | None, *, short: bool = False) -> Text:
    """Severity as words on its colour; a span, so text appended after it keeps its own style."""
    if severity is None:
        return Text.assemble((" P? " if short else " P? unknown ", "bold reverse"))
    words = severity.value if short else f"{severity.value} {severity.info.label}"
    return Text.assemble((f" {words} ", tone(f"severity--{severity.value.lower()}") + BOLD))


def danger_label(tone: Tone, danger: Danger) -> Text:
    return Text.assemble((f"[{danger.value.upper()}]", tone(f"danger--{danger.value}") + BOLD))
