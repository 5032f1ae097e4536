"""BM25 over the stored passages (bm25s), for exact terms such as "1.16" or
"wachtwoord" that dense retrieval can blur."""

from __future__ import annotations

import re
from typing import Sequence

import bm25s
import numpy as np
import Stemmer

from bot.core.models import Passage

_TOKEN = re.compile(r"\d+(?:\.\d+)+|\w+", re.UNICODE)
# Small stop lists: function words carry no signal and stem badly.
_STOP = set(
    """de het een en of in op van voor met aan als bij dat die dit is zijn te ook je u uw
    wat wie wel niet geen mag ik kan kun we wij er om naar over tot uit door dan nog mijn
    the a an and or in on of for with to at as by that this is are be can i my me we do
    does may what which who how it if not no from about your you our""".split()
)


class BM25Index:
    def __init__(self, passages: Sequence[Passage], texts: Sequence[str]) -> None:
        self._stemmer = Stemmer.Stemmer("dutch")
        self.passages = list(passages)
        self._orgs = np.array([p.org for p in self.passages])
        self._retriever = bm25s.BM25()
        corpus = [self.tokenize(t) or ["_"] for t in texts]
        self._retriever.index(corpus, show_progress=False)
        self._vocab = self._retriever.vocab_dict

    def tokenize(self, text: str) -> list[str]:
        words = [w for w in _TOKEN.findall(text.lower()) if w not in _STOP and len(w) > 1 or w.isdigit()]
        return self._stemmer.stemWords(words)

    def search(self, query: str, k: int, orgs: Sequence[str] | None = None) -> list[tuple[Passage, float]]:
        tokens = [t for t in self.tokenize(query) if t in self._vocab]
        if not tokens or not self.passages:
            return []
        scores = np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)
        if orgs:
            scores = np.where(np.isin(self._orgs, list(orgs)), scores, 0.0)
        top = np.argsort(-scores)[:k]
        return [(self.passages[i], float(scores[i])) for i in top if scores[i] > 0]
