"""Is a question about what the guidelines cover?

Dense similarity alone cannot tell "how do I claim my LinkedIn Premium
subscription?" from a policy question: both are close to the LinkedIn
guideline. The gate combines three signals from the data in
knowledge/scope.yaml:

1. words that name a topic the guidelines do not cover (parking, leave,
   expense claims, recipes…) in a question that says nothing about
   publishing: out of scope;
2. how much closer the question is to a description of such a topic than to
   the best guideline, with exact-term (BM25) support counting in its favour;
3. a floor under which nothing counts as relevant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np


@dataclass(frozen=True)
class ScopeConfig:
    floor: float = 0.78             # best guideline's cosine below this: never relevant
    anchor_weight: float = 0.5      # weight of the closest out-of-scope description
    lexical_weight: float = 0.026   # weight of the best raw BM25 score
    threshold: float = 0.42         # calibrated on tests/golden/questions.yaml


@dataclass(frozen=True)
class ScopeDecision:
    in_scope: bool
    reason: str
    score: float


def _contains(tokens: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(tuple(tokens[i:i + n]) == tuple(phrase) for i in range(len(tokens) - n + 1))


class ScopeGate:
    def __init__(self, anchor_vectors: Sequence[Sequence[float]], out_of_scope_terms: Sequence[str],
                 publishing_terms: Sequence[str], normalise: Callable[[str], list[str]],
                 config: ScopeConfig = ScopeConfig()) -> None:
        self.anchors = np.asarray(anchor_vectors, dtype=np.float32).reshape(-1, len(anchor_vectors[0]) if len(anchor_vectors) else 1)
        self.normalise = normalise
        self.oos_terms = [normalise(t) for t in out_of_scope_terms]
        self.publishing = [normalise(t) for t in publishing_terms]
        self.config = config

    def decide(self, question: str, vector: Sequence[float], best_dense: float, lexical_top: float) -> ScopeDecision:
        cfg = self.config
        if best_dense < cfg.floor:
            return ScopeDecision(False, "no guideline is close", best_dense)
        tokens = self.normalise(question)
        names_other_topic = any(_contains(tokens, t) for t in self.oos_terms)
        about_publishing = any(_contains(tokens, t) for t in self.publishing)
        if names_other_topic and not about_publishing:
            return ScopeDecision(False, "a topic the guidelines do not cover", best_dense)
        anchor = float(np.max(self.anchors @ np.asarray(vector, dtype=np.float32))) if len(self.anchors) else 0.0
        score = best_dense - cfg.anchor_weight * anchor + cfg.lexical_weight * lexical_top
        if score < cfg.threshold:
            return ScopeDecision(False, "closer to a topic the guidelines do not cover", score)
        return ScopeDecision(True, "", score)
