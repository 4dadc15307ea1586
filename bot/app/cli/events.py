"""`python -m bot events|report|orgs ...`: bulk work for МОЦ staff and scripts.

A season's plan, the list of organisations and the period report are easier from a file and a
terminal than through chat buttons. Each command opens the database once, commits once, and
imports heavy modules only when it runs, so `python -m bot --help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot.app.cli.db import DatabaseDown, database_failure
from bot.app.cli.db import fail as _fail
from bot.app.cli.db import run_in_session as _run
from bot.core.config import Settings
from bot.core.file_errors import why

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.models import Event

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

T = TypeVar("T")
Raw = argparse.RawDescriptionHelpFormatter

IMPORT_HELP = """\
Импорт мероприятий из CSV (UTF-8 или Windows-1251 — оба варианта «Сохранить как CSV» в
Excel; разделитель «;», «,» или табуляция), Excel (.xlsx: первый лист, те же столбцы) или YAML.
Сначала проверяются все строки; при ошибках ничего не записывается, а в stderr выводится
каждая неверная строка («строка N: …»), код выхода 1. При успехе в stdout печатаются id новых
мероприятий, по одному в строке, в stderr — «Обновлено N, без изменений M, новых K».

Повторный импорт обновляет мероприятия: строка с id (его пишет events export) или, без id,
с тем же названием и началом относится к уже созданному мероприятию. Изменённые поля
(название, время, длительность, место, число мест, окончание записи, описание, организатор,
ведущий, аудитория) меняются по правилам правки в панели: мест не меньше, чем уже занято;
о новом времени или месте записанные и ожидающие получают уведомление с обновлённым .ics
(его отправит запущенный бот). Вид и формат существующего мероприятия не меняются.
--dry-run показывает, что изменится, и ничего не записывает.

Столбцы CSV: title,kind,starts_at,duration_min,format,place,capacity (по желанию:
registration_deadline,description,organiser,speaker,audience и id — его пишет events export).
  kind      seminar, master_class, workshop, methodical_meeting, round_table,
            conference, webinar, contest (или по-русски: Семинар, Мастер-класс, …)
  starts_at ГГГГ-ММ-ДД ЧЧ:ММ (или ДД.ММ.ГГГГ ЧЧ:ММ, как пишет Excel) по времени МОЦ
            (TIMEZONE); занятия серии — в одной ячейке через «;»:
            «08.12.2026 15:00; 15.12.2026 15:00»
  format    offline (в place — адрес) или online (в place — ссылка https://…)
В YAML те же поля; занятия серии можно перечислить списком sessions.
Примеры: examples/events.csv, examples/events.yaml."""

EXPORT_HELP = """\
Выгрузка предстоящих мероприятий (ещё не начавшихся и не отменённых) в формате импорта:
те же столбцы и id первым столбцом. Файл .csv (UTF-8 с BOM, разделитель «;» — Excel открывает
его как таблицу) или .xlsx — по расширению. Поправьте его в Excel и загрузите обратно:
python -m bot events import ФАЙЛ (сначала можно с --dry-run)."""


WHOLE_PERIOD = (
    "Или весь период в --from без --to: 2025-2026 (учебный год), 2026 (календарный), "
    "01.09.2025–31.05.2026."
)
REPORT_HELP = """\
Отчёт о мероприятиях за период (даты включительно, по времени МОЦ): сводка, по видам, по
организациям, по месяцам с диаграммой. Даты — как в /report и в форме «Отчёт» панели:
01.09.2025, 2025-09-01, «1 сентября 2025». Весь период можно указать в --from без --to:
--from 2025-2026 (учебный год), --from 2026 (календарный), --from 01.09.2025–31.05.2026."""


def _typed_period(value: str) -> str:
    """A day or a whole period as /report reads them (bot.services.reports.period); the period
    itself is put together in `report_days`."""
    from bot.core.dates import MAX_YEARS_AHEAD, DateParseError, parse_local_date
    from bot.services.events.whole_form import plain
    from bot.services.reports.period import report_period

    today = date.today()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        pass
    else:  # 0001, 9999: a slip, as in /report
        if abs(day.year - today.year) > MAX_YEARS_AHEAD:
            raise argparse.ArgumentTypeError(f"«{value}» — проверьте год: {day.year}")
        return value
    try:
        parse_local_date(value, today)
    except DateParseError as exc:
        if isinstance(report_period(value, today), str):
            raise argparse.ArgumentTypeError(
                f"«{value}» — {plain(str(exc))} {WHOLE_PERIOD}"
            ) from None
    return value


def report_days(typed_first: str, typed_last: str | None, today: date) -> tuple[date, date] | int:
    """--from and --to → the period, as the panel's form reads «с» and «по»; or the exit code
    after saying what is wrong (Russian, by option)."""
    from bot.core.dates import DateParseError, parse_local_date
    from bot.services.events.whole_form import plain
    from bot.services.reports.period import read_period

    if typed_last is not None:
        try:
            parse_local_date(typed_first, today)
        except DateParseError:  # a whole period in --from (argparse let only those through)
            return _fail([f"ошибка: --from {typed_first}: это уже весь период — уберите --to"])
    period, problems = read_period(typed_first, typed_last or "", today)
    if period is None and typed_last is None:  # one day in --from: where is the last one?
        return _fail(
            [f"ошибка: --from {typed_first}: это один день, укажите и --to. {WHOLE_PERIOD}"]
        )
    if period is None:
        typed = {"first": ("--from", typed_first), "last": ("--to", typed_last or "")}
        return _fail([
            f"ошибка: {typed[name][0]} {typed[name][1]}: {plain(problem)}"
            for name, problem in problems.items()
        ])  # fmt: skip
    return period


def add_parsers(sub: Subparsers) -> None:
    """Register `events`, `report` and `orgs` on the main parser's subcommands."""
    _events_parsers(sub)
    _report_parser(sub)
    _orgs_parsers(sub)


def _events_parsers(sub: Subparsers) -> None:
    events = sub.add_parser("events", help="мероприятия: импорт, выгрузка, список")
    actions = events.add_subparsers(dest="events_command", metavar="EVENTS_COMMAND", required=True)
    imp = actions.add_parser(
        "import",
        help="импорт из .csv/.xlsx/.yaml/.yml",
        description=IMPORT_HELP,
        formatter_class=Raw,
    )
    imp.add_argument("file", type=Path, help="файл .csv, .xlsx, .yaml или .yml")
    imp.add_argument(
        "--dry-run", action="store_true", help="показать, что изменится, ничего не записывая"
    )
    exp = actions.add_parser(
        "export", help="выгрузка предстоящих в .csv/.xlsx для правки и повторного импорта",
        description=EXPORT_HELP, formatter_class=Raw,
    )  # fmt: skip
    exp.add_argument("out", type=Path, metavar="FILE", help="файл .csv или .xlsx")
    listing = actions.add_parser("list", help="все мероприятия: места, лист ожидания")
    listing.add_argument(
        "--json", action="store_true",
        help="JSON: id, title, kind, starts_at, capacity, registered, waiting",
    )  # fmt: skip


def _report_parser(sub: Subparsers) -> None:
    report = sub.add_parser(
        "report", help="отчёт за период в Excel", description=REPORT_HELP, formatter_class=Raw
    )
    report.add_argument(
        "--from", dest="date_from", type=_typed_period, required=True, metavar="ДАТА|ПЕРИОД",
        help="первый день периода (включительно) или весь период: 2025-2026, 2026",
    )  # fmt: skip
    report.add_argument(
        "--to", dest="date_to", type=_typed_period, metavar="ДАТА",
        help="последний день периода (включительно); не нужен, если --from — весь период",
    )  # fmt: skip
    report.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx", help="файл отчёта")


def _orgs_parsers(sub: Subparsers) -> None:
    orgs = sub.add_parser("orgs", help="справочник организаций для профиля педагога")
    org_actions = orgs.add_subparsers(dest="orgs_command", metavar="ORGS_COMMAND", required=True)
    org_import = org_actions.add_parser(
        "import", help="добавить организации из текстового файла",
        description="Одна организация в строке (UTF-8 или Windows-1251, как сохраняет "
        "Блокнот); пустые строки и уже известные названия пропускаются.",
    )  # fmt: skip
    org_import.add_argument("file", type=Path, help="файл .txt")


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import DBAPIError

    try:
        if args.command == "events" and args.events_command == "import":
            return import_events_file(settings, args.file, args.dry_run)
        if args.command == "events" and args.events_command == "export":
            return export_events_file(settings, args.out)
        if args.command == "events":
            return list_events(settings, args.json)
        if args.command == "report":
            today = datetime.now(settings.tz).date()
            days = report_days(args.date_from, args.date_to, today)
            if isinstance(days, int):
                return days
            return write_report(settings, *days, args.out)
        return import_organisations(settings, args.file)
    except (DBAPIError, DatabaseDown) as exc:
        return database_failure(settings.database_url, exc)


def import_events_file(settings: Settings, path: Path, dry_run: bool = False) -> int:
    from bot.services.events import reimport
    from bot.services.events.import_files import parse_events_file
    from bot.services.import_errors import ImportErrors
    from bot.texts import events_io as t
    from storage.repositories import Repositories

    now = datetime.now(UTC)
    try:
        drafts = parse_events_file(path.name, path.read_bytes(), settings.tz, now)
    except OSError as exc:
        return _fail([f"ошибка: не удалось прочитать {path}: {why(exc)}"])
    except ImportErrors as exc:
        return _fail([*exc.errors, t.NOTHING_SAVED.format(n=len(exc.errors))])

    async def work(session: AsyncSession) -> reimport.Outcome:
        repo = Repositories(session)
        return await reimport.apply(repo, settings, now, drafts, None, dry_run)

    try:
        done = _run(settings, work)
    except ImportErrors as exc:
        return _fail([*exc.errors, t.NOTHING_SAVED.format(n=len(exc.errors))])
    if done.new and not dry_run:
        print("\n".join(str(i) for i in done.new))
    for line in reimport.report_lines(done, dry_run):
        print(line, file=sys.stderr)
    if done.notices and not dry_run:  # no author in a chat hears of them: say where to look
        from bot.texts.broadcasts import CLI_NOTICES

        ids = ", ".join(f"№{i}" for i in done.notices)
        print(CLI_NOTICES.format(ids=ids), file=sys.stderr)
    return 0


def export_events_file(settings: Settings, out: Path) -> int:
    from bot.services.events.exporting import ahead, events_csv, events_xlsx
    from bot.texts import events_io as t
    from storage.repositories.events import EventRepo

    write = {".csv": events_csv, ".xlsx": events_xlsx}.get(out.suffix.lower())
    if write is None:
        return _fail([f"ошибка: {out}: нужен файл .csv или .xlsx"])

    async def load(session: AsyncSession) -> list[Event]:
        return ahead(await EventRepo(session).all(), datetime.now(UTC))

    events = _run(settings, load)
    try:
        out.write_bytes(write(events, settings.tz))
    except OSError as exc:
        return _fail([f"ошибка: не удалось записать {out}: {why(exc)}"])
    print(t.EXPORTED.format(n=len(events), path=out) if events else t.EXPORT_NONE)
    return 0


def _table(events: Sequence[Event], counts: Mapping[int, Mapping[str, int]], s: Settings) -> str:
    from bot.texts.events_labels import KIND_LABELS
    from storage.models import EventStatus

    lines = [f"{'id':>4}  {'начало':16}  {'вид':26}  {'места':>9}  {'ожид.':>5}  название"]
    for e in events:
        c = counts.get(e.id, {})
        seats = f"{c.get('registered', 0) + c.get('attended', 0)}/{e.capacity}"
        title = e.title + (" (отменено)" if e.status == EventStatus.CANCELLED else "")
        lines.append(
            f"{e.id:>4}  {e.starts_at.astimezone(s.tz):%d.%m.%Y %H:%M}  "
            f"{KIND_LABELS.get(e.kind, e.kind)[:26]:26}  {seats:>9}  {c.get('waiting', 0):>5}  "
            f"{title}"
        )
    return "\n".join(lines)


def list_events(settings: Settings, as_json: bool) -> int:
    from bot.services.events.importing import events_to_json
    from storage.repositories.events import EventRepo

    async def load(session: AsyncSession) -> tuple[Sequence[Event], dict[int, dict[str, int]]]:
        repo = EventRepo(session)
        events = await repo.all()
        return events, {e.id: await repo.counts(e.id) for e in events}

    events, counts = _run(settings, load)
    if as_json:
        print(
            json.dumps(events_to_json(events, counts, settings.tz), ensure_ascii=False, indent=2)
        )
    elif not events:
        print("Мероприятий пока нет. Импорт: python -m bot events import examples/events.csv")
    else:
        print(_table(events, counts, settings))
    return 0


def write_report(settings: Settings, first: date, last: date, out: Path) -> int:
    from bot.services.events.whole_form import plain
    from bot.services.reports.period import period_refusal, report_data, report_file
    from bot.services.reports.yearly import channel_summary, period_label
    from storage.repositories import Repositories

    if (refusal := period_refusal(first, last)) is not None:  # the panel's and /report's rule
        return _fail([f"ошибка: --from {first} --to {last}: {plain(refusal)}"])
    if out.suffix.lower() != ".xlsx":  # the workbook under another name opens as garbage
        return _fail([f"ошибка: --out {out}: отчёт — книга Excel, назовите файл .xlsx"])
    data = _run(
        settings,
        lambda session: report_data(
            Repositories(session), settings, first, last, datetime.now(UTC)
        ),
    )
    try:
        out.write_bytes(report_file(data, first, last, settings).data)
    except OSError as exc:
        return _fail([f"ошибка: не удалось записать {out}: {why(exc)}"])
    t = data.totals
    print(
        f"Отчёт {period_label(first, last)}: мероприятий {t.events}, занятий {t.sessions}, "
        f"записей {t.registrations}, участников {t.unique_participants}, "
        f"присутствовали {t.attended} → {out}"
    )
    if t.planned:
        print(f"Запланировано (ещё не проведены, не входят в отчёт): {t.planned}")
    print(f"По мессенджерам: {channel_summary(data)}")
    if (a := data.activity) is not None:
        print(
            f"Вопросов боту {a.questions} (ответил сам {a.answered}), передано специалистам "
            f"{a.tickets}, рассылок {a.broadcasts}, доставлено сообщений {a.sent}, "
            f"выдано документов об участии {a.documents_issued}"
        )
    return 0


def import_organisations(settings: Settings, path: Path) -> int:
    from bot.core.tables import EMPTY, UnreadableText, decode_table
    from storage.repositories.profiles import ProfileRepo

    try:
        lines = decode_table(path.read_bytes()).splitlines()
    except OSError as exc:
        return _fail([f"ошибка: не удалось прочитать {path}: {why(exc)}"])
    except UnreadableText as exc:
        return _fail([f"ошибка: {path}: {exc}"])
    names = [line.strip() for line in lines if line.strip()]
    if not names:
        return _fail([f"ошибка: {path}: {EMPTY}"])
    too_long = [
        f"строка {n}: длиннее 300 символов" for n, x in enumerate(lines, 1) if len(x.strip()) > 300
    ]
    if too_long:
        return _fail([*too_long, "Ничего не импортировано."])
    added = _run(settings, lambda session: ProfileRepo(session).add_organisations(names))
    print(f"Добавлено организаций: {added} (в файле {len(set(names))}, остальные уже были)")
    return 0
