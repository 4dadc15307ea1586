"""The Telegram adapter is not a library for itself: a router module (a feature module or a
feature package under handlers/) imports no other feature's router module. What two routers
share lives in handlers/tg/ (or in bot/services when it is a domain rule)."""

from __future__ import annotations

import ast
from pathlib import Path

HANDLERS = Path(__file__).resolve().parent.parent / "handlers"
PLUMBING = {"tg", "max"}  # shared Telegram plumbing and the MAX transport: not features


def _feature(path: Path) -> str:
    """handlers/events.py → events; handlers/events_admin/edit.py → events_admin."""
    return path.relative_to(HANDLERS).parts[0].removesuffix(".py")


def _imports(tree: ast.AST) -> set[str]:
    """Every module named by an import; `from pkg import mod` counts as pkg.mod."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("handlers", "bot"):
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def _imported(tree: ast.AST) -> set[str]:
    return {name for name in _imports(tree) if name.startswith("handlers.")}


def test_no_router_module_imports_another_feature() -> None:
    crossings = []
    for path in sorted(HANDLERS.rglob("*.py")):
        if path.parent == HANDLERS and path.name == "__init__.py":
            continue  # get_routers: the one place that knows every router
        feature = _feature(path)
        if feature in PLUMBING:
            continue
        for name in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            target = name.split(".")[1]
            if target not in PLUMBING and target != feature:
                crossings.append(f"{path.relative_to(HANDLERS.parent)} imports {name}")
    assert crossings == []


def test_routers_use_only_services_core_and_texts_of_bot() -> None:
    """Not the composition root (bot.app) nor anything else in bot/: the layers below."""
    allowed = ("bot.services", "bot.core", "bot.texts")
    crossings = [
        f"{path.relative_to(HANDLERS.parent)} imports {name}"
        for path in sorted(HANDLERS.rglob("*.py"))
        for name in _imports(ast.parse(path.read_text(encoding="utf-8")))
        if name.startswith("bot.") and not name.startswith(allowed)
    ]
    assert crossings == []


def test_plumbing_imports_no_router() -> None:
    crossings = []
    for part in PLUMBING:
        for path in sorted((HANDLERS / part).rglob("*.py")):
            for name in _imported(ast.parse(path.read_text(encoding="utf-8"))):
                if name.split(".")[1] not in PLUMBING:
                    crossings.append(f"{path.relative_to(HANDLERS.parent)} imports {name}")
    assert crossings == []
