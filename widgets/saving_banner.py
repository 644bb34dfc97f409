"""One line across the top while the journal cannot be written: why, and what brings saving back."""

from __future__ import annotations

from textual.widgets import Static


class SavingBanner(Static):
    """Hidden while actions are saved; `show("not saving: disk full on /x — ...")` puts it up."""

    DEFAULT_CSS = """
    SavingBanner { display: none; height: 1; width: 1fr; padding: 0 1; background: $error; color: $text;
                   text-style: bold; }
    SavingBanner.-shown { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.text = ""

    def show(self, text: str) -> None:
        if text == self.text:
            return
        self.text = text
        self.update(text)
        self.set_class(bool(text), "-shown")
