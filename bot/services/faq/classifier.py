"""A discriminative model of the knowledge base, trained on it at load time (no downloads).

The TF-IDF index (index.py) asks «how much does this question look like entry E?» one entry
at a time; this model asks «which entry (or off-topic intent) is it?» and learns which words
tell entries apart: a ridge-regression classifier (one-vs-rest least squares on one-hot
targets) over TF-IDF features of the question's lemmas, adjacent lemma pairs and character
3–4-grams of each lemma (for word forms and typos the lexicon does not fold). It is solved in
its dual form, because a KB has far fewer sample questions (about 1,500) than features (about
15,000): one n × n linear system, under a second for 47 entries. A question's score for each
class is then its kernel row (cosines with every training text, found through inverted lists)
times the solved weights.
Training texts: every sample question and title of an entry, the sentences of its answer with
a small weight (vocabulary parents use but samples lack), and every off-topic and smalltalk
intent's samples as classes of their own, so off-topic is learned, not only thresholded.
Pairs of lemmas anywhere in a question (PAIR_WEIGHT, issue 12 fourth pass) put the right entry
first more often on every labelled set, crossed both ways: weight chosen on sets A, B, C, dev
and faq_questions (0.867 -> 0.880) it moved D, E, F 0.703 -> 0.714, and the weight best on
D, E, F was the same; confidently wrong answers fell (D-F 5.7% -> 4.5%) at the same thresholds.
Tried in the same pass and dropped (within a question or two of none, either direction):
character 5-grams, class-balanced sample weights, a second ridge model on answer sentences,
navec word vectors (nearest KB word for unknown words, or a mean-vector score), a coverage
factor for query words an entry uses, halving the IDF of words most entries use, a k-nearest
samples vote, swapping near-tied entries by a word only the second one uses, an audience model.
Seventh pass, on sets A-K (1,330 questions with an entry): 2,040 more sample questions from four
writers who saw only the answers (10 per entry each) left the right entry's rank where it was
(first for 1,012 -> 1,016) and added 18 right answers but 10 wrong ones; ~150 activity names
folded to «кружок» moved nothing either. More data of the same kind does not teach a lexical
model the words outsiders use; neither was kept.
Eighth pass: Russian-capable sentence embeddings that ship inside PyPI wheels (multilingual USE
v3 in numpy, e5-small in 4 bits) put the right entry first more often (A-K and dev 0.786 ->
0.809 / 0.821), but with thresholds re-chosen the answers moved along the same curve (fewer
wrong, fewer right); a single author's conversion was not worth a dependency (README).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import numpy.typing as npt

__all__ = ["RidgeClassifier"]

Vector = dict[str, float]
BIGRAM_WEIGHT = 0.6
PAIR_WEIGHT = 0.45  # two lemmas anywhere in one question, not next to each other
CHAR_WEIGHT = 0.3  # character n-grams back up, but should not outvote, whole lemmas
CHAR_SIZES = (3, 4)
DENSE_DF = 16  # features in this many texts go into one dense product when training
UNSEEN_WEIGHT = 0.3  # share of the highest IDF an unseen feature weighs in the norm
RIDGE = 0.5  # regularisation: smaller fits the samples harder and generalises worse


def _features(lemmas: Sequence[str]) -> Vector:
    """Raw feature weights: lemmas, lemma pairs, character n-grams of lemmas (with edges).

    Pairs are adjacent («подать заявка») or anywhere in the question, in either order
    («когда … деньги … сертификат»): outsiders put the words that name an entry apart.
    """
    found: Vector = defaultdict(float)
    for lemma in lemmas:
        found["w " + lemma] = 1.0
    for a, b in pairwise(lemmas):
        found[f"b {a} {b}"] = BIGRAM_WEIGHT
    for n, a in enumerate(lemmas):
        for b in lemmas[n + 2 :]:
            if a != b:
                found["p " + " ".join(sorted((a, b)))] = PAIR_WEIGHT
    for lemma in set(lemmas):
        marked = f"<{lemma}>"
        for size in CHAR_SIZES:
            for start in range(len(marked) - size + 1):
                found["c " + marked[start : start + size]] += CHAR_WEIGHT
    return found


class RidgeClassifier:
    """Immutable after construction; `scores` is safe to call from any task."""

    def __init__(
        self,
        texts: Sequence[Sequence[str]],
        labels: Sequence[int],
        weights: Sequence[float],
        classes: int,
    ) -> None:
        """Fit on lemmatised `texts`, each of class `labels[i]` with importance `weights[i]`."""
        raw = [_features(text) for text in texts]
        size = len(raw)
        df = Counter(f for features in raw for f in features)
        # features in DENSE_DF texts or more come first: their class weights are precomputed
        # (primal form); rarer ones keep their few texts and reach the dual weights through them
        order = sorted(df, key=lambda f: (df[f] < DENSE_DF, f))
        self._code = {f: n for n, f in enumerate(order)}
        self._idf = [math.log((1 + size) / (1 + df[f])) + 1.0 for f in order]
        self._unseen_idf = UNSEEN_WEIGHT * (math.log(1 + size) + 1.0)
        self._common = sum(1 for f in order if df[f] >= DENSE_DF)
        self.classes = classes
        texts_of: list[list[int]] = [[] for _ in order]
        weights_of: list[list[float]] = [[] for _ in order]
        for i, features in enumerate(raw):
            for code, w in self._vector(features).items():
                texts_of[code].append(i)
                weights_of[code].append(w)
        dense = np.zeros((size, self._common), dtype=np.float32)
        for code in range(self._common):
            dense[texts_of[code], code] = weights_of[code]
        gram: npt.NDArray[np.float32] = dense @ dense.T
        for index, value in zip(texts_of[self._common :], weights_of[self._common :], strict=True):
            gram[np.ix_(index, index)] += np.outer(value, value)
        gram[np.diag_indices(size)] += RIDGE / np.asarray(weights, dtype=np.float32)
        targets = np.zeros((size, classes), dtype=np.float32)
        targets[np.arange(size), np.asarray(labels, dtype=np.int64)] = 1.0
        self._dual = np.linalg.solve(gram, targets).astype(np.float32) if size else targets
        del gram
        self._primal: npt.NDArray[np.float32] = dense.T @ self._dual
        rare = texts_of[self._common :]
        self._starts = np.cumsum([0, *map(len, rare)])
        self._texts = np.asarray([i for index in rare for i in index], dtype=np.int32)
        self._values = np.asarray(
            [w for value in weights_of[self._common :] for w in value], dtype=np.float32
        )

    def _vector(self, features: Vector) -> dict[int, float]:
        """Unit TF-IDF vector by feature code; unseen features still count in the norm.

        Without them «погода завтра» would be all «<по» and «ра>», and score like a sample.
        """
        known: dict[int, float] = {}
        unseen = 0.0
        for f, w in features.items():
            code = self._code.get(f)
            if code is None:
                unseen += (w * self._unseen_idf) ** 2
            else:
                known[code] = w * self._idf[code]
        norm = math.sqrt(sum(w * w for w in known.values()) + unseen)
        return {code: w / norm for code, w in known.items()} if norm else {}

    def scores(self, lemmas: Sequence[str]) -> npt.NDArray[np.float32]:
        """Each class's output for a lemmatised text: about 1 for its class, 0 for others."""
        vector = self._vector(_features(lemmas))
        common = [(code, w) for code, w in vector.items() if code < self._common]
        result = np.zeros(self.classes, dtype=np.float32)
        if common:
            codes, weights = zip(*common, strict=True)
            result += np.asarray(weights, dtype=np.float32) @ self._primal[list(codes)]
        for code, w in vector.items():
            if code >= self._common:
                r = code - self._common
                span = slice(self._starts[r], self._starts[r + 1])
                result += (w * self._values[span]) @ self._dual[self._texts[span]]
        return result
