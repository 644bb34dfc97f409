"""Outside text made inert for display: control characters shown, never sent to the terminal."""

from __future__ import annotations

import re

# C0 but tab and newline, DEL, C1; then what hides or reorders text on screen: zero-width characters, bidi
# embeddings, overrides and isolates, the byte order mark; and the line and paragraph separators.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u2028\u2029\ufff9-\ufffb]"
)


def literal(value: str, *, one_line: bool = False) -> str:
    """The value with control characters made visible (``\\x1b`` becomes the four characters ``\\x1b``,
    U+202E the six characters ``\\u202e``)."""
    value = value.replace("\r\n", "\n").replace("\t", "    ")
    if one_line:
        value = " / ".join(part for part in value.split("\n") if part)
    return _CONTROL.sub(_visible, value)


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def copyable(value: str) -> str:
    """The text as it may go to a clipboard: as it is, unless it holds characters that hide what it does or
    drive a terminal, which are then made visible (`literal`) so the paste runs only what was shown."""
    return literal(value) if _CONTROL.search(value) else value


def hms(seconds: float) -> str:
    """H:MM:SS, with a minus sign when the moment has passed."""
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds))
    return f"{sign}{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"
