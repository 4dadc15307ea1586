"""The three places a sysadmin learns the settings from agree with each other: `Settings`
(bot/core/config.py), `.env.example` (a `NAME=default` line per setting) and README's tables
(a row per setting, with the same default). A setting added to one and forgotten in another,
a renamed one left behind, or a default changed in code only fails here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic.aliases import AliasChoices

from bot.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
FIELDS = {name.upper(): field for name, field in Settings.model_fields.items()}
# old names still read (AliasChoices), documented as such, never in .env.example on their own
OLD_NAMES = {
    str(choice).upper()
    for field in Settings.model_fields.values()
    if isinstance(field.validation_alias, AliasChoices)
    for choice in field.validation_alias.choices
} - set(FIELDS)
# defaults computed at start, which README describes rather than quotes
COMPUTED = {"BROADCAST_INSTANCE_ID", "WEB_PUBLIC_URL", "WEB_SECRET"}
WORDED = {"MOC_NAME", "RMC_NAME", "IRO_NAME"}  # long Russian defaults, README names them


def _as_env(value: Any) -> str:
    """A default written as it would be in .env."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple | frozenset):
        return ",".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _env_example() -> dict[str, str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return dict(re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", text, re.M))


def _readme_rows() -> list[tuple[list[str], str]]:
    """(names, default cell) of every settings-table row in README."""
    rows = []
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")[1:-1]]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0])
        if names and all(n in FIELDS or n in OLD_NAMES for n in names[:1]):
            rows.append((names, cells[1]))
    return rows


def test_env_example_has_a_line_for_every_setting_and_nothing_else() -> None:
    env = _env_example()
    assert sorted(set(FIELDS) - set(env)) == [], "settings without a line in .env.example"
    assert sorted(set(env) - set(FIELDS)) == [], ".env.example lines that are no setting"


def test_env_example_values_are_the_defaults() -> None:
    env = _env_example()
    wrong = {
        name: (value, _as_env(FIELDS[name].default))
        for name, value in env.items()
        if name in FIELDS and value != _as_env(FIELDS[name].default)
    }
    assert wrong == {}, "(.env.example, Settings default)"


def test_readme_has_a_row_for_every_setting_and_no_stale_name() -> None:
    named = {name for names, _ in _readme_rows() for name in names}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert sorted(set(FIELDS) - named) == [], "settings missing from README's tables"
    for line in readme.splitlines():
        cells = line.split("|")
        if len(cells) == 5 and cells[1].strip().startswith("`"):
            for name in re.findall(r"`([A-Z][A-Z0-9_]{3,})`", cells[1]):
                assert name in FIELDS or name in OLD_NAMES, f"README row names {name}: no setting"
    for old in OLD_NAMES:  # an old name is mentioned as such, next to the new one
        assert f"`{old}`" in readme, f"old name {old} still read but not documented"


def test_readme_defaults_are_the_defaults() -> None:
    wrong = []
    for names, cell in _readme_rows():
        parts = [p.strip() for p in cell.split(", ")] if len(names) > 1 else [cell]
        defaults = parts if len(parts) == len(names) else [cell] * len(names)
        for name, shown in zip(names, defaults, strict=True):
            if name not in FIELDS or name in COMPUTED:
                continue
            actual = _as_env(FIELDS[name].default)
            literal = re.fullmatch(r"`([^`]*)`", shown)
            if literal is not None and literal.group(1) != actual:
                wrong.append((name, shown, actual))
            if literal is None and actual and name not in WORDED:
                wrong.append((name, shown, actual))  # «пусто» for a default that is not
    assert wrong == [], "(setting, README says, Settings default)"
