"""Vectors fetched ahead: a review's likeliest segments are embedded on
another thread while the patterns read the draft; when the review knows
which segments it needs, that thread and the review's own share what is
left, one segment at a time.

Which segments a review embeds depends on the patterns' cues, which take
~7 ms to compute; the second core would sit idle meanwhile. One segment
per call: a vector does not depend on which others were embedded with it
(the int8 encoder runs one window at a time for the same reason), so a
review scores what it scored before, and two threads pulling segments off
one list finish within a segment of each other.
"""

from __future__ import annotations

import threading
from concurrent.futures import Executor
from typing import Callable, Sequence

import numpy as np

Embed = Callable[[Sequence[str]], np.ndarray]


class Prefetch:
    def __init__(self, embed: Embed, texts: Sequence[str], order: Sequence[int], executor: Executor) -> None:
        self._embed = embed
        self._texts = list(texts)
        self._todo = list(order)            # what is still to embed, next first
        self._done: dict[int, np.ndarray] = {}
        self._running: set[int] = set()
        self._lock = threading.Condition()
        # Queued behind another review's prefetch, it may start only after
        # `take` has embedded everything: then it finds nothing to do.
        executor.submit(self._work, False)

    def _next(self) -> int | None:
        with self._lock:
            if not self._todo:
                return None
            i = self._todo.pop(0)
            self._running.add(i)
            return i

    def _work(self, raise_errors: bool) -> None:
        while (i := self._next()) is not None:
            try:
                vector = np.asarray(self._embed([self._texts[i]]), dtype=np.float32)[0]
            except Exception:
                with self._lock:
                    self._running.discard(i)
                    self._lock.notify_all()
                if raise_errors:
                    raise
                continue   # the review embeds it again, and raises there
            with self._lock:
                self._done[i] = vector
                self._running.discard(i)
                self._lock.notify_all()

    def take(self, chosen: Sequence[int]) -> np.ndarray:
        """The vectors of `chosen`, in order: those fetched ahead, and the rest
        embedded here and on the prefetch thread, whichever is free."""
        wanted = set(chosen)
        with self._lock:
            self._todo = [i for i in chosen if i not in self._done and i not in self._running]
        self._work(True)
        with self._lock:
            self._lock.wait_for(lambda: not (self._running & wanted))
            # every chosen segment is done now, or failed on the other thread
            retry = [i for i in chosen if i not in self._done]
        for i in retry:   # once more here, raising this time
            self._done[i] = np.asarray(self._embed([self._texts[i]]), dtype=np.float32)[0]
        if not chosen:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._done[i] for i in chosen])
