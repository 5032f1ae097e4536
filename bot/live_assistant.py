"""An Assistant that follows re-ingests without a restart.

Servers hold a `LiveAssistant`: it delegates every attribute to the current
Assistant, and a background thread re-reads the store's generation pointer
every few seconds. When it changes, a complete new Assistant is built from
the new generation (store, BM25, scope vectors, and whatever else
`build_assistant` derives from the knowledge) while the old one keeps
answering; then one reference is swapped. A call that already started
finishes on the generation it started on. This is the one switch: nothing
derived from the index is special-cased here.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

log = logging.getLogger(__name__)

CHECK_EVERY_S = 5.0   # well inside the promise of "new knowledge within 30 s"


class LiveAssistant:
    def __init__(self, build: Callable[[str | None], object], read_generation: Callable[[], str | None],
                 interval: float = CHECK_EVERY_S) -> None:
        self._build = build
        self._read_generation = read_generation
        self.interval = interval
        self.generation = read_generation()
        self._current = build(self.generation)
        self.generation = getattr(getattr(self._current.retriever, "store", None), "name", self.generation)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def current(self):
        return self._current

    def __getattr__(self, name):
        # Only reached for names LiveAssistant does not have itself.
        return getattr(self._current, name)

    def ready(self) -> bool:
        """Ready when the live generation really answers: the store is up and
        its collection holds passages (not merely that the server is up)."""
        try:
            return self._current.ready() and self._current.retriever.store.count() > 0
        except Exception:
            return False

    def check(self) -> bool:
        """Switch to a newer generation if there is one; True if it switched.
        A failure keeps the current generation answering."""
        with self._lock:
            try:
                wanted = self._read_generation()
            except Exception as exc:
                log.warning("generation check failed", extra={"error_type": type(exc).__name__})
                return False
            if not wanted or wanted == self.generation:
                return False
            started = time.perf_counter()
            try:
                fresh = self._build(wanted)
            except Exception as exc:
                log.error("generation switch failed", extra={"error_type": type(exc).__name__})
                return False
            self._current, self.generation = fresh, wanted
            log.info("generation switched", extra={"generation": wanted,
                                                   "ms": round((time.perf_counter() - started) * 1000)})
            return True

    def start(self) -> "LiveAssistant":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="generation-watch", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.check()

    def stop(self) -> None:
        self._stop.set()


def build_live_assistant(settings, database=None, interval: float = CHECK_EVERY_S) -> LiveAssistant:
    """The servers' Assistant: embeddings, Chroma client and database are made
    once and shared by every generation."""
    from bot.container import build_assistant, build_database, build_store
    from bot.infra.chroma_store import ChromaPassageStore, active_collection

    first = build_store(settings)
    database = database or build_database(settings)

    def build(name: str | None):
        store = first if name in (None, first.name) else ChromaPassageStore(first.client, first.embeddings, name=name)
        return build_assistant(settings, store=store, database=database)

    def read_generation() -> str | None:
        return active_collection(first.client, first.base)

    live = LiveAssistant(build, read_generation, interval)
    live.rate_ledger = database.rates  # the per-user rate limit, shared by replicas on one database
    return live.start()
