"""Choose the matcher's answer / suggest / unknown thresholds on data, not by hand.

Three pools of questions the scores were not fitted on: the tuning parts of `faq_dev.yaml`
and `faq_setA.yaml` (never their «final check» parts nor `faq_questions.yaml`), and the KB's
own sample questions under 5-fold cross-validation (each fold's samples are asked of a matcher
built without them). Every question's scores are computed once (`FaqMatcher.evidence`); the
thresholds are then searched coordinate by coordinate from the current ones, maximising the
mean over the pools of

    top-1 + ¼ × (right entry offered, not answered) − 4 × (confidently wrong above 2%)
          − 2 × (off-topic rejected below 95%)
          − 2 × (smalltalk recognised below 95%)

A split-half check repeats the search on random halves of each pool and scores the choice on the
other half, next to the current thresholds, so a choice that only fits noise shows up.

    python bench/faq_calibrate.py [--rounds 6] [--no-cv]
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import asdict, fields, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _path in (str(ROOT), str(HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from faq_bench_lib import SMALLTALK, Question, correct, load_parts, load_questions  # noqa: E402

from bot.services.faq.kb import KnowledgeBase, load_knowledge_base  # noqa: E402
from bot.services.faq.matcher import Evidence, FaqMatcher, Thresholds  # noqa: E402

POOLS = ("faq_dev", "faq_setA")
HELD_OUT = ("faq_setO", "faq_setP", "faq_setQ")  # the next honest check: never opened here
FOLDS = 5
# aimed above the 90% target: thresholds chosen at the edge on the tuning parts fell below it
# on questions not tuned on (set A's final part: 0.75 when aimed at 0.90)
OFFTOPIC_AIM = 0.95
# a question not answered but with the right entry among «maybe you mean» is worth a quarter
# of an answer: the parent needs one more tap (without it the search raised the floor for
# suggestions until many plain questions got «не нашёл» instead of the right button)
OFFERED_WORTH = 0.25
STEPS = {f.name: 0.02 for f in fields(Thresholds)}
Case = tuple[Evidence, Question]


def cv_cases(kb: KnowledgeBase, seed: int = 1) -> list[Case]:
    """Each sample question asked of a matcher built without its fold."""
    rng = random.Random(seed)
    folds = {e.id: [rng.randrange(FOLDS) for _ in e.questions] for e in kb.entries.values()}
    cases: list[Case] = []
    for fold in range(FOLDS):
        entries = {}
        for e in kb.entries.values():
            kept = [q for q, f in zip(e.questions, folds[e.id], strict=True) if f != fold]
            entries[e.id] = replace(e, questions=tuple(kept))
        matcher = FaqMatcher(replace(kb, entries=entries))
        for entry in kb.entries.values():
            for question, f in zip(entry.questions, folds[entry.id], strict=True):
                if f == fold:
                    cases.append((matcher.evidence(question), Question(question, entry.id)))
    return cases


Figures = tuple[float, float, float | None, float | None, float]


def figures(matcher: FaqMatcher, cases: list[Case]) -> Figures:
    """(top-1, confidently wrong, off-topic rejected, smalltalk recognised, offered right)."""
    right = wrong = faq = rejected = off = chat = chatted = offered = 0
    for evidence, question in cases:
        result = matcher.decide(evidence)
        if question.expect == SMALLTALK:
            chat += 1
            chatted += correct(question, result)[0]
        elif question.expect is None:
            off += 1
            # stricter than the bench (where suggestions count as right): an off-topic
            # question should get «не нашёл» and a human, not entries that do not fit
            rejected += result.kind in ("offtopic", "unknown", SMALLTALK)
        else:
            faq += 1
            if result.kind == "answer" and result.match is not None:
                ok = result.match.id in (question.expect, *question.also)
                right += ok
                wrong += not ok
            elif result.kind == "suggest":
                offered += any(
                    c.id in (question.expect, *question.also) for c in result.candidates
                )
    return (
        right / max(faq, 1),
        wrong / max(faq, 1),
        rejected / off if off else None,
        chatted / chat if chat else None,
        offered / max(faq, 1),
    )


def objective(matcher: FaqMatcher, pools: list[list[Case]]) -> float:
    total = 0.0
    for cases in pools:
        top1, wrong, rejected, chatted, offered = figures(matcher, cases)
        total += top1 + OFFERED_WORTH * offered - 4 * max(0.0, wrong - 0.02)
        if rejected is not None:
            total -= 2 * max(0.0, OFFTOPIC_AIM - rejected)
        if chatted is not None:
            total -= 2 * max(0.0, 0.95 - chatted)
    return total / len(pools)


def search(matcher: FaqMatcher, pools: list[list[Case]], start: Thresholds) -> Thresholds:
    """Coordinate ascent: move one threshold at a time while the objective improves."""
    best, best_score = start, objective(replace_thresholds(matcher, start), pools)
    improved = True
    while improved:
        improved = False
        for name, step in STEPS.items():
            for k in range(-10, 11):
                value = round(getattr(best, name) + k * step, 3)
                if value <= 0 or k == 0:
                    continue
                candidate = replace(best, **{name: value})
                score = objective(replace_thresholds(matcher, candidate), pools)
                if score > best_score + 1e-9:
                    best, best_score, improved = candidate, score, True
    return best


def replace_thresholds(matcher: FaqMatcher, thresholds: Thresholds) -> FaqMatcher:
    matcher.thresholds = thresholds
    return matcher


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=6, help="split-half rounds")
    parser.add_argument("--no-cv", action="store_true", help="leave out the KB's samples")
    parser.add_argument(
        "--pools", nargs="+", default=list(POOLS), help="sets (bench/NAME.yaml) to tune on"
    )
    parser.add_argument(
        "--check", nargs="*", default=[], help="sets only scored, never tuned on (whole files)"
    )
    args = parser.parse_args()
    kb = load_knowledge_base()
    matcher = FaqMatcher(kb)
    current = matcher.thresholds
    pools = []
    if set(args.pools + args.check) & set(HELD_OUT):
        parser.error("the held-out sets are never tuned on nor checked here")
    for name in args.pools:
        tune, _final = load_parts(HERE / f"{name}.yaml")
        pools.append([(matcher.evidence(q.q), q) for q in tune])
    if not args.no_cv:
        pools.append(cv_cases(kb))
    names = [*args.pools, "kb-cv"][: len(pools)]
    checks = [
        (name, [(matcher.evidence(q.q), q) for q in load_questions(HERE / f"{name}.yaml")])
        for name in args.check
    ]
    chosen = search(matcher, pools, current)
    for label, thresholds in (("current", current), ("chosen", chosen)):
        replace_thresholds(matcher, thresholds)
        cells = []
        for name, cases in [*zip(names, pools, strict=True), *checks]:
            top1, wrong, rejected, chatted, offered = figures(matcher, cases)
            off = "-" if rejected is None else f"{rejected:.3f}"
            chat = "-" if chatted is None else f"{chatted:.3f}"
            cells.append(
                f"\n  {name} top1 {top1:.3f} offered {offered:.3f} wrong {wrong:.3f}"
                f" off {off} chat {chat}"
            )
        print(f"{label}: {objective(matcher, pools):.4f}  " + "; ".join(cells))
    print("chosen thresholds:", asdict(chosen))
    rng = random.Random(7)
    for r in range(args.rounds):
        halves: list[tuple[list[Case], list[Case]]] = []
        for cases in pools:
            shuffled = rng.sample(cases, len(cases))
            halves.append((shuffled[::2], shuffled[1::2]))
        own = search(matcher, [a for a, _ in halves], current)
        held = [b for _, b in halves]
        scores = [objective(replace_thresholds(matcher, t), held) for t in (current, chosen, own)]
        print(
            f"split {r}: other half: current {scores[0]:.4f}, chosen {scores[1]:.4f}, "
            f"this half's own {scores[2]:.4f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
