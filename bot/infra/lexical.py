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
    """de het een en of in op van voor met aan als bij dat die dit is zijn te ook je jij u uw
    wat wie wel niet geen mag mogen ik kan kun kunnen we wij er om naar over tot uit door dan nog
    mijn me mij ons onze hun hen zij ze hij zijn haar was waren wordt worden word werd heb hebt
    heeft hebben had moet moeten moest zal zou zullen wil wilt willen doe doet doen gaat gaan
    hoe waar wanneer waarom welke welk toch nou even eigenlijk gewoon heel erg zo al maar want
    the a an and or in on of for with to at as by that this these those is are was were be been
    being can could may might must shall should will would i me my mine we us our you your he
    she it its they them their do does did done have has had get gets got how what which who
    whom where when why there here any some all so just like about from into up down out over
    under not no yes if then than too very also really actually basically right okay ok""".split()
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
