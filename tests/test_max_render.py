"""Telegram HTML → MAX HTML, texts cut under MAX's 4000, keyboards within MAX's limits."""

from __future__ import annotations

import pytest

from bot.core.config import Settings
from bot.core.messages import Button
from bot.services.faq.kb import render_answer
from bot.services.faq.service import FaqService
from handlers.max.render import (
    inline_keyboard,
    layout,
    render_text,
    split_html,
    to_max_html,
)
from tests.fakes.max_model import html_problems


@pytest.mark.parametrize(
    ("telegram", "max_html"),
    [
        ("<b>a</b><strong>b</strong><i>c</i><em>d</em>", "<b>a</b><b>b</b><i>c</i><i>d</i>"),
        ("<u>a</u><ins>b</ins><s>c</s><strike>d</strike><del>e</del>",
         "<u>a</u><u>b</u><s>c</s><s>d</s><s>e</s>"),
        ('<a href="https://x.ru/?a=1&amp;b=2">сайт</a>', '<a href="https://x.ru/?a=1&amp;b=2">сайт</a>'),
        ('<a href="tg://user?id=5">Мария</a>', "Мария"),
        ("<tg-spoiler>ответ</tg-spoiler> и <span class=\"tg-spoiler\">ещё</span>", "ответ и ещё"),
        ('<tg-emoji emoji-id="1">👍</tg-emoji>', "👍"),
        ("до<blockquote>цитата</blockquote>после", "до\nцитата\nпосле"),
        ('<pre><code class="language-python">x &lt; 1</code></pre>', "<pre>x &lt; 1</pre>"),
        ("<code>/start</code>", "<code>/start</code>"),
        ("1 &lt; 2 &amp; 3 &gt; 2", "1 &lt; 2 &amp; 3 &gt; 2"),
        ("<b>не закрыт", "<b>не закрыт</b>"),
        ("строка<br>вторая", "строка\nвторая"),
    ],
)  # fmt: skip
def test_to_max_html(telegram: str, max_html: str) -> None:
    assert to_max_html(telegram) == max_html
    assert html_problems(max_html) == []


def test_every_faq_answer_renders_to_html_max_accepts(faq_service: FaqService) -> None:
    placeholders = Settings(_env_file=None).placeholders()
    answers = [render_answer(e, placeholders) for e in faq_service.kb.entries.values()]
    assert len(answers) > 20
    for answer in answers:
        for part in render_text(answer):
            assert html_problems(part) == [], part
            assert len(part) <= 4000


def test_split_prefers_paragraphs_then_lines_and_keeps_tags_balanced() -> None:
    paragraph = "Слово " * 100  # 600 characters
    text = "<b>" + "\n\n".join([paragraph.strip()] * 10) + "</b>"
    parts = split_html(text, 1500)
    assert len(parts) == 5  # two paragraphs fit, a third does not
    for part in parts:
        assert len(part) <= 1500 and html_problems(part) == []
        assert part.startswith("<b>Слово") and part.endswith("Слово</b>")
    lines = "\n".join(f"строка {n:03d} " + "x" * 40 for n in range(100))
    for part in split_html(lines, 1000):
        assert len(part) <= 1000
        assert part.split("\n")[-1].endswith("x" * 40)  # cut after a whole line
    glued = "я" * 2500
    assert [len(p) for p in split_html(glued, 1000)] == [1000, 1000, 500]


def test_split_never_cuts_inside_an_entity_or_a_link() -> None:
    text = '<a href="https://example.org/very/long">' + "&amp;" * 300 + "</a>"
    for part in split_html(text, 500):
        assert len(part) <= 500 and html_problems(part) == []
        assert part.startswith('<a href="https://example.org/very/long">&amp;')
    assert "".join(p.replace("</a>", "").split(">", 1)[1] for p in split_html(text, 500)) == (
        "&amp;" * 300
    )


def test_render_short_text_is_one_part_and_empty_is_none() -> None:
    assert render_text("<b>Привет</b>") == ["<b>Привет</b>"]
    assert render_text("  ") == []


def test_layout_splits_rows_to_max_width() -> None:
    nine = [Button(str(n), action=f"c:{n}") for n in range(9)]
    rows = layout([nine])
    assert [len(r) for r in rows] == [7, 2]
    links = [Button(f"Сайт {n}", url=f"https://x.ru/{n}") for n in range(4)]
    assert [len(r) for r in layout([links])] == [3, 1]
    mixed = layout([[Button.contact("Телефон"), Button("Да", action="y")]])
    assert mixed == [[{"type": "request_contact", "text": "Телефон"},
                      {"type": "callback", "text": "Да", "payload": "y"}]]  # fmt: skip
    assert layout([[Button("я" * 200, action="x")]])[0][0]["text"] == "я" * 127 + "…"
    with pytest.raises(ValueError, match="payload"):
        layout([[Button("x", action="p" * 1025)]])
    folded = layout([[Button(str(n), action="x")] for n in range(31)])
    assert [len(r) for r in folded] == [2] * 15 + [1], "31 one-button rows, two to a row"
    with pytest.raises(ValueError, match="30 rows"):  # links are not folded
        layout([[Button(str(n), url=f"https://x.ru/{n}")] for n in range(31)])
    assert inline_keyboard([]) is None
    keyboard = inline_keyboard([[Button("Ознакомлен", action="ack:1")]])
    assert keyboard == {"type": "inline_keyboard", "payload": {"buttons": [
        [{"type": "callback", "text": "Ознакомлен", "payload": "ack:1"}]]}}  # fmt: skip
