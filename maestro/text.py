"""Outside text made inert for display: control characters shown, never sent to the terminal."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def literal(value: str, *, one_line: bool = False) -> str:
    """The value with control characters made visible (``\\x1b`` becomes the four characters ``\\x1b``)."""
    value = value.replace("\r\n", "\n").replace("\t", "    ")
    if one_line:
        value = " / ".join(part for part in value.split("\n") if part)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
