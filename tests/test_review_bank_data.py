"""The draft bank is data the review classifier learns from: the locked test
split must stay at least 30% of it and apart from dev (no draft in both, no
draft twice, so a fold never holds a copy of a draft it is scored on), and
every rule the test split measures must be learnable from dev."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.evaluation.review_eval import load_bank

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


def _key(text: str) -> str:
    return " ".join(text.lower().split())


@pytest.fixture(scope="module")
def splits():
    return {split: load_bank(KNOWLEDGE, split) for split in ("dev", "test")}


def test_the_locked_test_split_is_at_least_thirty_percent(splits):
    assert len(splits["test"]) >= 0.3 * (len(splits["dev"]) + len(splits["test"]))


def test_no_draft_is_in_the_bank_twice(splits):
    drafts = splits["dev"] + splits["test"]
    repeated = [t for t, n in Counter(_key(d.text) for d in drafts).items() if n > 1]
    assert not repeated, repeated[:5]
    assert len({d.id for d in drafts}) == len(drafts)


def test_every_rule_the_test_split_measures_is_learnable_from_dev(splits):
    dev = Counter(r for d in splits["dev"] for r in d.rules)
    assert {r for d in splits["test"] for r in d.rules} <= set(dev)
    assert min(dev.values()) >= 300, dev
