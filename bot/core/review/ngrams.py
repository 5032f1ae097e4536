"""The review's n-gram scores, computed as sklearn's two HashingVectorizers
(semantic._hashers: char_wb 2-5 grams and word 1-2 grams, 2**17 buckets
each, each block l2-normalised) would compute them, but each word hashed once
per review: a review scores its segments and then the whole post, the same
words twice, and reads the scores straight off the weight rows instead of
building sparse matrices (~13 -> ~6 ms for a 2,000-character draft, its
segmentation included).

Training keeps sklearn's vectorisers; tests/test_review_ngrams.py checks that
both give the same scores on the bank. Nothing is kept between reviews: the
words of a draft are not remembered.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
from sklearn.utils import murmurhash3_32

BUCKETS = 2 ** 17            # per block, as semantic._hashers
CHAR_SIZES = (2, 3, 4, 5)
_WHITE_SPACES = re.compile(r"\s\s+")          # sklearn's _white_spaces
_TOKEN = re.compile(r"(?u)\b\w+\b")          # semantic._hashers' token_pattern


def bucket(gram: str) -> int:
    """sklearn's FeatureHasher index of a string feature (signed murmurhash3, seed 0)."""
    h = murmurhash3_32(gram, seed=0)
    if h == -2147483648:
        return (2147483647 - (BUCKETS - 1)) % BUCKETS
    return abs(h) % BUCKETS


def word_grams(word: str) -> list[str]:
    """sklearn's char_wb n-grams of one word: padded with a space, 2 to 5
    characters; a word shorter than n counts once."""
    w = " " + word + " "
    out = []
    for n in CHAR_SIZES:
        offset = 0
        out.append(w[:n])
        while offset + n < len(w):
            offset += 1
            out.append(w[offset:offset + n])
        if offset == 0:
            break
    return out


class Ngrams:
    """One review's n-gram rows: each word is hashed once for every text of
    the review (its segments, then the whole post), and forgotten with it."""

    def __init__(self) -> None:
        self._chars: dict[str, np.ndarray] = {}
        self._words: dict[str, int] = {}

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of the text's features: what row of sklearn's matrix holds."""
        text = text.lower()
        char_buckets = []
        for w in _WHITE_SPACES.sub(" ", text).split():
            found = self._chars.get(w)
            if found is None:
                found = self._chars[w] = np.array([bucket(g) for g in word_grams(w)], dtype=np.int64)
            char_buckets.append(found)
        tokens = _TOKEN.findall(text)
        grams = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
        words = self._words
        word_buckets = np.array([words[g] if g in words else words.setdefault(g, bucket(g)) for g in grams],
                                dtype=np.int64)
        chars_at, chars_value = _normalised(np.concatenate(char_buckets) if char_buckets else np.zeros(0, dtype=np.int64))
        words_at, words_value = _normalised(word_buckets)
        return np.concatenate([chars_at, words_at + BUCKETS]), np.concatenate([chars_value, words_value])


def _normalised(buckets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A block's counts per bucket, l2-normalised as sklearn does."""
    if not len(buckets):
        return buckets, np.zeros(0)
    index, counts = np.unique(buckets, return_counts=True)
    return index, counts / np.sqrt(np.sum(counts.astype(np.float64) ** 2))


def scores(rows: Sequence[tuple[np.ndarray, np.ndarray]], weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Each row's features times `weights` (2 * BUCKETS x k), plus `bias`."""
    out = np.empty((len(rows), weights.shape[1]), dtype=np.float32)
    for i, (columns, values) in enumerate(rows):
        out[i] = values @ weights[columns].astype(np.float64) + bias
    return out
