"""``app/bench`` is the station's core: it never imports the hub, the UI or the device simulators (those
belong to ``app/demo``, ``app/ui`` and tests), and every module of it stays under the size cap."""

from __future__ import annotations

import ast
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "app" / "bench"
FORBIDDEN = ("app.hub", "app.ui", "app.devices.sim")
MAX_LINES = 450


def imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, at any depth (function-level imports too), as dotted names."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.append(node.args[0].value)  # importlib.import_module("app.ui.main") counts too
    return names


def forbidden_imports(folder: Path) -> list[str]:
    return [
        f"{path.relative_to(folder.parent.parent)} imports {name}"
        for path in sorted(folder.rglob("*.py"))
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]


def test_app_bench_imports_neither_the_hub_nor_the_ui_nor_the_simulators() -> None:
    assert forbidden_imports(BENCH) == []


def test_the_import_walk_catches_a_forbidden_import_wherever_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "app" / "bench"
    folder.mkdir(parents=True)
    (folder / "top.py").write_text("from app.hub import models\n")
    (folder / "inner.py").write_text("def f():\n    import app.devices.sim.zebra_sim\n")
    (folder / "by_name.py").write_text("import importlib\nui = importlib.import_module('app.ui.main')\n")
    (folder / "fine.py").write_text("from app.devices.printers import tcp\nimport app.hubble\n")
    found = forbidden_imports(folder)
    assert found == [
        "app/bench/by_name.py imports app.ui.main",
        "app/bench/inner.py imports app.devices.sim.zebra_sim",
        "app/bench/top.py imports app.hub",
        "app/bench/top.py imports app.hub.models",
    ]


def test_no_bench_module_is_over_the_size_cap() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in BENCH.rglob("*.py")}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
