"""`python -m bot faq check` checks what the bot serves: the YAML files and, on top of them,
what staff changed in the database (entries and questions added in the chat, versions saved
in the panel). A staff entry with a broken placeholder used to pass the check and fail only
when a parent got it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app.cli import main as cli
from storage.db import create_engine, create_sessionmaker
from storage.repositories import Repositories


async def _staff_changes(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            repo = Repositories(session)
            await repo.faq_kb.add_entry(
                "moc", "Часы работы летом", "Летом звоните по {moc_phon}.", created_by=1
            )
            await repo.faq_kb.add_sample("no.such_entry", "где взять справку", created_by=1)
            await repo.faq_kb.bump()
    finally:
        await engine.dispose()


def test_check_finds_a_broken_staff_entry_in_the_database(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert cli.main(["faq", "check"]) == 0  # a fresh database: the files alone, all good
    assert "правки сотрудников из базы (вопросов: 0" in capsys.readouterr().out

    asyncio.run(_staff_changes(db_url))
    assert cli.main(["faq", "check"]) == 1
    captured = capsys.readouterr()
    assert "ОШИБКА добавлено сотрудниками в боте [moc.staff1]" in captured.err
    assert "moc_phon" in captured.err
    assert "правка сотрудника не применяется" in captured.err and "no.such_entry" in captured.err
    assert "вопросов: 1, статей: 1" in captured.out

    assert cli.main(["faq", "check", "--files-only"]) == 0
    assert "проверено: файлы;" in capsys.readouterr().out


def test_check_without_a_database_file_checks_the_files_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none" / "bot.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{missing}")
    assert cli.main(["faq", "check"]) == 0
    assert "Правки сотрудников не проверены: файла базы" in capsys.readouterr().err
    assert not missing.parent.exists()
