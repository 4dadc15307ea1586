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
CHAR_WEIGHT = 0.3  # character n-grams back up, but should not outvote, whole lemmas
CHAR_SIZES = (3, 4)
DENSE_DF = 16  # features in this many texts go into one dense product when training
UNSEEN_WEIGHT = 0.3  # share of the highest IDF an unseen feature weighs in the norm
RIDGE = 0.5  # regularisation: smaller fits the samples harder and generalises worse


def _features(lemmas: Sequence[str]) -> Vector:
    """Raw feature weights: lemmas, lemma pairs, character n-grams of lemmas (with edges)."""
    found: Vector = defaultdict(float)
    for lemma in lemmas:
        found["w " + lemma] = 1.0
    for a, b in pairwise(lemmas):
        found[f"b {a} {b}"] = BIGRAM_WEIGHT
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
        self._idf = {f: math.log((1 + size) / (1 + n)) + 1.0 for f, n in df.items()}
        self._unseen_idf = UNSEEN_WEIGHT * (math.log(1 + size) + 1.0)
        self.classes = classes
        texts_of: dict[str, list[int]] = defaultdict(list)
        weights_of: dict[str, list[float]] = defaultdict(list)
        for i, features in enumerate(raw):
            for f, w in self._vector(features).items():
                texts_of[f].append(i)
                weights_of[f].append(w)
        postings = {
            f: (np.asarray(texts_of[f], dtype=np.int32), np.asarray(weights_of[f], np.float32))
            for f in texts_of
        }
        common = sorted(f for f, (index, _) in postings.items() if len(index) >= DENSE_DF)
        dense = np.zeros((size, len(common)), dtype=np.float32)
        for column, f in enumerate(common):
            index, value = postings.pop(f)
            dense[index, column] = value
        gram: npt.NDArray[np.float32] = dense @ dense.T
        for index, value in postings.values():
            gram[np.ix_(index, index)] += np.outer(value, value)
        gram[np.diag_indices(size)] += RIDGE / np.asarray(weights, dtype=np.float32)
        targets = np.zeros((size, classes), dtype=np.float32)
        targets[np.arange(size), np.asarray(labels, dtype=np.int64)] = 1.0
        dual = np.linalg.solve(gram, targets).astype(np.float32) if size else targets
        del gram
        # common features get their class weights precomputed (primal form), rare ones keep
        # their few texts and reach the dual weights through them
        self._common = {f: n for n, f in enumerate(common)}
        self._primal: npt.NDArray[np.float32] = dense.T @ dual
        self._rare = postings
        self._dual = dual

    def _vector(self, features: Vector) -> Vector:
        """Unit TF-IDF vector; features no training text has still count in the norm.

        Without them «погода завтра» would be all «<по» and «ра>», and score like a sample.
        """
        known = {f: w * self._idf[f] for f, w in features.items() if f in self._idf}
        unseen = sum((w * self._unseen_idf) ** 2 for f, w in features.items() if f not in known)
        norm = math.sqrt(sum(w * w for w in known.values()) + unseen)
        return {f: w / norm for f, w in known.items()} if norm else {}

    def scores(self, lemmas: Sequence[str]) -> npt.NDArray[np.float32]:
        """Each class's output for a lemmatised text: about 1 for its class, 0 for others."""
        vector = self._vector(_features(lemmas))
        common = [(self._common[f], w) for f, w in vector.items() if f in self._common]
        rare = [(self._rare[f], w) for f, w in vector.items() if f not in self._common]
        result = np.zeros(self.classes, dtype=np.float32)
        if common:
            rows, weights = zip(*common, strict=True)
            result += np.asarray(weights, dtype=np.float32) @ self._primal[list(rows)]
        if rare:
            texts = np.concatenate([index for (index, _), _ in rare])
            shares = np.concatenate([value * w for (_, value), w in rare])
            result += shares @ self._dual[texts]
        return result
