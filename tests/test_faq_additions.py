"""Staff additions merged into the YAML knowledge base: the YAML wins, nothing breaks a load,
and every instance notices a new version with one cheap read."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.core.config import Settings
from bot.services.faq import FaqService, KnowledgeBaseError, load_knowledge_base
from bot.services.faq.additions import Additions, StaffEntry, StaffSample, merge
from bot.services.faq.learning import Refused, attach_question, create_entry, refresh
from storage.db import SessionMaker, create_engine, create_sessionmaker
from storage.repositories import Repositories
from tests.conftest import process_env

ROOT = Path(__file__).resolve().parent.parent

TODAY = date(2026, 12, 1)


def test_merge_adds_samples_and_entries_and_the_yaml_wins_conflicts() -> None:
    kb = load_knowledge_base()
    taken = kb.entries["certificate.get"].questions[0]
    additions = Additions(
        3,
        entries=(
            StaffEntry("moc.staff1", "moc", "Собака-поводырь", "Можно.", TODAY),
            StaffEntry("moc.contacts", "moc", "Дубль id из YAML", "…", TODAY),
            StaffEntry("x.staff2", "no_such_category", "Без раздела", "…", TODAY),
        ),
        samples=(
            StaffSample("moc.contacts", "как дозвониться в моц"),
            StaffSample("moc.staff1", "пускают ли с собакой"),
            StaffSample("moc.contacts", taken.upper()),  # another entry has it: YAML wins
            StaffSample("no.such_entry", "куда пропала статья"),
        ),
    )
    merged, notes = merge(kb, additions)
    assert merged.entries["moc.contacts"].questions[-1] == "как дозвониться в моц"
    assert merged.entries["moc.contacts"].title == kb.entries["moc.contacts"].title
    assert merged.entries["moc.staff1"].questions == ("пускают ли с собакой",)
    assert merged.entries["moc.staff1"].audience == kb.category("moc").audience  # type: ignore[union-attr]
    assert "x.staff2" not in merged.entries
    assert len(notes) == 4, notes
    assert kb.entries["moc.contacts"].questions[-1] != "как дозвониться в моц"  # not mutated


def test_a_broken_staff_entry_never_stops_a_load(settings: Settings) -> None:
    broken = StaffEntry("moc.staff1", "moc", "Сломанная", "Звоните {moc_fax}", TODAY)
    samples = tuple(StaffSample("moc.staff1", q) for q in ("раз вопрос", "два вопрос", "три"))
    faq = FaqService(None, settings.placeholders(), Additions(1, (broken,), samples))
    assert "moc.staff1" not in faq.kb.entries and faq.version == 1
    # the checker refuses a new problem, but not the old one nobody is adding now
    again = StaffEntry("moc.staff2", "moc", "Снова", "Звоните {moc_fax}", TODAY)
    more = tuple(StaffSample("moc.staff2", q) for q in ("четыре вопрос", "пять вопрос", "шесть"))
    with pytest.raises(KnowledgeBaseError, match=r"moc\.staff2.*moc_fax"):
        faq.candidate(faq.additions.plus(again, more), settings.placeholders())
    added = faq.additions.plus(samples=(StaffSample("moc.contacts", "как дозвониться в моц"),))
    assert (
        "как дозвониться в моц"
        in faq.candidate(added, settings.placeholders()).kb.entries["moc.contacts"].questions
    )


async def test_refresh_reads_the_version_at_most_once_per_interval(
    settings: Settings, sqlite_or_pg_url: str
) -> None:
    faq_a = FaqService(None)
    faq_b = FaqService(None)
    engine = create_engine(sqlite_or_pg_url)
    async with create_sessionmaker(engine)() as session:
        repo = Repositories(session)
        assert await refresh(faq_b, repo, every=60) is False  # version 0 = the YAML alone
        saved = await attach_question(
            faq_a, repo, settings.placeholders(), "moc.contacts", "как дозвониться в моц", 1
        )
        assert saved.version == 1 and faq_a.version == 1
        assert await refresh(faq_b, repo, every=60) is False  # read a moment ago: not again
        faq_b.checked_at -= 61
        assert await refresh(faq_b, repo, every=60, wait=True) is True
    await engine.dispose()
    assert faq_b.version == 1
    assert faq_b.matcher.search("как дозвониться в моц").match.id == "moc.contacts"  # type: ignore[union-attr]


async def test_staff_input_is_refused_with_reasons(
    settings: Settings, sessionmaker: SessionMaker
) -> None:
    faq = FaqService(None)
    placeholders = settings.placeholders()
    async with sessionmaker() as session:
        repo = Repositories(session)
        with pytest.raises(Refused, match="нет слов"):
            await attach_question(faq, repo, placeholders, "moc.contacts", "?!", 1)
        with pytest.raises(Refused, match="длиннее"):
            await attach_question(faq, repo, placeholders, "moc.contacts", "слово " * 80, 1)
        with pytest.raises(Refused, match="нет в базе"):
            await attach_question(faq, repo, placeholders, "moc.nothing", "вопрос тут", 1)
        with pytest.raises(Refused, match="не меньше 3"):
            await create_entry(faq, repo, placeholders, "moc", "Заголовок", "Ответ.", ["а б"], 1)
        with pytest.raises(Refused, match="тег <p>"):
            questions = ["первый вопрос", "второй вопрос", "третий вопрос"]
            await create_entry(faq, repo, placeholders, "moc", "З", "<p>x</p>", questions, 1)
        assert await repo.faq_kb.version() == 0 and faq.version == 0


async def test_cli_prints_staff_additions_as_yaml_for_the_data_files(
    settings: Settings, sessionmaker: SessionMaker, db_url: str
) -> None:
    faq = FaqService(None)
    placeholders = settings.placeholders()
    async with sessionmaker() as session:
        repo = Repositories(session)
        await attach_question(faq, repo, placeholders, "moc.contacts", "как дозвониться в моц", 1)
        questions = ["пускают ли с собакой", "собака-поводырь на занятии", "можно с собакой?"]
        await create_entry(
            faq, repo, placeholders, "moc", "Собака-поводырь", "Можно.", questions, 1
        )
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "faq", "staff"],
        cwd=ROOT, env=process_env(db_url), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = yaml.safe_load(done.stdout)
    assert data["questions"] == {"moc.contacts": ["как дозвониться в моц"]}
    [entry] = data["entries"]
    assert entry["id"] == "moc.staff1" and entry["questions"] == questions
    assert entry["answer"] == "Можно." and entry["audience"] == "all"
