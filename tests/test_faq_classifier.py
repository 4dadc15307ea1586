"""The ridge classifier the matcher trains on the knowledge base, and the decision's thresholds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot.services.faq import KnowledgeBase, load_knowledge_base
from bot.services.faq.classifier import RidgeClassifier
from bot.services.faq.matcher import FaqMatcher, Thresholds, _thin

TEXTS = [
    ("забыть", "пароль", "навигатор"),
    ("восстановить", "пароль"),
    ("пароль", "не", "подходить"),
    ("регистрация", "навигатор"),
    ("зарегистрироваться", "навигатор"),
    ("создать", "аккаунт", "навигатор"),
]
LABELS = [0, 0, 0, 1, 1, 1]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def test_the_word_that_tells_classes_apart_decides() -> None:
    """«навигатор» is in both classes' samples, «пароль» in one: the second decides."""
    model = RidgeClassifier(TEXTS, LABELS, [1.0] * len(TEXTS), 2)
    scores = model.scores(("навигатор", "пароль"))
    assert scores[0] > scores[1] + 0.2
    assert int(np.argmax(model.scores(("регистрация",)))) == 1


def test_a_misspelt_word_still_points_to_its_class() -> None:
    """Character n-grams: «паролль» is no known word, but shares most of «пароль»."""
    model = RidgeClassifier(TEXTS, LABELS, [1.0] * len(TEXTS), 2)
    scores = model.scores(("паролль",))
    assert scores[0] > scores[1]


def test_two_words_apart_in_a_sample_count_together() -> None:
    """Each class asks with «когда» and with «деньги», but only one with both in one question."""
    texts = [
        ("деньги", "лодка", "когда"),
        ("сертификат", "рыбка", "где"),
        ("деньги", "ветка", "где"),
        ("сертификат", "белка", "когда"),
    ]
    model = RidgeClassifier(texts, [0, 0, 1, 1], [1.0] * len(texts), 2)
    scores = model.scores(("когда", "мочь", "деньги"))
    assert scores[0] > scores[1] + 0.03


def test_unknown_words_score_nothing() -> None:
    model = RidgeClassifier(TEXTS, LABELS, [1.0] * len(TEXTS), 2)
    assert max(model.scores(("погода", "завтра"))) < 0.05


def test_a_text_with_low_weight_counts_less() -> None:
    """Answer sentences teach the classifier with a small weight: a hint, not a sample."""
    texts = [*TEXTS, ("пароль", "регистрация")]
    full = RidgeClassifier(texts, [*LABELS, 1], [1.0] * len(texts), 2)
    light = RidgeClassifier(texts, [*LABELS, 1], [1.0] * len(TEXTS) + [0.1], 2)
    query = ("пароль", "регистрация")
    assert light.scores(query)[1] < full.scores(query)[1]


def test_thinning_keeps_the_budget_and_every_part() -> None:
    items = [(n, n // 10) for n in range(100)]  # ten classes of ten
    kept = _thin(items, 30)
    assert len(kept) == 30
    assert {label for _, label in kept} == set(range(10))
    assert _thin(items, 500) == items


def test_thresholds_are_the_matchers_own(kb: KnowledgeBase) -> None:
    """Calibration swaps thresholds without rebuilding: a strict set turns answers into offers."""
    matcher = FaqMatcher(kb)
    evidence = matcher.evidence("забыла пароль от навигатора")
    assert matcher.decide(evidence).kind == "answer"
    strict = replace(Thresholds(), answer_min=2.0, sure=2.0, distinct_min=2.0)
    assert FaqMatcher(kb, strict).decide(evidence).kind == "suggest"


def test_every_entry_and_intent_is_a_class(kb: KnowledgeBase) -> None:
    """Off-topic is learned from the intents' samples, not only left below a threshold."""
    matcher = FaqMatcher(kb)
    result = matcher.search("как записаться в детский сад через госуслуги")
    assert result.kind == "offtopic"
    assert result.intent is not None and result.intent.id == "kindergarten_queue"
