"""QA in MAX: double taps and buttons left under an older message, through the real MAX runtime
and the fake MAX API — a confirmation tapped twice is done and said once."""

from __future__ import annotations

from sqlalchemy import func, select

from bot import texts
from storage.models import User
from tests.helpers.max_both import MOTHER, Both, as_parent
from tests.helpers.wait import until


async def test_a_double_tap_on_forget_yes_deletes_once_and_says_it_once_in_max(
    both: Both,
) -> None:
    """The second tap used to make the person anew and delete them again: «Готово: ваши
    данные удалены» twice. Now the second says there was nothing left, and keeps nothing."""
    h = both
    await as_parent(h)
    confirm = await h.say(MOTHER, "/forget_me")
    before = len(h.max.sent_to(MOTHER))
    await h.press(MOTHER, confirm, texts.BTN_FORGET_YES)
    await h.press(MOTHER, confirm, texts.BTN_FORGET_YES)
    said = [m.plain for m in (await h.max.wait_sent(MOTHER, before + 2))[before:]]
    assert said == [texts.FORGOTTEN, texts.FORGOTTEN_ALREADY], said

    async def nobody_left() -> bool:
        async with h.sessionmaker() as session:
            return await session.scalar(select(func.count()).select_from(User)) == 0

    await until(nobody_left, what="the row the second tap made deleted too")
