"""The key footer, redrawn only when the keys it shows change.

Textual's Footer rebuilds all its keys on every bindings refresh (each focus move, each pane switch), and
each rebuild leaves the old keys' `compact` watchers on the footer: after a few hundred redraws the list
held over a thousand entries, and a change of `compact` ran every one of them while the screen froze. This
footer rebuilds only when the shown keys differ, and forgets the watchers of the keys it removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.screen import Screen

KeysShown = tuple[tuple[str, str, bool, str], ...]
ROOMY_WIDTH = 100
"""Narrower than this the footer is compact and leaves out the palette key (ctrl+p and `:` still open it, `?`
lists it), so every key it shows, q and x included, fits in 80 columns."""


class KeysFooter(Footer):
    def __init__(self, *, id: str | None = None, compact: bool = False) -> None:
        super().__init__(id=id, compact=compact)
        self._shown: KeysShown | None = None
        self._composed: tuple[KeysShown, bool] | None = None

    def on_resize(self) -> None:
        roomy = self.app.size.width >= ROOMY_WIDTH
        self.compact = not roomy
        self.show_command_palette = roomy

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self._bindings_ready and self._shown is not None and self.keys_shown(screen) == self._shown:
            return
        super().bindings_changed(screen)

    async def recompose(self) -> None:
        """Rebuild the keys, unless they are already the ones shown (two changes before one rebuild ask twice)."""
        composed = (self.keys_shown(self.screen), self.show_command_palette)
        if composed == self._composed:
            return
        self._shown, self._composed = composed[0], composed
        await super().recompose()
        self.forget_removed_watchers()

    @staticmethod
    def keys_shown(screen: Screen[object]) -> KeysShown:
        return tuple(
            (binding.key, binding.description, enabled, tooltip)
            for _, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show
        )

    def forget_removed_watchers(self) -> None:
        """Drop the watchers whose widget is gone: Textual prunes them only when the watched value changes."""
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for entries in watchers.values():
            entries[:] = [(node, callback) for node, callback in entries if getattr(node, "is_attached", True)]

    def watcher_count(self) -> int:
        """How many watchers the footer holds (a test counts them)."""
        return sum(len(entries) for entries in getattr(self, "__watchers", {}).values())
