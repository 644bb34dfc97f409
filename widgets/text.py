"""Literal text for widgets: outside data never styles the screen or reaches the terminal raw."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from maestro.text import literal

if TYPE_CHECKING:
    from maestro.model import Danger, Severity

# Keyed by the enums' values, so the first frame does not wait for maestro.model (a Severity is its value).
SEVERITY_STYLE: dict[str, str] = {
    "P0": "bold #ffffff on #c62828",
    "P1": "bold #000000 on #f9a825",
    "P2": "bold #000000 on #66bb6a",
}

SEVERITY_COLOR: dict[str, str] = {
    "P0": "#ef5350",
    "P1": "#fbc02d",
    "P2": "#81c784",
}

DANGER_STYLE: dict[str, str] = {
    "read-only": "bold #81c784",
    "mutating": "bold #fbc02d",
    "destructive": "bold #ffffff on #c62828",
}


def plain(value: str, style: str = "", *, one_line: bool = False) -> Text:
    """Rich Text that shows the value exactly, never parsing it as markup."""
    return Text(literal(value, one_line=one_line), style=style)


def severity_label(severity: Severity | None, *, short: bool = False) -> Text:
    """Severity as words on its colour; a span, so text appended after it keeps its own style."""
    if severity is None:
        return Text.assemble((" P? " if short else " P? unknown ", "bold reverse"))
    words = severity.value if short else f"{severity.value} {severity.info.label}"
    return Text.assemble((f" {words} ", SEVERITY_STYLE[severity]))


def danger_label(danger: Danger) -> Text:
    return Text.assemble((f"[{danger.value.upper()}]", DANGER_STYLE[danger]))


def duration(seconds: float) -> str:
    """H:MM:SS, with a minus sign when the moment has passed."""
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds))
    return f"{sign}{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"
