"""The accuracy bench's scorer on synthetic labels (bench/faq_bench_lib.py).

`expect: smalltalk` with `also: [entry]` is right as the smalltalk reply or as that entry's
answer; `expect: null` (no entry answers it) is wrong only when an entry is answered. No
question set is read here: the held-out sets are scored once, by hand, at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))

from faq_bench_lib import Question, correct  # noqa: E402

from bot.services.faq.kb import Intent  # noqa: E402
from bot.services.faq.matcher import Kind, Scored, SearchResult  # noqa: E402

GREETING = Intent(id="hello", kind="smalltalk", questions=("привет",), reply="Здравствуйте!")
TOPIC = Intent(id="school", kind="offtopic", questions=("дневник",), reply="Не к нам.")


def result(kind: Kind, match: str | None = None, offered: tuple[str, ...] = ()) -> SearchResult:
    candidates = [Scored(x, 0.5) for x in offered]
    intent = {"smalltalk": GREETING, "offtopic": TOPIC}.get(kind)
    found = Scored(match, 0.9) if match else None
    return SearchResult("вопрос", kind, found, [*([found] if found else []), *candidates], intent)


SMALLTALK_OR_ENTRY = Question("здравствуйте, как связаться с МОЦ", "smalltalk", ("moc.contacts",))
NOTHING = Question("фамилия в навигаторе старая", None)
ENTRY = Question("как получить сертификат", "certificate.get", ("certificate.who",))


@pytest.mark.parametrize(
    ("question", "outcome", "right"),
    [
        (SMALLTALK_OR_ENTRY, result("smalltalk"), True),
        (SMALLTALK_OR_ENTRY, result("answer", "moc.contacts"), True),
        (SMALLTALK_OR_ENTRY, result("answer", "moc.what"), False),
        (SMALLTALK_OR_ENTRY, result("suggest", offered=("moc.contacts",)), False),
        (Question("привет", "smalltalk"), result("smalltalk"), True),
        (Question("привет", "smalltalk"), result("answer", "moc.contacts"), False),
        (NOTHING, result("answer", "navigator.register"), False),
        (NOTHING, result("suggest", offered=("navigator.register",)), True),
        (NOTHING, result("unknown"), True),
        (NOTHING, result("offtopic"), True),
        (NOTHING, result("smalltalk"), True),
        (ENTRY, result("answer", "certificate.get"), True),
        (ENTRY, result("answer", "certificate.who"), True),
        (ENTRY, result("answer", "certificate.types"), False),
        (ENTRY, result("suggest", offered=("certificate.get",)), False),
    ],
)
def test_top1(question: Question, outcome: SearchResult, right: bool) -> None:
    assert correct(question, outcome)[0] is right


def test_top3_counts_suggestions_of_an_entry_question() -> None:
    offered = result("suggest", offered=("certificate.types", "certificate.who"))
    assert correct(ENTRY, offered) == (False, True)
    assert correct(ENTRY, result("suggest", offered=("certificate.types",))) == (False, False)


def test_top3_counts_only_the_buttons_the_asker_sees() -> None:
    """Beside «не нашёл» the closest entries are buttons when not far off; an intent's reply
    and an answer show no other entries, so their ranked candidates do not count."""
    near = [Scored("certificate.types", 0.25), Scored("certificate.get", 0.2)]
    unknown = SearchResult("вопрос", "unknown", None, near, None)
    assert [s.id for s in unknown.offered] == ["certificate.types", "certificate.get"]
    assert correct(ENTRY, unknown) == (False, True)
    far = [Scored("certificate.types", 0.3), Scored("certificate.get", 0.12)]
    assert correct(ENTRY, SearchResult("вопрос", "unknown", None, far, None)) == (False, False)
    off = SearchResult("вопрос", "offtopic", None, near, TOPIC)
    assert off.offered == [] and correct(ENTRY, off) == (False, False)
    answered = SearchResult("вопрос", "answer", Scored("certificate.types", 0.9), near, None)
    assert correct(ENTRY, answered) == (False, False)
