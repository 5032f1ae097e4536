"""Fakes of the core's ports, for fast core tests: a deterministic embedder
(hashed bag of words and character trigrams, so texts that share words are
close) and an in-memory passage store. No model, no network, no disk."""

from __future__ import annotations

import hashlib
import re
from typing import Sequence

import numpy as np

from bot.core.models import Passage

_TOKEN = re.compile(r"\w+")


class FakeEmbedder:
    """Embedder port: the same text always gets the same unit vector."""

    def __init__(self, dim: int = 96) -> None:
        self.dim = dim
        self.name = f"fake-bow-{dim}"
        self.calls = 0
        self.texts_embedded = 0

    def _features(self, text: str) -> list[str]:
        words = _TOKEN.findall(text.lower())
        grams = [w[i:i + 3] for w in words for i in range(max(1, len(w) - 2))]
        return words + grams

    def _vector(self, text: str) -> list[float]:
        v = np.zeros(self.dim, dtype=np.float64)
        for f in self._features(text):
            h = hashlib.blake2b(f.encode(), digest_size=8).digest()
            idx = int.from_bytes(h[:4], "little") % self.dim
            v[idx] += 1.0 if h[4] & 1 else -1.0
        n = np.linalg.norm(v)
        return (v / n if n else v).tolist()

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        self.texts_embedded += 1
        return self._vector(text)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        self.texts_embedded += len(texts)
        return [self._vector(t) for t in texts]


class InMemoryPassageStore:
    """PassageStore port over a list of passages, embedded with the given embedder."""

    def __init__(self, passages: Sequence[Passage], embeddings: FakeEmbedder) -> None:
        self.passages = list(passages)
        self.embeddings = embeddings
        self._vectors = np.array(embeddings.embed_documents([p.embedding_text() for p in self.passages]))

    def search(self, vector, k: int, orgs=None):
        sims = self._vectors @ np.asarray(vector)
        order = np.argsort(-sims)
        out = []
        for i in order:
            p = self.passages[i]
            if orgs and p.org not in orgs:
                continue
            out.append((p, float(max(0.0, min(1.0, (sims[i] + 1) / 2)))))
            if len(out) >= k:
                break
        return out

    def all(self) -> list[Passage]:
        return list(self.passages)

    def count(self) -> int:
        return len(self.passages)

    def ping(self) -> bool:
        return True
