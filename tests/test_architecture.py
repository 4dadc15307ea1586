"""The import rule (README, «Как устроено»), enforced on the source.

Layers, lowest first: core (bot/core, bot/texts) → storage → broadcasts → services
(bot/services) → adapters (handlers/) → composition root (bot/app). A module imports only
its own layer and the ones below; nothing below the adapters imports aiogram; feature
packages import each other without cycles; a router module imports no other router module;
product modules stay under 400 lines. Every import counts, also one inside a function.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "broadcasts", "storage")
LAYERS = (  # (name, module prefixes), lowest first
    ("core", ("bot.core", "bot.texts", "bot.__init__", "bot")),
    ("storage", ("storage",)),
    ("broadcasts", ("broadcasts",)),
    ("services", ("bot.services",)),
    ("adapters", ("handlers",)),
    ("root", ("bot.app", "bot.__main__")),
)
NO_AIOGRAM = {"core", "storage", "broadcasts", "services"}
MAX_LINES = 400


def _modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


MODULES = dict(_modules())


def _imports(name: str, path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{a.name}" for a in node.names} & MODULES.keys()
            found.update(submodules or {node.module})  # `from bot import texts`: bot.texts
    return {m for m in found if m in MODULES or m.split(".")[0] == "aiogram"}


IMPORTS = {name: _imports(name, path) for name, path in MODULES.items()}


def _check(found: list[str], kind: str) -> None:
    assert sorted(f"{kind}: {item}" for item in found) == []


def layer(module: str) -> int:
    best, rank = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and len(prefix) > best:
                best, rank = len(prefix), index
    assert rank >= 0, f"{module} belongs to no layer"
    return rank


def test_every_import_goes_down_or_sideways() -> None:
    upward = [
        f"{m} → {i}"
        for m, imports in IMPORTS.items()
        for i in imports
        if i in MODULES and layer(i) > layer(m)
    ]
    _check(upward, "up")


def test_nothing_below_the_adapters_imports_aiogram() -> None:
    offenders = [
        m
        for m, imports in IMPORTS.items()
        if LAYERS[layer(m)][0] in NO_AIOGRAM and any(i.split(".")[0] == "aiogram" for i in imports)
    ]
    _check(offenders, "aiogram")


def _unit(module: str) -> str:
    """A feature package: bot.services.tickets, handlers.tg, broadcasts, storage.repositories…"""
    parts = module.split(".")
    depth = 3 if parts[:2] in (["bot", "services"], ["bot", "app"]) else 2
    if parts[0] in ("broadcasts",):
        depth = 1
    return ".".join(parts[:depth])


def test_feature_packages_import_each_other_without_cycles() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for m, imports in IMPORTS.items():
        for i in imports:
            if i in MODULES and _unit(i) != _unit(m) and MODULES[i].parent.name != "bot":
                graph[_unit(m)].add(_unit(i))
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in path:
                cycle = path[path.index(nxt) :]
                if min(cycle) == cycle[0]:
                    cycles.append([*cycle, nxt])
            elif len(path) < 8:
                visit(nxt, [*path, nxt])

    for start in sorted(graph):
        visit(start, [start])
    _check(sorted({" → ".join(c) for c in cycles}), "cycle")


def test_the_product_imports_nothing_from_tests() -> None:
    """The fakes (tests/fakes) serve the tests; `python -m bot chat` has its own session."""
    offenders = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            offenders += [f"{module} → {n}" for n in names if n.split(".")[0] == "tests"]
    assert offenders == []


def test_product_modules_stay_small() -> None:
    sizes = {name: path.read_text(encoding="utf-8").count("\n") for name, path in MODULES.items()}
    _check([name for name, lines in sizes.items() if lines > MAX_LINES], "size")
