"""The clearing sentences (knowledge/review/clearing/) and the model that
learns from them (bot/core/review/clearing.py): the data keeps the same
dev/test discipline as the draft bank, bad files are refused with the file
and the id named, and the post-level head gets one column per kind of
clearing element only when a model has them. Fast: fixed vectors, no
embedder."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from bot.core.review.clearing import CLEARING_KINDS, KINDS, ClearingError, ClearingModel, parse_clearing
from bot.core.review.post_level import post_features
from bot.evaluation.clearing_eval import evaluate
from bot.infra.review_model import read_clearing

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


@pytest.fixture(scope="module")
def splits():
    return {split: read_clearing(KNOWLEDGE, split) for split in ("dev", "test")}


def test_the_locked_test_split_is_at_least_thirty_percent_and_apart_from_dev(splits):
    dev, test = splits["dev"], splits["test"]
    assert dev and test
    assert len(test) >= 0.3 * (len(dev) + len(test))
    texts = Counter(" ".join(s.text.lower().split()) for s in dev + test)
    assert [t for t, n in texts.items() if n > 1] == []
    assert len({s.id for s in dev + test}) == len(dev + test)
    assert {s.split for s in dev} == {"dev"} and {s.split for s in test} == {"test"}


def test_every_kind_is_in_both_splits_and_lookalikes_are_half(splits):
    for sentences in splits.values():
        kinds = Counter(s.kind for s in sentences)
        assert set(kinds) == set(KINDS)
        assert kinds["none"] >= 0.4 * len(sentences)


@pytest.mark.parametrize("data,message", [
    ({"sentences": [{"id": "a", "text": "views my own", "kind": "opinion"}]}, "a: unknown kind 'opinion'"),
    ({"sentences": [{"id": "a", "text": " ", "kind": "none"}]}, "a: 'text' is required"),
    ({"sentences": [{"id": "a", "text": "x", "kind": "none"}, {"id": "a", "text": "y", "kind": "none"}]},
     "duplicate id a"),
    ({"drafts": []}, "expected 'sentences:'"),
])
def test_a_bad_file_is_refused_naming_the_file_and_the_sentence(data, message):
    with pytest.raises(ClearingError, match=f"^my.yaml: .*{message}"):
        parse_clearing(data, source="my.yaml")


def _vectors(kinds, seed=0):
    """Each kind a direction of its own, with noise: learnable, not trivially."""
    centres = np.random.default_rng(0).normal(size=(len(KINDS), 16))
    rng = np.random.default_rng(100 + seed)
    x = centres[[KINDS.index(k) for k in kinds]] + 0.8 * rng.normal(size=(len(kinds), 16))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_the_model_scores_each_kind_of_clearing_element():
    kinds = [k for k in KINDS for _ in range(40)]
    model = ClearingModel().fit(_vectors(kinds), kinds)
    held = [k for k in KINDS for _ in range(10)]
    scores = model.scores(_vectors(held, seed=1))
    assert scores.shape == (len(held), len(CLEARING_KINDS))
    for j, kind in enumerate(CLEARING_KINDS):
        mine = np.array([k == kind for k in held])
        assert scores[mine, j].mean() > 0.5 > scores[~mine, j].mean()


def test_the_evaluation_scores_dev_out_of_fold_and_test_by_the_whole_of_dev():
    kinds = [k for k in KINDS for _ in range(30)]
    test_kinds = [k for k in KINDS for _ in range(8)]
    out = evaluate(_vectors(kinds), kinds, [f"d{i}" for i in range(len(kinds))],
                   _vectors(test_kinds, seed=2), test_kinds)
    assert out["dev_cv"]["sentences"] == len(kinds) and out["test"]["sentences"] == len(test_kinds)
    assert out["dev_cv"]["accuracy"] > 0.6 and out["test"]["accuracy"] > 0.6
    assert out["dev_cv"]["per_kind"]["consent"]["expected"] == 30
    # shuffled labels learn nothing: the score is the model's, not the data's order
    shuffled = list(np.random.default_rng(3).permutation(kinds))
    assert evaluate(_vectors(kinds), shuffled, [f"d{i}" for i in range(len(kinds))])["dev_cv"]["accuracy"] < 0.4


def test_the_head_gets_a_column_per_kind_only_from_a_model_with_clearing():
    r, n = 3, 2
    args = (np.zeros((n, r)), np.zeros((n, r)), np.zeros((n, r)), np.zeros((n, r)), np.zeros((n, r)), np.zeros(n))
    without = post_features(*args, np.zeros(n))
    with_clearing = post_features(*args, np.zeros(n), np.full((n, len(CLEARING_KINDS)), 0.7))
    assert with_clearing.shape[1] == without.shape[1] + len(CLEARING_KINDS)
    assert np.allclose(with_clearing[:, -len(CLEARING_KINDS):], 0.7)
