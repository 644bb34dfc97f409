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

SEVERITY_TEXT = frozenset({"severity-text--p0", "severity-text--p1", "severity-text--p2"})
"""Severity as a coloured word (severity_tone)."""
SEVERITY_LABEL = frozenset({"severity--p0", "severity--p1", "severity--p2"})
"""Severity as words on its colour (severity_label)."""
DANGER = frozenset({"danger--read-only", "danger--mutating", "danger--destructive"})
"""A command's danger label (danger_label)."""
Tone = Callable[[str], Style]
"""A tone's style as the stylesheet says it: a widget's component style, partial (only what the class sets)."""

BOLD = Style(bold=True)


def tones(widget: Widget) -> Tone:
    """The stylesheet's tones for this widget (tui/maestro.tcss colours them).

    A widget lists in its COMPONENT_CLASSES only the tones it draws with (tone--good, SEVERITY_TEXT, ...): Textual
    styles each listed class of each widget again whenever the widget's styles change (mount, focus, a class)."""
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
