"""The top line: title, severity, status, elapsed, next escalation, engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from widgets.text import BOLD, SEVERITY_LABEL, plain, severity_label, tones

if TYPE_CHECKING:
    from maestro.pane_views import HeaderView

COMPACT_BELOW = 140
MIN_TITLE = 12

STATUS_TONE = {"open": "tone--bad", "mitigated": "tone--warn", "resolved": "tone--good", "closed": "tone--good"}


class IncidentHeader(Static):
    COMPONENT_CLASSES = {"tone--bad", "tone--good", "tone--warn", *SEVERITY_LABEL}

    DEFAULT_CSS = """
    IncidentHeader { height: 1; width: 1fr; background: $panel; color: $foreground; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(" maestro", style="bold"), id=id, markup=False)
        self.header_view: HeaderView | None = None
        self._text: Text | None = None

    def show(self, view: HeaderView) -> None:
        if view == self.header_view:
            return
        self.header_view = view
        self._paint()

    def on_resize(self) -> None:
        self._paint()

    def _paint(self) -> None:
        view = self.header_view
        if view is None:
            return
        width = self.size.width
        tone = tones(self)
        bad = tone("tone--bad") + BOLD
        compact = width < COMPACT_BELOW
        sep = Text(" │ ", style="dim")
        rest = Text()
        rest.append_text(sep)
        rest.append_text(severity_label(tone, view.severity, short=compact))
        rest.append(" ")
        status_tone = STATUS_TONE.get(view.status)
        rest.append(view.status.upper(), style=tone(status_tone) + BOLD if status_tone else BOLD)
        rest.append_text(sep)
        rest.append(view.elapsed, style="bold")
        if view.eta:
            rest.append_text(sep)
            rest.append("eta " if compact else "ETA ", style="dim")
            rest.append(view.eta)
        rest.append_text(sep)
        rest.append("esc " if compact else "next escalation ", style="dim")
        rest.append(view.next_escalation, style=bad if view.escalation_due else "")
        rest.append_text(sep)
        engine = view.engine_short if compact else view.engine
        rest.append_text(plain(engine, "" if view.engine_ok else bad, one_line=True))
        title = plain(view.title, "bold", one_line=True)
        room = width - rest.cell_len - 1
        text = Text(" ")
        if room >= MIN_TITLE:
            title.truncate(room, overflow="ellipsis")
            text.append_text(title)
            text.append_text(rest)
        else:
            text.append_text(rest[3:])
        text.no_wrap = True
        text.overflow = "ellipsis"
        if text != self._text:
            self._text = text
            self.update(text, layout=False)  # always one row
