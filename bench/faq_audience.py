"""Does the asker's audience, read from the question's words, help the FAQ matcher?

Variants (`detect_audience` below reads parents / teachers / organisations from the words):
- boost: entries of the detected audience (and "all") score FACTOR higher (the matcher's own
  role boost, fed by the detector); penalty: the other audiences' entries score 1/FACTOR;
  coarse: teachers and organisations count as one side («staff»);
- token: the question's (and every training sample's) content gets an `аудитория_*` lemma,
  so the index and the classifier learn it like the `вид_занятия` word;
- role: the «Кто вы?» role as the hint (`search(text, audience=...)`), on the sets whose
  header names only family personas.

Only development sets are read (faq_bench_lib.HELD_OUT never). A variant is chosen on one half
of the sets (most top-1 without a higher mean wrong rate than the current matcher) and scored
on the other half, both ways, and chosen on 18 sets for the 19th (left one set out).

    python bench/faq_audience.py

Tenth pass (2026-12-06, 19 development sets: faq_dev, faq_questions, A-Q; 2,500 questions with
an entry; means over the sets; R, S, T never opened). Dropped, nothing changed in the matcher:
- the detector fires on 955 of 2,500 questions and names the expected entry's audience (or
  "all") for 0.945 of them; of the 499 whose right entry is not first, 106 have another
  audience's entry first, and the detector names the right audience for 33 of those;
- bound, with the expected entry's audience from the labels (no detector could do better):
  others' entries ÷1.24 rank-1 0.784 -> 0.792, top-1 0.504 -> 0.506; ÷2 0.803, 0.510;
- penalty (ranking only, ÷1.04-1.24): rank-1 0.784 -> 0.786-0.788, top-1 0.503-0.504,
  wrong 1.35% and off-topic 0.901-0.903 unchanged; coarse (staff as one side) the same;
- boost ×1.04 / 1.08 / 1.12 / 1.16 / 1.24: top-1 0.511 / 0.518 / 0.524 / 0.528 / 0.541, wrong
  1.39 / 1.44 / 1.50 / 1.69 / 1.98%, off-topic 0.898 / 0.890 / 0.884 / 0.881 / 0.876: the
  thresholds moved down for a third of the questions. Scaling every score instead (uniform
  ×1.03: 0.518, 1.61%, 0.888) is a slightly worse trade, and with every score scaled back
  (×0.96-0.99) the boost buys little: 1.12×0.97 0.509, 1.35%, 0.891;
- token `аудитория_*`: rank-1 0.785, top-1 0.502, wrong 1.48%, off-topic 0.897;
- chosen on half the sets (most top-1, mean wrong no higher than now), scored on the other:
  dev, A, C, E, G, I, K, M, O, Q -> boost 1.12×0.98; on B, D, F, H, J, L, N, P, faq_questions:
  top-1 0.487 -> 0.496, wrong 1.11% -> 1.24%, off-topic 0.895 -> 0.874. The other way, boost
  1.08: top-1 0.519 -> 0.530, wrong 1.57% -> 1.74%, off-topic 0.909 -> 0.900;
- each set scored with the variant chosen on the other 18: top-1 0.504 -> 0.509 (higher on 9
  sets, lower on 5: D, G, H, L, N), wrong 1.35% -> 1.46% (up on C, M, P), off-topic 0.902 ->
  0.889 (lower on 9 sets); rank-1 0.784 -> 0.788;
- the «Кто вы?» role as the hint (the bot passes it today: the role's entries ×1.08), on the
  sets whose personas are all family: H top-1 0.456 -> 0.491, off-topic 0.891 -> 0.818; I
  0.467 -> 0.508, wrong 0.82% -> 1.64%, off-topic 0.953 -> 0.930; with a teenager too: C 0.518
  -> 0.554, wrong 0.72% -> 3.60%, off-topic 0.967 -> 0.833; K 0.417 -> 0.462, off-topic 0.879 ->
  0.818; F, O +0.8-1.6 points; set A's parent-marked questions 0.598 -> 0.629, off-topic 0.833
  -> 0.750. Rank-1 did not move (F 0.742 -> 0.727): the same threshold shift. As a penalty
  (others ÷1.08) top-1 falls a little (H 0.447, I 0.459), rank-1 and off-topic as without. Set A's
  organisation-or-teacher questions (40): no change with either role. No set is teachers or
  organisations only, so those roles were not measured on their own.
- p99 with the detector 2.8 ms against 2.7 (300 entries, cold).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import mean

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _path in (str(ROOT), str(HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import yaml  # noqa: E402
from faq_bench_lib import (  # noqa: E402
    HELD_OUT,
    SMALLTALK,
    Question,
    cold_timings,
    correct,
    load_questions,
    padded,
)

from bot.services.faq.kb import FaqEntry, KnowledgeBase, load_knowledge_base  # noqa: E402
from bot.services.faq.matcher import FaqMatcher, SearchResult  # noqa: E402
from bot.services.faq.text import Analysis, analyze, lemmatize, tokenize  # noqa: E402

# ---- the detector: who is asking, read from the question's own words ----
# A question from a provider's side (its words: ИП, учреждение, лицензия, директор, отчёт), a
# teacher's (аттестация, семинар, «я» with педагог) or a family's (сын, дочь, внук, мама). The
# cues are general Russian vocabulary (pymorphy3 lemmas), never phrases from the question sets;
# words any asker uses («кружок», «дети», «школа», «педагог» without «я») are not cues.
PARENTS = "parents"
TEACHERS = "teachers"
ORGANISATIONS = "organisations"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# lemmas only someone speaking for a provider or its management writes
_ORGANISATION = _words(
    """
    организация учреждение ип предприниматель ооо нко юрлицо юридический лицензия
    лицензирование директор руководитель заведующий завуч замдиректора заместитель
    администратор бухгалтер бухгалтерия отчет отчетность поставщик исполнитель сотрудник
    субсидия госзадание
    """
)
# lemmas of a teacher's own working life
_TEACHER = _words(
    """
    аттестация квалификация семинар вебинар методический методист наставник ученик
    воспитанник портфолио стаж педсовет кпк
    """
)
# a teacher's job title counts when the writer speaks of themself («я педагог», «работаю…»)
_TEACHER_ROLE = _words("педагог учитель преподаватель тренер воспитатель хореограф концертмейстер")
_SELF = _words("я работать вести")
# a family's own people; «дети» is not among them (a teacher's group is «мои дети» too)
_FAMILY = _words(
    """
    сын сынок дочь дочка внук внучка внучок малыш малышка ребятенок чадо
    мама мать папа отец бабушка дедушка опекун родитель муж жена
    """
)
_CHILD_SINGULAR = _words("ребенок ребенка ребенку ребенком ребенке")  # tokens, ё folded


def audience_cues(text: str) -> dict[str, int]:
    """How many words of the question speak for each audience."""
    tokens = tokenize(text)
    lemmas = [lemmatize(token) for token in tokens]
    return _count(tokens, lemmas)


def _count(tokens: Sequence[str], lemmas: Sequence[str]) -> dict[str, int]:
    found = set(lemmas)
    teacher_self = bool(found & _TEACHER_ROLE) and bool(found & _SELF)
    return {
        ORGANISATIONS: sum(lemma in _ORGANISATION for lemma in lemmas),
        TEACHERS: sum(lemma in _TEACHER for lemma in lemmas) + teacher_self,
        PARENTS: sum(lemma in _FAMILY for lemma in lemmas)
        + sum(token in _CHILD_SINGULAR for token in tokens),
    }


def detect_audience(text: str) -> str | None:
    """The one audience the question's words speak for most, or None (no cue, or a tie)."""
    cues = audience_cues(text)
    best = max(cues.values())
    leaders = [audience for audience, count in cues.items() if count == best]
    return leaders[0] if best > 0 and len(leaders) == 1 else None


STAFF = frozenset({TEACHERS, ORGANISATIONS})
FAMILY_SETS = ("faq_setH", "faq_setI")  # every persona a parent, grandparent or guardian
TEEN_SETS = ("faq_setC", "faq_setF", "faq_setK", "faq_setO")  # a teenager and a family member


@dataclass(frozen=True)
class Config:
    name: str
    factor: float = 1.0
    mode: str = "boost"  # or "penalty"; "uniform": every entry, every question (a control)
    coarse: bool = False
    scale: float = 1.0  # every entry's score, every question: the thresholds moved up or down


class Detecting(FaqMatcher):
    """The matcher with the detector's audience as the hint (a given role hint wins)."""

    config = Config("base")

    def _group(self, audience: str) -> frozenset[str]:
        if self.config.coarse and audience in STAFF:
            return STAFF
        return frozenset({audience})

    def _boost(self, entry: FaqEntry, score: float, audience: str | None) -> float:
        score = min(1.0, score * self.config.scale)
        if self.config.mode == "uniform":
            return min(1.0, score * self.config.factor)
        if not audience or self.config.factor == 1.0:
            return score
        ours = entry.audience in self._group(audience)
        if self.config.mode == "boost" and (ours or entry.audience == "all"):
            return min(1.0, score * self.config.factor)
        if self.config.mode == "penalty" and not ours and entry.audience != "all":
            return score / self.config.factor
        return score

    def search(self, text: str, audience: str | None = None, limit: int = 3) -> SearchResult:
        return super().search(text, audience or detect_audience(text), limit)


class Tokened(FaqMatcher):
    """Every text's content gets `аудитория_<audience>` when the detector finds one."""

    def _analyze(self, text: str) -> Analysis:
        found = analyze(text, self.vocabulary)
        audience = detect_audience(text)
        if audience is None:
            return found
        return replace(found, content=(*found.content, f"аудитория_{audience}"))


@dataclass(frozen=True)
class Score:
    rank1: float
    top1: float
    wrong: float
    rejected: float


def score(search: Callable[[str], SearchResult], questions: list[Question]) -> Score:
    rank1, top1, wrong, rejected = [], [], [], []
    for question in questions:
        result = search(question.q)
        ok, _ = correct(question, result)
        if question.expect is None:
            rejected.append(ok)
        elif question.expect != SMALLTALK:
            accepted = {question.expect, *question.also}
            first = result.candidates[0].id if result.candidates else None
            rank1.append(first in accepted)
            top1.append(ok)
            wrong.append(result.kind == "answer" and not ok)
    return Score(*(sum(x) / len(x) if x else 0.0 for x in (rank1, top1, wrong, rejected)))


def development_sets() -> dict[str, list[Question]]:
    paths = sorted((ROOT / "bench").glob("faq_*.yaml"))
    return {p.stem: load_questions(p) for p in paths if p.stem not in HELD_OUT}


def neighbours(kb: KnowledgeBase, sets: dict[str, list[Question]]) -> None:
    """Where the right entry is not first: how often the first is another audience's entry,
    and what the detector says then; and the bound: the expected entry's audience as the hint
    (labels, not words: an upper bound on what any audience signal could do)."""
    matcher = Detecting(kb)
    misses, crossed, told = 0, 0, 0
    for questions in sets.values():
        for q in questions:
            if q.expect in (None, SMALLTALK) or q.expect not in kb.entries:
                continue
            ranked = matcher.evidence(q.q).ranked
            if not ranked or ranked[0].id in {q.expect, *q.also}:
                continue
            misses += 1
            want, got = kb.entries[q.expect].audience, kb.entries[ranked[0].id].audience
            if want != got and "all" not in (want, got):
                crossed += 1
                told += detect_audience(q.q) == want
    print(
        f"right entry not first: {misses}; first is another audience's entry: {crossed};"
        f" the detector names the right audience on {told} of those"
    )
    for factor in (1.24, 2.0):
        matcher.config = Config(f"penalty{factor}", factor, "penalty")
        table = {}
        for name, questions in sets.items():
            hint = {
                q.q: kb.entries[q.expect].audience
                for q in questions
                if q.expect in kb.entries and kb.entries[q.expect].audience != "all"
            }
            table[name] = score(
                lambda text, h=hint: FaqMatcher.search(matcher, text, h.get(text)), questions
            )
        print(f"bound, expected audience, penalty{factor}: {_fmt(_mean(table, list(sets)))}")
        print("  (off-topic questions get no hint: their figure is the base one)")


def detector_agreement(kb: KnowledgeBase, sets: dict[str, list[Question]]) -> None:
    """How often a detected audience is the expected entry's (coarse: staff as one side)."""
    hits = fine = total = 0
    for questions in sets.values():
        for q in questions:
            if q.expect in (None, SMALLTALK) or q.expect not in kb.entries:
                continue
            found = detect_audience(q.q)
            if found is None:
                continue
            total += 1
            want = kb.entries[q.expect].audience
            fine += want in (found, "all")
            hits += want == "all" or (want in STAFF) == (found in STAFF)
    questions = sum(q.expect not in (None, SMALLTALK) for qs in sets.values() for q in qs)
    print(
        f"detector: fires on {total} of {questions} FAQ questions; expected entry's audience"
        f" (or all) {fine / max(total, 1):.3f}, same side {hits / max(total, 1):.3f}"
    )


def _mean(table: dict[str, Score], names: list[str]) -> Score:
    rows = [table[n] for n in names]
    return Score(
        *(mean(getattr(r, f) for r in rows) for f in ("rank1", "top1", "wrong", "rejected"))
    )


def _fmt(s: Score) -> str:
    return (
        f"rank-1 {s.rank1:.3f}  top-1 {s.top1:.3f}  wrong {s.wrong:.2%}"
        f"  off-topic {s.rejected:.3f}"
    )


def choose(results: dict[str, dict[str, Score]], names: list[str]) -> str:
    """The variant with most mean top-1 on `names`, its mean wrong rate no higher than base's."""
    limit = _mean(results["base"], names).wrong
    allowed = [v for v, table in results.items() if _mean(table, names).wrong <= limit + 1e-9]
    return max(allowed, key=lambda v: (_mean(results[v], names).top1, v == "base"))


def main() -> int:
    kb = load_knowledge_base(None)
    sets = development_sets()
    names = list(sets)
    print(f"development sets: {', '.join(names)}")
    detector_agreement(kb, sets)
    neighbours(kb, sets)
    configs = [Config("base")]
    for factor in (1.04, 1.08, 1.12, 1.16, 1.24):
        for mode in ("boost", "penalty"):
            for coarse in (False, True):
                label = f"{mode}{factor}{'-coarse' if coarse else ''}"
                configs.append(Config(label, factor, mode, coarse))
    configs += [
        Config(f"uniform{f}", f, "uniform") for f in (0.97, 0.98, 0.99, 1.02, 1.03, 1.04, 1.06)
    ]
    for factor in (1.08, 1.12, 1.16, 1.24):
        for scale in (0.96, 0.97, 0.98, 0.99):
            configs.append(Config(f"boost{factor}x{scale}", factor, "boost", False, scale))
    matcher = Detecting(kb)
    results: dict[str, dict[str, Score]] = {}
    for config in configs:
        matcher.config = config
        results[config.name] = {n: score(matcher.search, qs) for n, qs in sets.items()}
        print(f"{config.name:<22}{_fmt(_mean(results[config.name], names))}", flush=True)
    tokened = Tokened(kb)
    results["token"] = {n: score(tokened.search, qs) for n, qs in sets.items()}
    print(f"{'token':<22}{_fmt(_mean(results['token'], names))}", flush=True)

    halves = (names[0::2], names[1::2])
    for n, (pick, check) in enumerate((halves, halves[::-1]), 1):
        chosen = choose(results, pick)
        print(f"\nhalf {n}: chosen on {', '.join(pick)} -> {chosen}")
        print(f"  chosen-on half  base  {_fmt(_mean(results['base'], pick))}")
        print(f"  chosen-on half  {chosen:<5} {_fmt(_mean(results[chosen], pick))}")
        print(f"  other half      base  {_fmt(_mean(results['base'], check))}")
        print(f"  other half      {chosen:<5} {_fmt(_mean(results[chosen], check))}")

    print("\nleave one set out (variant chosen on the other sets):")
    left: dict[str, Score] = {}
    for name in names:
        chosen = choose(results, [n for n in names if n != name])
        left[name] = results[chosen][name]
        print(f"  {name:<14}{chosen:<20}base {_fmt(results['base'][name])}")
        print(f"  {'':<34}new  {_fmt(left[name])}")
    print(f"  mean base {_fmt(_mean(results['base'], names))}")
    print(f"  mean new  {_fmt(_mean(left, names))}")

    print("\nrole hint «parents» on family-only sets (boost: the matcher's own ×1.08 for the")
    print("role's entries, as the bot does today; penalty: the other audiences' ÷1.08 instead)")
    plain, ranked = FaqMatcher(kb), Detecting(kb)
    ranked.config = Config("penalty1.08", 1.08, "penalty")
    for name in (*FAMILY_SETS, *TEEN_SETS):
        boosted = score(lambda text: FaqMatcher.search(plain, text, PARENTS), sets[name])
        penalised = score(lambda text: FaqMatcher.search(ranked, text, PARENTS), sets[name])
        print(f"  {name:<10} none    {_fmt(results['base'][name])}")
        print(f"  {'':<10} boost   {_fmt(boosted)}")
        print(f"  {'':<10} penalty {_fmt(penalised)}")

    role_by_persona(kb, sets["faq_setA"])

    big = padded(kb, 300)
    every = [q for qs in sets.values() for q in qs]
    for label, build in (
        ("base", lambda: FaqMatcher(big).search),
        ("detector", lambda: _det(big)),
    ):
        median, p99 = cold_timings(build, [every])[0]
        print(f"timing {label}: p50 {median:.2f} ms, p99 {p99:.2f} ms (300 entries, cold)")
    return 0


def role_by_persona(kb: KnowledgeBase, questions: list[Question]) -> None:
    """Set A marks each question's persona (P parent, O organisation or teacher, X off-topic):
    the role hint from it, P -> parents, O -> teachers and organisations (coarse), X -> none."""
    persona: dict[str, str] = {}
    for line in (ROOT / "bench" / "faq_setA.yaml").read_text(encoding="utf-8").splitlines():
        mark = re.search(r"#\s*([POX])\s*$", line)
        if mark and line.startswith("- {q:"):
            persona[str(yaml.safe_load(line)[0]["q"])] = mark.group(1)
    plain, coarse = FaqMatcher(kb), Detecting(kb)
    coarse.config = Config("boost1.08-coarse", 1.08, "boost", True)
    print("\nrole hint from set A's persona marks (P parent, O organisation or teacher):")
    penalised = Detecting(kb)
    penalised.config = Config("penalty1.08", 1.08, "penalty")
    hints = (
        ("P", "parents", plain),
        ("P", "parents", penalised),
        ("O", "teachers", plain),
        ("O", "organisations", plain),
        ("O", "teachers", coarse),
    )
    for mark, hint, matcher in hints:
        subset = [q for q in questions if persona.get(q.q) == mark]
        how = {id(coarse): " +coarse", id(penalised): " penalty"}.get(id(matcher), "")
        label = f"{mark} ({len(subset)}) {hint}{how}"
        none = score(lambda text: FaqMatcher.search(plain, text), subset)
        hinted = score(lambda text, m=matcher, h=hint: FaqMatcher.search(m, text, h), subset)
        print(f"  {label:<28} none   {_fmt(none)}")
        print(f"  {'':<28} hinted {_fmt(hinted)}")


def _det(kb: KnowledgeBase) -> Callable[[str], SearchResult]:
    matcher = Detecting(kb)
    matcher.config = Config("boost", 1.08)
    return matcher.search


if __name__ == "__main__":
    sys.exit(main())
