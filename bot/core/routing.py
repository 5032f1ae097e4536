"""The router: which guideline is a question about, and is it about the
guidelines at all?

Two multinomial logistic heads, trained on the question bank
(knowledge/questions/) with an explicit out-of-scope class: one over the
frozen e5 query vector (meaning, across languages), one over character
n-grams (Dutch compounds, exact terms), mixed geometrically. Their
probabilities are temperature-scaled on out-of-fold predictions, so "0.9"
means right about nine times in ten on held-out bank questions. The fitting
lives in bot/infra/router_fit.py; the core only applies the arrays.

A guideline the bank has no questions for (a new document without a bank)
is still found by passage retrieval: the answerer fuses both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from bot.core.subwords import tfidf

OUT_OF_SCOPE = "__out_of_scope__"


@dataclass(frozen=True)
class RouterPolicy:
    """Decision thresholds, chosen by cross-validation on the dev split."""

    abstain_below: float = 0.5      # P(in scope) under this: abstain
    confident_at: float = 0.7       # confidence at or over this: show the guideline's summary
    retrieval_weight: float = 0.4   # weight of passage retrieval in the fused guideline score
    cite_floor: float = 0.03        # a second or third guideline is cited only with this fused score


@dataclass(frozen=True)
class SubwordHead:
    """A logistic head over character n-gram tf-idf (bot/core/subwords.py)."""

    vocabulary: dict[str, int]
    idf: np.ndarray                  # (terms,)
    weights: np.ndarray              # (classes, terms)
    bias: np.ndarray                 # (classes,)
    temperature: float

    def log_probabilities(self, text: str) -> np.ndarray:
        features = tfidf(text, self.vocabulary, self.idf)
        logits = self.bias.astype(np.float64).copy()
        if features:
            columns = np.fromiter(features.keys(), dtype=np.int64)
            values = np.fromiter(features.values(), dtype=np.float64)
            logits += self.weights[:, columns] @ values
        return _log_softmax(logits / self.temperature)


@dataclass(frozen=True)
class RouterModel:
    """The fitted heads: class labels, weights and the embedder they belong to."""

    labels: tuple[str, ...]          # guideline keys and OUT_OF_SCOPE
    weights: np.ndarray              # (classes, dim)
    bias: np.ndarray                 # (classes,)
    temperature: float
    embedder: str                    # vectors of another embedder never meet these weights
    fingerprint: str                 # hash of bank content + embedder + fitting code version
    policy: RouterPolicy = field(default_factory=RouterPolicy)
    subwords: SubwordHead | None = None
    subword_weight: float = 0.0      # geometric mixing weight of the sub-word head

    def probabilities(self, vector: Sequence[float], text: str = "") -> np.ndarray:
        logits = (self.weights @ np.asarray(vector, dtype=np.float32) + self.bias) / self.temperature
        log_p = _log_softmax(logits.astype(np.float64))
        if self.subwords is not None and self.subword_weight and text:
            log_p = (1 - self.subword_weight) * log_p + self.subword_weight * self.subwords.log_probabilities(text)
        p = np.exp(log_p - log_p.max())
        return p / p.sum()


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max()
    return z - np.log(np.exp(z).sum())


@dataclass(frozen=True)
class Route:
    in_scope: float                  # P(the guidelines speak to this question)
    guidelines: dict[str, float]     # P(guideline | in scope), per guideline key

    def within(self, prefix_of: dict[str, str], orgs: Sequence[str] | None) -> dict[str, float]:
        """Guideline probabilities renormalised over the organisations in scope."""
        if not orgs:
            return dict(self.guidelines)
        wanted = set(orgs)
        kept = {g: p for g, p in self.guidelines.items() if prefix_of.get(g) in wanted}
        total = sum(kept.values())
        return {g: p / total for g, p in kept.items()} if total > 0 else {}


class Router:
    def __init__(self, model: RouterModel, org_of: dict[str, str]) -> None:
        self.model = model
        self.policy = model.policy
        self.org_of = org_of          # guideline key -> organisation id
        self._oos = model.labels.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in model.labels else None
        # Organisations with bank questions; others rely on retrieval alone.
        self.orgs = frozenset(org_of[label] for label in model.labels if label in org_of)

    def route(self, vector: Sequence[float], text: str = "") -> Route:
        p = self.model.probabilities(vector, text)
        out = float(p[self._oos]) if self._oos is not None else 0.0
        inside = max(1.0 - out, 1e-9)
        guidelines = {label: float(p[i]) / inside for i, label in enumerate(self.model.labels)
                      if i != self._oos}
        return Route(in_scope=1.0 - out, guidelines=guidelines)
