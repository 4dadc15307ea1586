"""Two taps at once on «➕ В базу» candidates for one question (a methodist's double tap on
two rows, or two staffers in the same second): the question goes to ONE entry, the other tap is
told where it went — not «добавлен» twice with a row the bot then silently ignores."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.config import Settings
from bot.services.faq import FaqService
from bot.services.faq.consult import entry_view
from bot.services.faq.learning import Refused, attach_question, refresh
from bot.services.faq.text import normalize
from bot.texts import faq_learn as t
from storage.db import SessionMaker
from storage.models import FaqStaffSample
from storage.repositories import Repositories
from tests.conftest import ADMIN, STAFF_CHAT, BotHarness, make_settings
from tests.fakes.telegram_api import FakeUser
from tests.test_e2e_faq_learn import staff_press, ticket_post

COLLEAGUE = FakeUser(id=2009, first_name="Ольга", last_name="Петрова")  # in the staff chat
QUESTION = "где глянуть остаток на карте ребенка"  # the matcher does not answer this one


async def test_two_candidates_tapped_at_once_attach_the_question_once(
    learn: BotHarness, faq: FaqService, settings: Settings
) -> None:
    post = await ticket_post(learn, QUESTION)
    picker = await staff_press(learn, post, t.BTN_TO_KB)
    first, second = picker.buttons[0][0], picker.buttons[1][0]
    learn.server.press(picker, first.text, user=ADMIN)
    learn.server.press(picker, second.text, user=COLLEAGUE)
    await learn.server.idle(timeout=60)  # KB rebuilds (CPU) may run meanwhile

    async with learn.sessionmaker() as session:
        rows = (await session.scalars(select(FaqStaffSample))).all()
    assert len(rows) == 1, [(r.entry_id, r.question) for r in rows]
    owner = rows[0].entry_id
    texts = [m.text or "" for (chat, _), m in learn.server.messages.items() if chat == STAFF_CHAT]
    assert sum("добавлен к статье" in x for x in texts) <= 1, texts
    refused = [x for x in texts if "уже есть в статье" in x or "только что добавили" in x]
    assert len(refused) == 1 and faq.kb.entries[owner].title in refused[0], texts

    answer = await learn.say(FakeUser(id=2008, first_name="Инна"), QUESTION)
    assert answer.raw_text == entry_view(faq, settings, owner).text


async def test_two_instances_attaching_one_question_at_once_keep_one_and_say_so(
    db_path: Path, sessionmaker: SessionMaker
) -> None:
    """Two bot processes (each its own FaqService, one database): staff in each attach the
    same question to a different entry in the same second. One wins; the other staffer is
    told where the question went and their row is taken back, instead of «добавлен»."""
    settings = make_settings(db_path)
    one = FaqService(None, settings.placeholders())
    two = FaqService(None, settings.placeholders())

    async def attach(faq: FaqService, entry_id: str) -> str:
        async with sessionmaker() as session:
            try:
                saved = await attach_question(
                    faq, Repositories(session), settings.placeholders(), entry_id, QUESTION, 1
                )
            except Refused as exc:
                return f"refused: {exc}"
            return f"saved: {saved.entry_id}"

    said = await asyncio.gather(
        attach(one, "certificate.number_balance"), attach(two, "certificate.nominal_ended")
    )
    async with sessionmaker() as session:
        rows = (await session.scalars(select(FaqStaffSample))).all()
    assert len(rows) == 1, said
    winner = rows[0].entry_id
    assert f"saved: {winner}" in said, said
    (refusal,) = [s for s in said if s.startswith("refused")]
    assert "только что добавили к статье" in refusal and winner in refusal, said
    for faq in (one, two):
        async with sessionmaker() as session:
            await refresh(faq, Repositories(session), every=0, wait=True)
        assert normalize(QUESTION) in map(normalize, faq.kb.entries[winner].questions)


async def test_a_thanks_is_not_attached_to_an_entry_it_would_never_reach(
    db_path: Path, sessionmaker: SessionMaker
) -> None:
    """«спасибо» attached to an entry: the merge keeps it with the small talk, so the row would
    be a wording the bot ignores while staff read «добавлен». Refused up front, nothing saved."""
    settings = make_settings(db_path)
    faq = FaqService(None, settings.placeholders())
    thanks = next(q for i in faq.kb.smalltalk for q in i.questions if "спасибо" in q)
    async with sessionmaker() as session:
        with pytest.raises(Refused) as refused:
            await attach_question(
                faq, Repositories(session), settings.placeholders(), "moc.contacts", thanks, 1
            )
        assert (await session.scalars(select(FaqStaffSample))).all() == []
    assert str(refused.value) == t.SMALLTALK_TAKEN
