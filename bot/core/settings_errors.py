"""pydantic's complaints about settings, said in Russian with the variable named.

The person who reads them is a МОЦ's IT person editing `.env`: pydantic's own English
(«Input should be a valid integer…») tells them neither what to type nor, for a secret, that
the value itself is never echoed. One line per bad setting: `NAME: what is wrong`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

SECRETS = frozenset(
    {"BOT_TOKEN", "WEBHOOK_SECRET", "WEB_SECRET", "MAX_BOT_TOKEN", "MAX_WEBHOOK_SECRET"}
)
BOOLEANS = "true или false (также 1/0, yes/no, on/off)"
MESSAGES = {
    "int_parsing": "нужно целое число",
    "int_from_float": "нужно целое число",
    "float_parsing": "нужно число (дробная часть — через точку: 2.5)",
    "bool_parsing": f"нужно {BOOLEANS}",
    "bool_type": f"нужно {BOOLEANS}",
    "string_type": "нужен текст",
    "greater_than": "нужно число больше {gt}",
    "greater_than_equal": "нужно число не меньше {ge}",
    "less_than": "нужно число меньше {lt}",
    "less_than_equal": "нужно число не больше {le}",
    "string_too_long": "нужно не длиннее {max_length} символов",
    "string_too_short": "нужно не короче {min_length} символов",
    "literal_error": "допустимо: {expected}",
    "enum": "допустимо: {expected}",
}


def _shown(value: Any) -> str:
    text = str(value)
    return f"«{text[:60]}…»" if len(text) > 60 else f"«{text}»"


def _expected(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """pydantic's `'a', 'b' or 'c'` as `a, b, c`, the way .env spells them; 30.0 as 30."""
    values = {
        key: int(value) if isinstance(value, float) and value.is_integer() else value
        for key, value in ctx.items()
    }
    if "expected" in values:
        values["expected"] = str(values["expected"]).replace("'", "").replace(" or ", ", ")
    return values


def describe(error: Mapping[str, Any]) -> str:
    """One pydantic error as `NAME: what is wrong` (the value too, unless it is a secret)."""
    loc: Sequence[Any] = error.get("loc", ())
    name = ".".join(str(part) for part in loc).upper()
    message = str(error.get("msg", "")).removeprefix("Value error, ")  # our own validators
    template = MESSAGES.get(str(error.get("type")))
    if template is not None:
        message = template.format(**_expected(error.get("ctx") or {}))
        given = error.get("input")
        if str(error.get("type")).startswith("string_too") and isinstance(given, str):
            message += f", а задано {len(given)}"
        elif name and name not in SECRETS and given not in (None, ""):
            message += f", а задано {_shown(given)}"
    # a check of several settings at once names them itself (WEBHOOK_URL … WEBHOOK_SECRET)
    return f"{name}: {message}" if name else message


def settings_problem(errors: Sequence[Mapping[str, Any]]) -> str:
    """All errors, one line each, for SettingsError (the CLI prints it after «ошибка: »)."""
    lines = [describe(error) for error in errors]
    return "\n".join(lines) if len(lines) == 1 else "неверные настройки:\n  " + "\n  ".join(lines)
