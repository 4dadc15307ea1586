"""/report: the period report as an Excel workbook (the academic year, or two dates given),
built by bot.services.reports.period (MAX's /report sends the same file).

Registered by handlers.events_admin behind its admin check.
"""

from __future__ import annotations

from aiogram.filters import CommandObject
from aiogram.types import BufferedInputFile, Message

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.services.reports.period import period_report
from storage.repositories import Repositories


async def report(
    message: Message, command: CommandObject, repo: Repositories, settings: Settings, clock: Clock
) -> None:
    made = await period_report(repo, settings, command.args, clock.now())
    if isinstance(made, str):  # how to name a period, or why this one gets no report
        await message.answer(made)
        return
    document = BufferedInputFile(made.file.data, filename=made.file.filename)
    await message.answer_document(document, caption=made.caption)
