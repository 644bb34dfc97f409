"""The command palette (ctrl+p or :): every action of the action table, by what it does."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui import actions
from tui.screens.help import key_name


class ActionPalette(Provider):
    """One command per action the app offers now, titled by its description."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.app
        offers: Callable[[actions.Action], bool] = getattr(app, "palette_offers", lambda action: True)
        commands = []
        for action in actions.for_palette():
            if not offers(action):
                continue
            target = action.id if action.where == "app" else f"screen.{action.id}"
            key = " / ".join(key_name(k) for k in actions.keys_of(action.id, action.where))
            commands.append((action.description, partial(app.run_action, target), f"key: {key}"))
        return commands

    async def discover(self) -> Hits:
        for title, run, help_text in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, run, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
