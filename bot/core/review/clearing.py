"""What clears a post: a sentence that makes an otherwise problematic draft
fine (the people shown agreed, "views my own", already announced with the
link, a credited source). Learned from labelled sentences
(knowledge/review/clearing/<split>-*.yaml) on e5 vectors; the post-level
head reads, per kind, the highest score among the segments a review embeds.

Why a labelled set of its own: most problems the review calls `ok` carry
their rule as a `low` hint, and the head could not tell them from their clean
twins, whose clearing element often sits in another sentence. The bank's
drafts say which posts are clean, not which sentence clears them.
Parsing is pure; reading the files is the caller's job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from bot.core.review.bank import with_unique_ids

KINDS = ("none", "consent", "disclaimer", "official", "source")
CLEARING_KINDS = KINDS[1:]


class ClearingError(ValueError):
    pass


@dataclass(frozen=True)
class ClearingSentence:
    id: str
    text: str
    kind: str
    language: str | None = None
    split: str = "dev"


def parse_clearing(data: object, source: str = "clearing") -> list[ClearingSentence]:
    if not isinstance(data, dict) or not isinstance(data.get("sentences"), list):
        raise ClearingError(f"{source}: expected 'sentences:' with a list")
    split = str(data.get("split") or "dev")
    out = []
    for sid, item in with_unique_ids(data["sentences"], "sentence", source, ClearingError):
        text, kind = item.get("text"), str(item.get("kind"))
        if not isinstance(text, str) or not text.strip():
            raise ClearingError(f"{source}: {sid}: 'text' is required")
        if kind not in KINDS:
            raise ClearingError(f"{source}: {sid}: unknown kind {kind!r} (one of {', '.join(KINDS)})")
        out.append(ClearingSentence(sid, text.strip(), kind, item.get("language"), split))
    return out


class ClearingModel:
    """A multinomial logistic model over the sentences' vectors."""

    # C by 5-fold CV on the dev sentences (macro-F1 0.79 / 0.86 / 0.89 / 0.91 / 0.91 at C 0.5 / 2 / 8 / 32 / 128)
    def __init__(self, c: float = 32.0) -> None:
        self.c = c
        self.model = None

    def fit(self, vectors: np.ndarray, kinds: Sequence[str]) -> "ClearingModel":
        from sklearn.linear_model import LogisticRegression

        y = np.array([KINDS.index(k) for k in kinds])
        self.model = LogisticRegression(C=self.c, max_iter=2000, class_weight="balanced").fit(vectors, y)
        return self

    def proba(self, vectors: np.ndarray) -> np.ndarray:
        """(sentences x KINDS) probabilities; a kind the data lacked scores 0."""
        out = np.zeros((len(vectors), len(KINDS)), dtype=np.float32)
        if self.model is not None and len(vectors):
            out[:, self.model.classes_] = self.model.predict_proba(np.asarray(vectors, dtype=np.float64))
        return out

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """(sentences x CLEARING_KINDS): how much each sentence reads as that kind of clearing."""
        return self.proba(vectors)[:, 1:]
