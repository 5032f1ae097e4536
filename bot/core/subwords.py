"""Sub-word features: character n-grams inside word boundaries.

Dutch glues words together: "zwangerschapsverlof" and "ouderschapsverlof"
share "verlof" with "verlof", and "fotoshoot" shares "foto" with "foto",
while whole-token matching sees nothing in common. Character n-grams of
each word (padded with spaces, 2 to 5 long) make those parts count, in
both languages, without a word list. The same analyser is used to fit the
router's sub-word head and to apply it.
"""

from __future__ import annotations

import math
import re

_WORD = re.compile(r"\w+", re.UNICODE)
NGRAMS = (2, 5)


def char_ngrams(text: str, sizes: tuple[int, int] = NGRAMS) -> list[str]:
    out: list[str] = []
    low, high = sizes
    for word in _WORD.findall(text.lower()):
        padded = f" {word} "
        for n in range(low, high + 1):
            if n > len(padded):
                break
            out.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


def tfidf(text: str, vocabulary: dict[str, int], idf) -> dict[int, float]:
    """Sublinear tf x idf over the known n-grams, l2-normalised (as the fit)."""
    counts: dict[int, int] = {}
    for gram in char_ngrams(text):
        j = vocabulary.get(gram)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    weights = {j: (1.0 + math.log(c)) * float(idf[j]) for j, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {j: w / norm for j, w in weights.items()}
