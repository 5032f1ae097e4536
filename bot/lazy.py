"""Objects built at their first use, so a process pays only for what it uses
(`ask` never opens the database; a process that never reviews never trains
the review classifier)."""

from __future__ import annotations

import threading


class OnFirstUse:
    """Stands in for the object `build()` returns, built (once, thread-safely)
    at the first attribute access."""

    def __init__(self, build) -> None:
        self._build, self._built = build, None
        self._lock = threading.Lock()

    @property
    def built(self):
        if self._built is None:
            with self._lock:
                if self._built is None:
                    self._built = self._build()
        return self._built

    def __getattr__(self, name):
        return getattr(self.built, name)
