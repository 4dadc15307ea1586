"""A button's answer (a callback notice) holds 200 characters: the one helper that fits a
template's value into it (bot.core.markup.fit_toast), used by the event status toast, the
chat registry's «Чат «…»: Родители.» and the broadcast preview's «Тест не отправился: …»."""

from __future__ import annotations

from pathlib import Path

from bot.core.markup import TOAST_LIMIT, fit_toast
from bot.texts import broadcasts as t_broadcasts
from bot.texts import chats as t_chats

ROOT = Path(__file__).resolve().parent.parent


def test_a_long_value_is_cut_and_the_rest_of_the_template_stays() -> None:
    toast = fit_toast("Запись на «{title}» закрыта.", "title", "Семинар & практикум " * 30)
    assert len(toast) == TOAST_LIMIT
    assert toast.startswith("Запись на «Семинар & практикум") and toast.endswith("…» закрыта.")


def test_fixed_values_always_show_and_a_short_value_is_whole() -> None:
    toast = fit_toast(t_chats.BOUND_TOAST, "title", "Х" * 500, audiences="Родители, Педагоги")
    assert len(toast) <= TOAST_LIMIT and toast.endswith("»: Родители, Педагоги.")
    assert fit_toast(t_broadcasts.TEST_FAILED, "error", "<b> & bad") == (
        t_broadcasts.TEST_FAILED.format(error="<b> & bad")  # plain text: nothing escaped
    )


def test_even_an_overlong_template_stays_within_the_limit() -> None:
    assert len(fit_toast("{title}: " + "я" * 300, "title", "Чат")) == TOAST_LIMIT


def test_no_module_fits_a_toast_by_itself() -> None:
    """«room = TOAST_LIMIT − len(template)» was written three times; now once, in markup."""
    sources = [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/**/*.py")]
    copies = [
        str(path.relative_to(ROOT))
        for path in sources
        if "TOAST_LIMIT -" in path.read_text(encoding="utf-8")
    ]
    assert copies == ["bot/core/markup.py"], copies
