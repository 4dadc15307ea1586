"""Accuracy and speed of the FAQ matcher on a held-out labelled question set, vs a baseline.

The labelled questions are written independently of the FAQ's sample questions, so this is an
honest estimate of how often a parent gets the right answer. Never copy them into the KB.
A plain keyword-overlap baseline is scored in the same run to show what the matcher buys.

    python bench/faq_accuracy.py [--questions bench/faq_questions.yaml] [--kb DIR] [--json]

Top-1 counts only confident answers ("suggest" is a miss); top-3 counts the expected entry
anywhere in the first three of match + candidates. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _path in (str(ROOT), str(HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from faq_bench_lib import (  # noqa: E402  (a sibling module, found via HERE on sys.path)
    KeywordBaseline,
    Metrics,
    evaluate,
    load_questions,
    padded,
    timings,
)

from bot.faq.kb import load_knowledge_base  # noqa: E402
from bot.faq.matcher import FaqMatcher  # noqa: E402
from bot.faq.text import clear_caches  # noqa: E402

TARGETS = {"top1": 0.90, "offtopic_rejected": 0.80, "p99_ms_300": 10.0}
PAD_TO = 300


def _row(name: str, ours: float | None, base: float | None, fmt: str = "{:.3f}") -> str:
    def cell(v: float | None) -> str:
        return "-" if v is None else fmt.format(v)

    return f"  {name:<28}{cell(ours):>10}{cell(base):>12}"


def _verdicts(ours: Metrics) -> dict[str, bool]:
    return {
        "top1": ours.top1 >= TARGETS["top1"],
        "offtopic_rejected": ours.offtopic_rejected >= TARGETS["offtopic_rejected"],
        "p99_ms_300": (ours.p99_ms_padded or 0.0) < TARGETS["p99_ms_300"],
    }


def _print_report(ours: Metrics, base: Metrics, entries: int, padded_to: int) -> None:
    print(f"FAQ matcher bench: {ours.total} labelled questions, {entries} FAQ entries")
    print(f"  {'metric':<28}{'matcher':>10}{'baseline':>12}")
    for name in ("top1", "top3", "wrong_answer", "offtopic_rejected", "smalltalk"):
        print(_row(name, getattr(ours, name), getattr(base, name)))
    print(_row("median ms (real KB)", ours.median_ms, base.median_ms, "{:.2f}"))
    print(_row("p99 ms (real KB)", ours.p99_ms, base.p99_ms, "{:.2f}"))
    print(_row(f"median ms ({padded_to} entries)", ours.median_ms_padded, None, "{:.2f}"))
    print(_row(f"p99 ms ({padded_to} entries)", ours.p99_ms_padded, None, "{:.2f}"))
    print("\nTargets:")
    labels = {
        "top1": f"top-1 accuracy >= {TARGETS['top1']:.2f}",
        "offtopic_rejected": f"off-topic rejected >= {TARGETS['offtopic_rejected']:.2f}",
        "p99_ms_300": f"p99 < {TARGETS['p99_ms_300']:.0f} ms with {padded_to} entries",
    }
    for key, ok in _verdicts(ours).items():
        print(f"  {'PASS' if ok else 'FAIL'}  {labels[key]}")
    print(f"\nMisclassified by the matcher ({len(ours.misses)}):")
    for miss in ours.misses:
        print(f"  {miss['query']!r}\n      expected {miss['expected']}, got {miss['got']}")
    for warning in ours.warnings:
        print(f"WARNING: {warning}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "bench" / "faq_questions.yaml")
    parser.add_argument("--kb", type=Path, default=None, help="FAQ data directory")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    kb = load_knowledge_base(args.kb)
    questions = load_questions(args.questions)
    clear_caches()
    matcher = FaqMatcher(kb)
    ours = evaluate(matcher.search, questions, kb)
    base = evaluate(KeywordBaseline(kb).search, questions, kb)
    big = padded(kb, PAD_TO)
    clear_caches()
    ours.median_ms_padded, ours.p99_ms_padded = timings(FaqMatcher(big).search, questions)
    verdicts = _verdicts(ours)
    if args.json:
        report = {
            "entries": len(kb.entries),
            "padded_entries": len(big.entries),
            "matcher": ours.as_dict(),
            "baseline": base.as_dict(include_misses=False),
            "targets": TARGETS,
            "pass": verdicts,
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_report(ours, base, len(kb.entries), len(big.entries))
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
