"""bot.lazy.OnFirstUse: nothing is built before it is used, and it is built
once even when several threads use it at the same moment."""

from __future__ import annotations

import threading
import time

from bot.lazy import OnFirstUse


class Thing:
    def __init__(self) -> None:
        self.value = 42

    def double(self) -> int:
        return 2 * self.value


def test_built_at_first_use_and_only_once():
    calls = []

    def build():
        calls.append(1)
        time.sleep(0.05)   # wide enough for the threads below to race
        return Thing()

    lazy = OnFirstUse(build)
    assert calls == []
    results = []
    threads = [threading.Thread(target=lambda: results.append(lazy.double())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [84] * 8
    assert calls == [1]
    assert lazy.built is lazy.built


def test_a_failed_build_is_tried_again():
    attempts = []

    def build():
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("database not reachable yet")
        return Thing()

    lazy = OnFirstUse(build)
    try:
        lazy.value
    except OSError:
        pass
    assert lazy.value == 42 and len(attempts) == 2
