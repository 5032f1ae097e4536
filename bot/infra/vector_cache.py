"""Vectors of fixed training texts, cached on disk by embedder name and the
hash of each text, so the review classifier trains in seconds at start-up
instead of re-embedding the whole bank. Only bank texts (public, invented
examples) are ever cached: never a user's draft."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from bot.infra.atomic import write_atomically
from bot.infra.embedders import embed_features, features_id


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class CachedVectors:
    def __init__(self, embedder, cache_dir: Path | None, batch: int = 32, progress=None) -> None:
        self.embedder = embedder
        self.progress = progress      # progress(done, total) while embedding what is not cached yet
        self.name = features_id(embedder)
        self.batch = batch
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in self.name)
        self.path = cache_dir / f"review-vectors-{safe}.npz" if cache_dir else None
        self._cache: dict[str, np.ndarray] = {}
        self._dirty = False
        self._lock = threading.Lock()
        if self.path and self.path.exists():
            try:
                with np.load(self.path) as data:
                    self._cache = dict(zip(data["keys"].tolist(), data["vectors"]))
            except (OSError, ValueError, KeyError):
                self._cache = {}  # a torn or foreign file: embed again

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        # A review embeds on two threads (core/review/prefetch.py); one
        # embedding at a time keeps the dict and the file whole.
        with self._lock:
            return self._vectors(texts)

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        keys = [_key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in self._cache}.items())
        for i in range(0, len(missing), self.batch):
            chunk = missing[i:i + self.batch]
            vectors = embed_features(self.embedder, [t for _, t in chunk])
            for (k, _), v in zip(chunk, vectors):
                self._cache[k] = np.asarray(v, dtype=np.float32)
            self._dirty = True
            if self.progress is not None:
                self.progress(min(i + self.batch, len(missing)), len(missing))
        if self._dirty:
            self.save()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([self._cache[k] for k in keys])

    def save(self) -> None:
        if not self.path or not self._dirty:
            return
        keys = list(self._cache)
        # a read-only data dir only costs the embedding time
        if write_atomically(self.path, lambda tmp: np.savez(tmp, keys=np.array(keys),
                                                            vectors=np.vstack([self._cache[k] for k in keys]))):
            self._dirty = False
