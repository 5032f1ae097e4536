"""Vectors fetched ahead (bot/core/review/prefetch.py) and the layer's
three steps that use them: the vectors a review takes are the ones it
would have embedded itself, whichever thread embedded them, and the second
thread is at work before the patterns have finished. Fast: a fake embedder."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from bot.core.review.prefetch import Prefetch
from tests.fakes import HashingEmbedder

TEXTS = [f"Segment {i} about the open day, the coffee and the new course." for i in range(12)]


class Recording:
    """Embeds with a hashing embedder; records each call's texts and thread,
    can wait on a gate before embedding, and can fail on one text."""

    def __init__(self, hold_ahead: bool = False, fail_on: str | None = None,
                 fail_thread: str | None = None) -> None:
        self.inner = HashingEmbedder(32)
        self.calls: list[tuple[str, list[str]]] = []
        self.fail_on, self.fail_thread = fail_on, fail_thread
        self.started, self.failed = threading.Event(), threading.Event()
        # held: the prefetch thread's first call waits until the review's thread has embedded something
        self.hold_ahead, self.review_embedded = hold_ahead, threading.Event()

    def __call__(self, texts):
        name = threading.current_thread().name
        self.calls.append((name, list(texts)))
        self.started.set()
        if name.startswith("ahead"):
            if self.hold_ahead:
                self.review_embedded.wait(5)
        else:
            self.review_embedded.set()
        if self.fail_on in texts and (self.fail_thread is None or name.startswith(self.fail_thread)):
            self.failed.set()
            raise RuntimeError("embedder down")
        return np.array(self.inner.embed_documents(list(texts)), dtype=np.float32)

    def direct(self, indices):
        return np.array(self.inner.embed_documents([TEXTS[i] for i in indices]), dtype=np.float32)


@pytest.fixture()
def executor():
    pool = ThreadPoolExecutor(1, thread_name_prefix="ahead")
    yield pool
    pool.shutdown(wait=True)


def test_take_returns_the_chosen_vectors_in_order_each_embedded_once(executor):
    embed = Recording()
    ahead = Prefetch(embed, TEXTS, [5, 1, 9, 3], executor)
    chosen = [0, 1, 3, 7, 11]
    got = ahead.take(chosen)
    assert np.allclose(got, embed.direct(chosen))
    embedded = [t for _, texts in embed.calls for t in texts]
    assert all(len(texts) == 1 for _, texts in embed.calls)     # a vector never depends on its neighbours
    assert len(embedded) == len(set(embedded))                  # nothing twice
    assert {TEXTS[i] for i in chosen} <= set(embedded)


def test_the_prefetch_works_before_take_and_take_shares_the_rest(executor):
    embed = Recording(hold_ahead=True)
    ahead = Prefetch(embed, TEXTS, list(range(12)), executor)
    assert embed.started.wait(5)          # at work before the review asks for anything
    first = embed.calls[0]
    assert first[0].startswith("ahead") and first[1] == [TEXTS[0]]
    got = ahead.take(list(range(12)))
    assert np.allclose(got, embed.direct(range(12)))
    threads = {name.split("_")[0] for name, _ in embed.calls}
    assert len(threads) == 2, threads     # the review's own thread and the prefetch thread both embedded


def test_a_prefetch_stuck_in_a_queue_does_not_hold_up_the_review():
    pool = ThreadPoolExecutor(1, thread_name_prefix="ahead")
    release = threading.Event()
    pool.submit(release.wait, 5)          # another review's work holds the only worker
    try:
        embed = Recording()
        ahead = Prefetch(embed, TEXTS, [0, 1, 2], pool)
        got = ahead.take([2, 4])
        assert np.allclose(got, embed.direct([2, 4]))
        assert all(not name.startswith("ahead") for name, _ in embed.calls)
    finally:
        release.set()
        pool.shutdown(wait=True)
    assert len(embed.calls) == 2          # started late, it found nothing left to do


def test_a_failure_on_the_prefetch_thread_is_retried_and_one_in_the_review_raises(executor):
    embed = Recording(fail_on=TEXTS[0], fail_thread="ahead")
    ahead = Prefetch(embed, TEXTS, [0], executor)
    assert embed.failed.wait(5)
    assert np.allclose(ahead.take([0, 1]), embed.direct([0, 1]))

    broken = Recording(fail_on=TEXTS[3])
    ahead = Prefetch(broken, TEXTS, [], executor)
    with pytest.raises(RuntimeError):
        ahead.take([2, 3])


def test_nothing_chosen_gives_no_vectors(executor):
    assert Prefetch(Recording(), TEXTS, [1], executor).take([]).shape[0] == 0
