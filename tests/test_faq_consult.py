"""During an open ticket only a message put as a question goes to the FAQ; a statement is a
detail for the specialist (the e2e side: test_e2e_ticket_questions, test_e2e_max_private)."""

from __future__ import annotations

import pytest

from bot.services.faq.consult import asks


@pytest.mark.parametrize(
    "text",
    [
        "а сколько там денег",
        "можно ли оплатить частный кружок",
        "Какие документы нужны?",
        "подскажите, где номер сертификата",
        "ребенок болел месяц спишут ли деньги",
        "скок денег на серте",
        "КАК АКТИВИРОВАТЬ",
    ],
)
def test_questions_are_questions(text: str) -> None:
    assert asks(text)


@pytest.mark.parametrize(
    "text",
    [
        "ребёнку 9 лет, если это важно",
        "у нас двое детей",
        "Спасибо, жду",
        "номер сертификата 1234567890",
        "какао не пьём",  # «как» inside a word is not an asking word
    ],
)
def test_statements_are_not(text: str) -> None:
    assert not asks(text)
