"""Fakes of the core's ports, so that core and conversation tests need no
model and no Chroma: a deterministic embedder (hashed word and character
n-gram counts), an in-memory passage store with exact cosine search, and
in-memory ledgers for quiz progress, handled events and feedback.

`fake_assistant()` wires the real core (Catalogue, Retriever, Answerer,
Onboarding, Assistant, Conversation) to these fakes over the real
knowledge/ directory: everything but the embedding model and the store is
the production code."""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from bot.core.models import Passage
from bot.core.onboarding import Progress

REPO = Path(__file__).resolve().parent.parent
_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Deterministic vectors: each lower-cased word and character trigram
    counts in one of `dim` buckets (by SHA-1, not Python's salted hash), then
    the vector is L2-normalised. Texts sharing words are close; nothing is
    learned and nothing is downloaded."""

    name = "fake-hashing"

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim

    def _features(self, text: str) -> list[str]:
        words = _WORD.findall(text.lower())
        grams = [w[i:i + 3] for w in words if len(w) > 3 for i in range(len(w) - 2)]
        return words + grams

    def _vector(self, text: str) -> list[float]:
        v = [0.0] * self.dim
        for f in self._features(text):
            v[int.from_bytes(hashlib.sha1(f.encode("utf-8")).digest()[:4], "big") % self.dim] += 1.0
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        return [x / norm for x in v]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]


class InMemoryPassageStore:
    """The PassageStore port over a list: exact cosine similarity mapped to
    [0, 1], best first, optionally within some organisations."""

    def __init__(self, embedder, passages: Sequence[Passage] = ()) -> None:
        self.embeddings = embedder
        self._passages: list[Passage] = []
        self._vectors: list[list[float]] = []
        self.add(passages)

    def add(self, passages: Sequence[Passage]) -> None:
        passages = list(passages)
        self._passages += passages
        self._vectors += self.embeddings.embed_documents([p.embedding_text() for p in passages])

    def search(self, vector: Sequence[float], k: int, orgs: Sequence[str] | None = None):
        allowed = set(orgs) if orgs else None
        scored = [(p, (1.0 + sum(a * b for a, b in zip(vector, v))) / 2.0)
                  for p, v in zip(self._passages, self._vectors) if allowed is None or p.org in allowed]
        scored.sort(key=lambda x: (-x[1], x[0].id))
        return scored[:k]

    def all(self) -> list[Passage]:
        return list(self._passages)

    def count(self) -> int:
        return len(self._passages)

    def ping(self) -> bool:
        return True


class InMemoryProgress:
    """The onboarding ProgressStore in a dict."""

    def __init__(self) -> None:
        self._by_user: dict[str, Progress] = {}

    def get(self, user_key: str) -> Progress | None:
        return self._by_user.get(user_key)

    def start(self, user_key: str, channel: str, org: str, total: int, display_name: str | None = None) -> Progress:
        progress = Progress(user_key, channel, org, display_name, datetime.now(timezone.utc), total=total)
        self._by_user[user_key] = progress
        return progress

    def save(self, progress: Progress) -> None:
        self._by_user[progress.user_key] = progress

    def all(self) -> list[Progress]:
        return list(self._by_user.values())


class InMemoryEvents:
    """The EventLedger: `claim(key)` is True the first time only."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def claim(self, key: str) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


@dataclass
class InMemoryFeedback:
    """The FeedbackStore: what was rated, as the core passes it."""

    votes: list[dict] = field(default_factory=list)

    def record(self, channel, kind, vote, org=None, language=None, verdict=None, section=None) -> None:
        self.votes.append({"channel": channel, "kind": kind, "vote": vote, "org": org, "language": language,
                           "verdict": verdict, "section": section})


_KNOWLEDGE_CACHE: dict[Path, tuple] = {}


def _knowledge(knowledge_dir: Path):
    if knowledge_dir not in _KNOWLEDGE_CACHE:
        from bot.container import load_organisations, load_quiz_data
        from ingest.documents import load_knowledge

        _KNOWLEDGE_CACHE[knowledge_dir] = (load_knowledge(knowledge_dir).passages,
                                           load_organisations(knowledge_dir), load_quiz_data(knowledge_dir))
    return _KNOWLEDGE_CACHE[knowledge_dir]


# Hashed n-grams score on-topic questions about 0.65-0.70 and unrelated ones
# about 0.58-0.61 (cosine mapped to [0, 1]); the real model's threshold is higher.
FAKE_ABSTAIN_BELOW = 0.64


def fake_assistant(knowledge_dir: Path = REPO / "knowledge", default_org: str | None = None, reviewer=None):
    """The real core over the fakes (no model, no Chroma, no database)."""
    from bot.core.answering import Answerer, RetrievalConfig, Retriever
    from bot.core.assistant import Assistant
    from bot.core.catalogue import Catalogue
    from bot.core.onboarding import Onboarding

    passages, organisations, quiz_data = _knowledge(knowledge_dir)
    catalogue = Catalogue(passages, organisations)
    store = InMemoryPassageStore(HashingEmbedder(), passages)
    retriever = Retriever(store.embeddings, store, None, RetrievalConfig(abstain_below=FAKE_ABSTAIN_BELOW),
                          all_orgs=organisations)
    answerer = Answerer(retriever, organisations)
    onboarding = Onboarding(catalogue, quiz_data, InMemoryProgress())
    return Assistant(answerer, catalogue, retriever, reviewer=reviewer, onboarding=onboarding,
                     default_org=default_org, feedback=InMemoryFeedback(), events=InMemoryEvents())


class FakeEmbedder(HashingEmbedder):
    """A HashingEmbedder that counts its calls and the texts it embedded, for
    tests that check what is (not) embedded again."""

    def __init__(self, dim: int = 96) -> None:
        super().__init__(dim)
        self.name = f"fake-bow-{dim}"
        self.calls = 0
        self.texts_embedded = 0

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        self.texts_embedded += 1
        return super().embed_query(text)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        self.texts_embedded += len(texts)
        return super().embed_documents(texts)
