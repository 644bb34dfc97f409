"""The headless core never loads the UI toolkit or the LLM SDK."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import maestro

ROOT = Path(__file__).resolve().parents[2]


def all_core_modules() -> list[str]:
    return sorted(
        m.name for m in pkgutil.walk_packages(maestro.__path__, prefix="maestro.") if "__main__" not in m.name
    )


def test_core_has_many_modules() -> None:
    assert len(all_core_modules()) >= 8


def test_importing_all_of_maestro_loads_neither_textual_nor_anthropic() -> None:
    modules = all_core_modules()
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'anthropic', 'widgets', 'tui'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == ""


def test_headless_cli_paths_do_not_load_textual() -> None:
    code = (
        "import sys\n"
        "from tui import cli\n"
        "cli.main(['config', 'check', '--config', '/nonexistent/x.toml'])\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'anthropic'})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == ""
    assert "does not exist" in result.stderr


def _runtime_imports(path: Path) -> set[str]:
    """Modules a file imports when it runs (imports under `if TYPE_CHECKING:` do not count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and ast.unparse(branch.test) == "TYPE_CHECKING"
        for stmt in branch.body
        for node in ast.walk(stmt)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Dict):  # a table of modules to import by name (maestro.lazy.MODULES)
            names = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
            found |= {n for n in names if n.split(".")[0] in {"tui", "widgets", "maestro"}}
    return found


def _screen_side_modules() -> dict[str, Path]:
    files = [*ROOT.glob("tui/**/*.py"), *ROOT.glob("widgets/**/*.py")]
    return {
        ".".join(f.relative_to(ROOT).with_suffix("").parts): f
        for f in files
        if f.name != "__init__.py" and f.stat().st_size
    }


def test_tui_holds_only_the_textual_app_and_the_command() -> None:
    """A screen-side module that never reaches Textual (or rich, its renderer) is core logic: it belongs in maestro/."""
    modules = _screen_side_modules()
    imports = {name: _runtime_imports(path) for name, path in modules.items()}
    textual: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, used in imports.items():
            if name not in textual and any(m.split(".")[0] in {"textual", "rich"} or m in textual for m in used):
                textual.add(name)
                changed = True
    assert len(modules) > 10
    assert sorted(set(modules) - textual - {"tui.cli"}) == []
