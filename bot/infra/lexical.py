"""BM25 over the stored passages, for exact terms such as "1.16" or
"wachtwoord" that dense retrieval can blur.

The scoring is bm25s's default (Lucene's BM25, k1 1.5, b 0.75, float32 scores
per passage and term, summed over the query's terms in order), written out
here because importing bm25s pulls in scipy: ~0.15 s of CPU at every start,
for 40 lines. tests/test_lexical.py checks the scores against bm25s's."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Sequence

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


K1, B = 1.5, 0.75


def bm25_postings(corpus: Sequence[Sequence[str]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """term -> (documents, scores): each document's BM25 score for the term,
    computed with bm25s's expressions and dtypes so the floats are the same."""
    lengths = np.array([len(doc) for doc in corpus])
    avg_len = lengths.mean() if len(corpus) else 1.0
    counts = [Counter(doc) for doc in corpus]
    df: Counter = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(corpus)
    idf = {term: np.float32(math.log(1 + (n - f + 0.5) / (f + 0.5))) for term, f in df.items()}
    docs: dict[str, list[int]] = {}
    scores: dict[str, list] = {}
    for d, c in enumerate(counts):
        terms = list(c)
        tf = np.array([c[t] for t in terms], dtype=np.float32)
        tfc = tf / (K1 * ((1 - B) + B * len(corpus[d]) / avg_len) + tf)
        for term, score in zip(terms, (np.array([idf[t] for t in terms], dtype=np.float32) * tfc)
                               .astype(np.float32)):
            docs.setdefault(term, []).append(d)
            scores.setdefault(term, []).append(score)
    return {t: (np.array(docs[t], dtype=np.int64), np.array(scores[t], dtype=np.float32)) for t in docs}


class BM25Index:
    def __init__(self, passages: Sequence[Passage], texts: Sequence[str]) -> None:
        self._stemmer = Stemmer.Stemmer("dutch")
        self.passages = list(passages)
        self._orgs = np.array([p.org for p in self.passages])
        corpus = [self.tokenize(t) or ["_"] for t in texts]
        self._vocab = bm25_postings(corpus)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Every passage's score for query terms (known terms, repeats count)."""
        out = np.zeros(len(self.passages), dtype=np.float32)
        for t in tokens:
            docs, scores = self._vocab[t]
            np.add.at(out, docs, scores)
        return out

    def tokenize(self, text: str) -> list[str]:
        words = [w for w in _TOKEN.findall(text.lower()) if w not in _STOP and len(w) > 1 or w.isdigit()]
        return self._stemmer.stemWords(words)

    def search(self, query: str, k: int, orgs: Sequence[str] | None = None) -> list[tuple[Passage, float]]:
        tokens = [t for t in self.tokenize(query) if t in self._vocab]
        if not tokens or not self.passages:
            return []
        scores = self.scores(tokens)
        if orgs:
            scores = np.where(np.isin(self._orgs, list(orgs)), scores, 0.0)
        top = np.argsort(-scores)[:k]
        return [(self.passages[i], float(scores[i])) for i in top if scores[i] > 0]
