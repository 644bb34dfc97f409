"""The tasks of one service, newest first: slot, node, desired and current state, exit code, error, time."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from maestro.model import TaskInfo
from widgets.text import BOLD, Tone, literal, plain, tones

COLUMNS = ("slot", "node", "desired", "state", "exit", "error / message", "at")


def task_row(tone: Tone, task: TaskInfo) -> list[Text]:
    trouble = task.in_trouble
    cells = (
        "" if task.slot is None else str(task.slot),
        task.node,
        task.desired_state,
        task.state,
        "" if task.exit_code is None else str(task.exit_code),
        task.error or task.message,
        f"{task.timestamp:%H:%M:%S}" if task.timestamp else "",
    )
    bad, warn = tone("tone--bad") + BOLD, tone("tone--warn")
    styles = ("", "", "dim", bad if trouble else "", warn if task.exit_code else "", "", "dim")
    return [Text(literal(value, one_line=True), style=style) for value, style in zip(cells, styles, strict=True)]


class TasksScreen(ModalScreen[str | None]):
    """Dismissed with "logs" when the person asks for the service's logs with `l`."""

    COMPONENT_CLASSES = {"tone--bad", "tone--warn"}

    DEFAULT_CSS = """
    TasksScreen { align: center middle; background: $background 60%; }
    TasksScreen > Vertical {
        width: 95%; height: auto; max-height: 90%; border: thick $primary; background: $surface; padding: 1 2;
    }
    TasksScreen .title { text-style: bold; margin-bottom: 1; }
    TasksScreen DataTable { height: auto; max-height: 30; }
    TasksScreen .hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("l", "logs", "Logs"),
        Binding("escape,q", "close", "Close"),
    ]

    def __init__(self, service: str, tasks: list[TaskInfo], collected_at: datetime | None) -> None:
        super().__init__()
        self.service = service
        self.tasks = [t for t in tasks if t.service == service]
        self.collected_at = collected_at

    def compose(self) -> ComposeResult:
        at = f" at {self.collected_at:%H:%M:%S}" if self.collected_at else ""
        count = len(self.tasks)
        title = f"Tasks of {self.service}: {count} task{'s' * (count != 1)} seen by the poll{at}"
        with Vertical():
            yield Static(plain(title, one_line=True), classes="title", markup=False)
            if self.tasks:
                table: DataTable[Text] = DataTable(id="tasks-table", cursor_type="row", zebra_stripes=True)
                table.add_columns(*COLUMNS)
                yield table
            else:
                yield Static(
                    plain("No task details: tasks are kept only for services that show trouble."), markup=False
                )
            yield Static("l logs · esc close", classes="hint", markup=False)

    def on_mount(self) -> None:
        """The rows are made here: their tones come from the stylesheet, which applies once mounted."""
        if self.tasks:
            table, tone = self.query_one(DataTable), tones(self)
            for task in self.tasks:
                table.add_row(*task_row(tone, task), key=task.id)
            table.focus()

    def action_logs(self) -> None:
        self.dismiss("logs")

    def action_close(self) -> None:
        self.dismiss(None)
