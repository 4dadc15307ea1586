"""The loader and the editorial checker: each mistake staff can make is caught and located."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app.cli import faq as cli_faq
from bot.core.config import Settings
from bot.core.html_check import html_errors
from bot.services.faq import (
    check_directory,
    check_knowledge_base,
    load_knowledge_base,
    render_answer,
)
from bot.services.faq.check import Problem, answer_errors

TODAY = date(2026, 1, 15)
PLACEHOLDERS = {"navigator_url": "https://navigator.example.org", "moc_name": "МОЦ «Радуга» & Ко"}


def entry(entry_id: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": entry_id,
        "category": "certificate",
        "title": f"Вопрос {entry_id}",
        "audience": "parents",
        "questions": [f"{entry_id} вопрос номер {n}" for n in range(5)],
        "answer": 'Откройте <a href="{navigator_url}">Навигатор</a>. <b>{moc_name}</b>',
        "checked": "2025-12-01",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def write_kb(directory: Path, *entries: dict[str, Any], intents: Any = None) -> Path:
    directory.mkdir(exist_ok=True)
    categories = {"categories": [{"id": "certificate", "title": "Сертификат", "audience": "all"}]}
    files = {"categories.yaml": categories, "main.yaml": {"entries": list(entries)}}
    if intents is not None:
        files["_intents.yaml"] = intents
    for name, data in files.items():
        (directory / name).write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return directory


def problems_for(tmp_path: Path, *entries: dict[str, Any], **kw: Any) -> list[Problem]:
    return check_directory(write_kb(tmp_path / "faq", *entries, **kw), PLACEHOLDERS, TODAY)


def only_error(problems: list[Problem], entry_id: str | None, text: str) -> Problem:
    """All errors are about this one entry, and one of them says `text`."""
    errors = [p for p in problems if p.level == "error"]
    assert errors and all(p.entry_id == entry_id for p in errors), errors
    assert all(p.file in ("main.yaml", "_intents.yaml") for p in errors), errors
    matching = [p for p in errors if text in p.message]
    assert matching, [p.message for p in errors]
    return matching[0]


def test_the_real_knowledge_base_has_no_errors() -> None:
    kb = load_knowledge_base()
    placeholders = Settings(_env_file=None).placeholders()
    errors = [
        p for p in check_knowledge_base(kb, placeholders, date.today()) if p.level == "error"
    ]
    assert errors == []


def test_a_clean_kb_has_no_problems(tmp_path: Path) -> None:
    assert problems_for(tmp_path, entry("a"), entry("b")) == []


def test_render_escapes_placeholder_values_but_keeps_the_html(tmp_path: Path) -> None:
    kb = load_knowledge_base(write_kb(tmp_path / "faq", entry("a")))
    html = render_answer(kb.entries["a"], PLACEHOLDERS)
    assert "<b>МОЦ «Радуга» &amp; Ко</b>" in html and '<a href="https://' in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"answer": "Звоните {moc_phone}"}, "неизвестный плейсхолдер {moc_phone}"),
        ({"answer": "Скобка { без пары"}, "непарная фигурная скобка"),
        ({"answer": "очень длинный ответ " * 250}, "— 4999 при пределе Telegram в 4096"),
        ({"answer": "строка<br>строка"}, "тег <br> Telegram не поддерживает"),
        ({"answer": "<p>абзац</p>"}, "тег <p> Telegram не поддерживает — уберите его"),
        ({"answer": "<b>жирный"}, "тег <b> не закрыт — добавьте </b>"),
        (
            {"answer": "<b><i>текст</b></i>"},
            "</b> закрывает <i>: теги должны закрываться в обратном",
        ),
        ({"answer": "<a>ссылка</a>"}, "у ссылки <a> нет адреса"),
        ({"answer": "Мамы & папы"}, "символ «&» в тексте — напишите &amp;"),
        ({"answer": "если возраст < 5 лет"}, "символ «<» в тексте — напишите &lt;"),
        ({"answer": "если возраст > 5 лет"}, "символ «>» в тексте — напишите &gt;"),
        (
            {"answer": "<span>секрет</span>"},
            '<span> можно использовать только как <span class="tg-spoiler">',
        ),
        ({"answer": "&nbsp;пробел"}, "&nbsp; Telegram не понимает"),
        ({"related": ["certificate.nope"]}, "статья «certificate.nope», но статьи с таким id нет"),
        ({"links": [{"title": "Сайт", "url": "www.example.org"}]}, "адрес «www.example.org» — не"),
        ({"links": [{"title": "Сайт", "url": "{moc_name}"}]}, "ссылка «Сайт»: адрес «МОЦ"),
        ({"questions": ["один вопрос", "второй вопрос"]}, "questions: 2, а нужно не меньше 3"),
    ],
)
def test_entry_errors_are_located(tmp_path: Path, changes: dict[str, Any], message: str) -> None:
    only_error(problems_for(tmp_path, entry("ok"), entry("bad", **changes)), "bad", message)


def test_link_with_a_placeholder_url_is_fine(tmp_path: Path) -> None:
    links = [{"title": "Навигатор", "url": "{navigator_url}"}]
    assert problems_for(tmp_path, entry("a", links=links)) == []


def test_sample_question_shared_by_two_entries(tmp_path: Path) -> None:
    shared = "как получить сертификат"
    a = entry("a", questions=[shared, "a1 вопрос", "a2 вопрос", "a3 вопрос", "a4 вопрос"])
    b = entry(
        "b",
        questions=["Как получить сертификат?", "b1 вопрос", "b2 вопрос", "b3 вопрос", "b4 вопрос"],
    )
    only_error(problems_for(tmp_path, a, b), "b", "уже есть у «a» (main.yaml)")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"answer": None}, "поле answer не заполнено"),
        ({"category": "kruzhki"}, "раздела «kruzhki» нет в categories.yaml"),
        ({"checked": "вчера"}, "поле checked должно быть датой вида 2025-01-31"),
        ({"audience": "pupils"}, "аудитории «pupils» нет — в audience можно: parents"),
        ({"questions": "один вопрос"}, "поле questions должно быть списком"),
        ({"title": True}, "поле title должно быть текстом, а здесь да/нет"),
        ({"relatd": ["a"]}, "неизвестное поле relatd — проверьте написание"),
    ],
)
def test_loader_errors_name_file_and_entry(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    problem = only_error(
        problems_for(tmp_path, entry("ok"), entry("bad", **changes)), "bad", message
    )
    assert "main.yaml, запись «bad»" in problem.message


def test_duplicate_id_is_an_error(tmp_path: Path) -> None:
    only_error(problems_for(tmp_path, entry("a"), entry("a")), "a", "такой id уже есть у статьи")


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    directory = write_kb(tmp_path / "faq", entry("a"))
    (directory / "main.yaml").write_text("entries: [ {id: a", "utf-8")
    [problem] = check_directory(directory, PLACEHOLDERS, TODAY)
    assert problem.file == "main.yaml" and "не читается как YAML" in problem.message
    assert "строка 1 — не закрыта" in problem.message, problem.message
    assert "flow" not in problem.message  # PyYAML's English is not shown to staff


def test_warnings_for_stale_answers_and_few_questions(tmp_path: Path) -> None:
    stale = entry("stale", checked="2024-06-01")
    few = entry("few", questions=["первый вопрос", "второй вопрос", "третий вопрос"])
    problems = problems_for(tmp_path, stale, few)
    assert all(p.level == "warning" and p.file == "main.yaml" for p in problems)
    messages = {p.entry_id: p.message for p in problems}
    assert "проверяли 2024-06-01, больше года назад" in messages["stale"]
    assert "примеров вопросов в questions: 3; с 5" in messages["few"]


def test_intent_reply_html_is_checked(tmp_path: Path) -> None:
    intents = {"smalltalk": [{"id": "hi", "questions": ["привет"], "reply": "<b>Привет"}]}
    problem = only_error(problems_for(tmp_path, entry("a"), intents=intents), "hi", "не закрыт")
    assert problem.message.startswith("поле reply, разметка HTML: тег <b> не закрыт")


def test_problem_reads_well() -> None:
    problem = Problem("error", "main.yaml", "a", "статьи «x» нет")
    assert str(problem) == "ОШИБКА main.yaml: a: статьи «x» нет"
    assert str(Problem("warning", "main.yaml", None, "м")) == "ПРЕДУПРЕЖДЕНИЕ main.yaml: м"


@pytest.mark.parametrize(
    "html",
    [
        "<b>b</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>i</ins> <s>s</s>",
        "<strike>s</strike> <del>d</del> <code>c</code> <pre>p</pre> <blockquote>q</blockquote>",
        '<tg-spoiler>t</tg-spoiler> <span class="tg-spoiler">s</span> <a href="https://x.ru">a</a>',
        '<pre><code class="language-python">x = 1</code></pre> &lt; &gt; &amp; &quot; &#8212;',
        "<b>жирный <i>и курсив</i></b>\n• пункт",
    ],
)
def test_valid_telegram_html_passes(html: str) -> None:
    assert html_errors(html) == []


def test_cli_check_prints_russian_levels_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = write_kb(tmp_path / "faq", entry("a"), entry("old", checked="2024-06-01"))
    settings = Settings(_env_file=None, faq_dir=directory)
    assert cli_faq.check(settings, TODAY, files_only=True) == 0
    out, err = capsys.readouterr()
    assert "ПРЕДУПРЕЖДЕНИЕ main.yaml [old]: ответ последний раз проверяли 2024-06-01" in err
    assert (
        out == "проверено: файлы; статей: 2, разделов: 1, шаблонов в _intents.yaml: 0 — "
        "ошибок: 0, предупреждений: 1\n"
    )


def test_the_length_is_what_telegram_counts_not_the_tags() -> None:
    """3,600 characters shown, each word bold: Telegram takes it (it counts the text after
    its entities), the check said «4,799 при пределе 4096» counting every «<b></b>»."""
    answer = " ".join(["<b>важно</b>"] * 600)
    assert len(answer) > 4096
    assert answer_errors(answer, PLACEHOLDERS) == []
    assert "при пределе Telegram" in " ".join(answer_errors("<b>я</b> " * 2100, PLACEHOLDERS))
