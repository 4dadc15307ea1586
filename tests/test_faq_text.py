"""Text normalisation: how parents really type (typos, slang, ё/е, word forms, no punctuation)."""

from __future__ import annotations

import pytest

from bot.services.faq.lexicon import ACTIVITY
from bot.services.faq.text import Vocabulary, analyze, lemmatize, max_typos, normalize, tokenize

KB_TEXTS = [
    "Что такое сертификат дополнительного образования?",
    "Как зарегистрироваться в Навигаторе",
    "Как активировать сертификат",
    "Запись в кружок через Госуслуги",
    "Забыл пароль от личного кабинета",
]


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary(KB_TEXTS)


def content(text: str, vocabulary: Vocabulary | None = None) -> tuple[str, ...]:
    return analyze(text, vocabulary).content


def test_normalize_lowercases_folds_yo_and_strips_punctuation_and_emoji() -> None:
    assert normalize("Ребёнок, СЕРТИФИКАТ!!! 😊 — как?") == "ребенок сертификат как"
    assert tokenize("  а   б\n") == ["а", "б"]


def test_word_forms_share_a_lemma() -> None:
    assert content("сертификатом") == content("сертификаты") == ("сертификат",)
    assert lemmatize("навигаторе") == "навигатор"


def test_yo_and_ye_are_the_same() -> None:
    assert content("ребёнка ещё нет") == content("ребенка еще нет")


def test_courtesy_is_dropped_but_meaningful_question_words_stay() -> None:
    words = content("Здравствуйте, подскажите пожалуйста, где мне взять сертификат?")
    assert "где" in words and "сертификат" in words
    assert not {"здравствуйте", "подсказать", "пожалуйста", "я"} & set(words)
    kept = content("не пришел сертификат, забыла сколько ждать, когда нет ответа")
    assert {"не", "нет", "когда", "сколько", "забыть"} <= set(kept)


def test_analysis_keeps_all_lemmas_for_smalltalk() -> None:
    result = analyze("Спасибо большое!")
    assert "спасибо" in result.lemmas
    assert "спасибо" not in result.content


@pytest.mark.parametrize(
    ("slang", "meaning"),
    [
        ("серт", "сертификат"),
        ("пфдо", "сертификат"),
        ("на серте", "сертификат"),  # inflected slang
        ("навик", "навигатор"),
        ("в навике", "навигатор"),
        ("госуслуги", "госуслуга"),
        ("гос услуги", "госуслуга"),
        ("секцию", "кружок"),
        ("кружки", "кружок"),  # pymorphy reads «кружки» as «кружка» (a mug)
        ("дочке", "ребенок"),
        ("сына", "ребенок"),
        ("детей", "ребенок"),
    ],
)
def test_synonyms_and_abbreviations(slang: str, meaning: str) -> None:
    assert meaning in content(slang)


def test_abbreviation_expands_to_several_words() -> None:
    assert content("допобраз") == ("дополнительный", "образование")


def test_aspect_and_action_nouns_fold_to_one_verb() -> None:
    assert content("получать") == content("получение") == content("получить")


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("сертефикат", "сертификат"),
        ("сертификад", "сертификат"),
        ("зарегестрироватся", "регистрация"),
        ("навигатр", "навигатор"),
        ("активироват", "активация"),
        ("пороль", "пароль"),
    ],
)
def test_typos_are_corrected_to_kb_words(vocabulary: Vocabulary, typo: str, meant: str) -> None:
    assert content(typo, vocabulary) == (meant,)


def test_short_and_real_words_are_not_forced_onto_kb_words(vocabulary: Vocabulary) -> None:
    assert content("сад", vocabulary) == ("сад",)
    assert content("садик", vocabulary) == ("садик",)
    assert max_typos("кот", known=False) == 0
    assert max_typos("сертефикат", known=False) == 2
    assert max_typos("дневник", known=True) == 1


def test_typo_corrections_are_cached(vocabulary: Vocabulary) -> None:
    first = vocabulary.correct("сертефикат")
    assert first is not None
    assert vocabulary.correct("сертефикат") is first


def test_a_number_before_years_is_a_childs_age() -> None:
    assert "возраст" in content("ребенку 5 лет") and "возраст" in content("дочке 4 года")
    assert "возраст" not in content("в 2025 году") and "возраст" not in content("в 18 лет")


def test_digits_are_the_numerals_and_parents_are_parents() -> None:
    assert content("2 кружка") == content("два кружка") == ("два", "кружок")
    assert content("папа") == content("мама") == content("муж") == ("родитель",)


def test_programme_is_both_a_club_and_a_programme() -> None:
    assert content("программа") == ("кружок", "программа")
    assert content("опубликовать программу") == content("разместить программу")


def test_a_named_activity_is_a_club_of_some_kind() -> None:
    """«есть диджеинг?» asks for a club: the activity reads as «кружок» and as a word of its
    own that no question about certificates uses."""
    assert content("танцы") == content("на вокал") == ("кружок", ACTIVITY)
    assert content("секция") == ("кружок",)


def test_a_message_in_translit_is_read_as_russian() -> None:
    assert tokenize("Zdravstvuyte! Kruzhok shahmaty est?") == [
        "здравствуйте", "кружок", "шахматы", "ест",
    ]  # fmt: skip
    assert "сертификат" in content("kak poluchit sertifikat")
    assert tokenize("scratch и python") == ["scratch", "и", "python"]  # Russian around: as typed
