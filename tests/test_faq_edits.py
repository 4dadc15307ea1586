"""Panel versions of whole entries merged over the YAML (bot/services/faq/edits.py): pure."""

from __future__ import annotations

from datetime import date

from bot.services.faq import load_knowledge_base
from bot.services.faq.additions import Additions, merge
from bot.services.faq.edits import PANEL_SOURCE, EntryEdit
from bot.services.faq.kb import Link
from bot.services.faq.learning import edit_of
from storage.db import create_engine, create_sessionmaker
from storage.repositories import Repositories
from tests.conftest import Backend


def edit(entry_id: str, *questions: str, active: bool = True, answer: str = "Новый.") -> EntryEdit:
    return EntryEdit(
        entry_id, "moc", "all", "Заголовок", answer, questions,
        (Link("Сайт", "https://moc.example.org"),), (), date(2026, 12, 5), active,
    )  # fmt: skip


def test_an_edit_replaces_the_yaml_entry_and_an_inactive_one_brings_the_file_back() -> None:
    base = load_knowledge_base()
    questions = ("контакты моц", "телефон моц", "моц адрес")
    kb, notes = merge(base, Additions(edits=(edit("moc.contacts", *questions),)))
    assert notes == [] and kb.entries["moc.contacts"].answer == "Новый."
    assert kb.entries["moc.contacts"].questions == questions
    assert kb.source_of("moc.contacts") == PANEL_SOURCE
    assert base.entries["moc.contacts"].answer != "Новый."  # the loaded YAML is not touched
    back, _ = merge(base, Additions(edits=(edit("moc.contacts", *questions, active=False),)))
    assert back.entries["moc.contacts"] == base.entries["moc.contacts"]


def test_a_question_of_another_entry_and_a_deleted_yaml_entry_are_left_out_with_a_note() -> None:
    base = load_knowledge_base()
    taken = base.entries["moc.what"].questions[0]
    kb, notes = merge(
        base,
        Additions(edits=(edit("moc.contacts", "контакты моц", taken), edit("moc.gone", "вопрос"))),
    )
    assert kb.entries["moc.contacts"].questions == ("контакты моц",)
    assert any(f"«{taken}» уже ведёт к «moc.what»" in note for note in notes)
    assert "moc.gone" not in kb.entries and any("moc.gone" in note for note in notes)
    made, notes = merge(base, Additions(edits=(edit("moc.web7", "собака поводырь"),)))
    assert notes == [] and made.entries["moc.web7"].questions == ("собака поводырь",)


async def test_the_newest_version_of_each_entry_on_both_backends(backend: Backend) -> None:
    """The repository's group-by and the JSON columns, on SQLite and PostgreSQL."""
    engine = create_engine(backend.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            repo = Repositories(session)
            for entry_id, answer in (("moc.a", "1"), ("moc.b", "2"), ("moc.a", "3")):
                await repo.faq_history.add(
                    entry_id=entry_id, action="edit", active=True, category="moc",
                    audience="all", title="Т", answer=answer, questions=["вопрос «в»"],
                    links=[["Сайт", "https://x.org"]], related=[], summary="", kb_version=1,
                    staff_id=2**40, staff_name="Анна",
                )  # fmt: skip
            await repo.commit()
        async with create_sessionmaker(engine)() as session:
            repo = Repositories(session)
            latest = await repo.faq_history.latest()
            assert [(r.entry_id, r.answer) for r in latest] == [("moc.b", "2"), ("moc.a", "3")]
            assert edit_of(latest[1]).links == (Link("Сайт", "https://x.org"),)
            assert latest[1].questions == ["вопрос «в»"] and latest[1].staff_id == 2**40
            assert [r.answer for r in await repo.faq_history.of_entry("moc.a")] == ["3", "1"]
    finally:
        await engine.dispose()
