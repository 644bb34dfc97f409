"""The command palette (ctrl+p or :): every action of the app, by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class MaestroCommands(Provider):
    """One command per bound action of the app, titled by the binding's tooltip."""

    def _commands(self) -> list[tuple[str, str, str]]:
        app = self.app
        commands = []
        for binding in app.palette_bindings():  # type: ignore[attr-defined]
            key = app.get_key_display(binding)
            commands.append((binding.tooltip or binding.description, binding.action, f"key: {key}"))
        return commands

    async def discover(self) -> Hits:
        for title, action, help_text in self._commands():
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self.app.run_action, action), help=help_text)
