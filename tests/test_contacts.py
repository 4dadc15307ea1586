"""Phone numbers as people type them, shown back the way Russians write them."""

from __future__ import annotations

import pytest

from bot.services.profile.contacts import normalize_phone


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("+7 900 123-45-67", "+7 900 123-45-67"),
        ("8 9００ 123 45 67", "+7 900 123-45-67"),  # full-width digits: stored as ASCII
        ("＋７ (９００) １２３-４５-６７", "+7 900 123-45-67"),
        ("8 9٠٠ 123 45 67", None),  # other scripts' digits: asked again, not stored half-read
        ("89001234567", "+7 900 123-45-67"),
        ("8 (391) 212-34-56", "+7 391 212-34-56"),  # the plan's three-digit code
        ("8 (3912) 12-34-56", "+7 3912 12-34-56"),  # a town's four-digit code, typed apart
        ("+7 3519 55-66-77", "+7 3519 55-66-77"),
        ("8(3912)123456", "+7 3912 12-34-56"),
        ("83912 12-34-56", "+7 3912 12-34-56"),
        ("(3912) 12-34-56", "+7 3912 12-34-56"),
        ("+7 (35161) 2-34-56", "+7 35161 2-34-56"),  # five digits: one digit, then pairs
        ("+73912123456", "+7 391 212-34-56"),  # nothing set apart: the plan's grouping
        ("+7 9001 23 45 67", "+7 900 123-45-67"),  # a mobile's code is three digits
        ("8-800-555-35-35", "+7 800 555-35-35"),
        ("12-34-56", None),
        ("+1 212 555 0100", None),
    ],
)
def test_a_phone_is_grouped_as_written(typed: str, shown: str | None) -> None:
    assert normalize_phone(typed) == shown
