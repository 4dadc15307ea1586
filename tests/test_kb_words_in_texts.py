"""The knowledge base's panel pages, its saving and `faq staff` keep their Russian words in
bot/texts/web_kb.py (the confirmations after a save, the refusals, the history's summaries,
the YAML's header), as every other screen does: one place to read and correct them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = (
    "handlers/web/kb.py",
    "handlers/web/kb_history.py",
    "bot/services/faq/publish.py",
    "bot/services/faq/editing.py",
    "bot/app/cli/faq_staff.py",
)
RUSSIAN = re.compile("[а-яёА-ЯЁ]")


def _docstrings(tree: ast.Module) -> set[int]:
    kinds = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def test_the_kb_panel_words_live_in_bot_texts() -> None:
    found = []
    for name in MODULES:
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        found += [
            f"{name}:{node.lineno}: {node.value[:60]!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docs
            and RUSSIAN.search(node.value)
        ]
    assert found == []
