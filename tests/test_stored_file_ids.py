"""A stored file's id is never given to a later upload (SQLite AUTOINCREMENT, migration 0032).

A broadcast draft, an album's later files and a broadcast's content point at a stored file by
its id. SQLite without AUTOINCREMENT reuses the id of the highest deleted row: a draft whose
file was pruned went out with whatever was uploaded next (a colleague's PDF as the second
photo of an album). Now the id stays dead, and the draft finds its file gone
(max_texts.BROADCAST_FILE_GONE / «файл №N не найден»). PostgreSQL's sequence never reuses ids.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, text

from storage.db import create_engine, create_sessionmaker
from storage.migrate import alembic_config
from storage.models import StoredFile
from storage.repositories import Repositories
from tests import pg
from tests.conftest import Backend

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
ALICE, BORIS = 101, 202  # two staffers
PHOTO, PDF = b"\x89PNG alice's photo", b"%PDF boris's report"


async def test_a_deleted_files_id_is_not_given_to_the_next_upload(backend: Backend) -> None:
    engine = create_engine(backend.database_url)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with sessionmaker() as session:
            repo = Repositories(session)
            await repo.files.add(
                kind="photo", name="a.png", mime="image/png", data=b"first", uploaded_by=ALICE,
                now=NOW,
            )  # fmt: skip
            held = await repo.files.add(
                kind="photo", name="b.png", mime="image/png", data=PHOTO, uploaded_by=ALICE,
                now=NOW,
            )  # fmt: skip
            await repo.commit()
            # the draft's file goes (a prune, a cleanup): the highest id of the table
            await session.execute(delete(StoredFile).where(StoredFile.id == held))
            await repo.commit()
            other = await repo.files.add(
                kind="document", name="отчёт.pdf", mime="application/pdf", data=PDF,
                uploaded_by=BORIS, now=NOW,
            )  # fmt: skip
            await repo.commit()
            found = await repo.files.data(held)
        assert other != held
        assert found is None  # the draft's staffer hears the file is gone, not Boris's PDF
    finally:
        await engine.dispose()


def run(url: str, *statements: str) -> list[list[tuple[object, ...]]]:
    async def go() -> list[list[tuple[object, ...]]]:
        engine = create_engine(url)
        try:
            async with engine.begin() as conn:
                results = [await conn.execute(text(sql)) for sql in statements]
                return [list(map(tuple, r.all())) if r.returns_rows else [] for r in results]
        finally:
            await engine.dispose()

    return asyncio.run(go())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        return
    server = request.getfixturevalue("pg_url")
    name = pg.unique_name("t_0032")
    url = asyncio.run(pg.create_database(server, name))
    yield url
    asyncio.run(pg.drop_database(server, name))


WHEN = "'2026-12-07 12:00:00+00:00'"


def file_row(file_id: int, name: str) -> str:
    return (
        "INSERT INTO stored_files (id, kind, name, mime, size, data, uploaded_by, created_at, "
        f"used) VALUES ({file_id}, 'photo', '{name}', 'image/png', 1, '', {ALICE}, {WHEN}, "
        "FALSE)"
    )


def new_file() -> str:
    return (
        "INSERT INTO stored_files (kind, name, mime, size, data, uploaded_by, created_at, used) "
        f"VALUES ('document', 'new.pdf', 'application/pdf', 1, '', {BORIS}, {WHEN}, FALSE)"
    )


def test_0032_keeps_the_files_and_never_hands_out_an_id_a_draft_holds(empty_url: str) -> None:
    url, config = empty_url, alembic_config(empty_url)
    command.upgrade(config, "0031")
    if empty_url.startswith("postgresql"):
        # the ids were given by the sequence; inserting them by hand leaves it behind
        run(url, new_file(), new_file(), new_file(), new_file(), "DELETE FROM stored_files")
    run(
        url,
        file_row(1, "one.png"),
        file_row(2, "two.png"),
        # a MAX draft's album still holds file 4, deleted before the upgrade
        "INSERT INTO fsm_records (key, state, data, updated_at) VALUES ('max:1:1', 'x', "
        '\'{"stored_file": 2, "more": [{"kind": "photo", "stored_file": 4}]}\', ' + WHEN + ")",
    )
    command.upgrade(config, "0032")
    (kept,) = run(url, "SELECT id, name FROM stored_files ORDER BY id")
    assert kept == [(1, "one.png"), (2, "two.png")]
    _, (added,) = run(url, new_file(), "SELECT max(id) FROM stored_files")
    assert added[0] is not None and int(str(added[0])) > 4
    # deleting the newest and adding again: never its id
    _, _, (again,) = run(
        url, f"DELETE FROM stored_files WHERE id = {added[0]}", new_file(),
        "SELECT max(id) FROM stored_files",
    )  # fmt: skip
    assert int(str(again[0])) > int(str(added[0]))

    command.downgrade(config, "0031")
    (back,) = run(url, "SELECT count(*) FROM stored_files")
    assert back == [(3,)]
    command.upgrade(config, "head")
