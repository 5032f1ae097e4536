"""Stage 2's network: it learns what a linear model cannot, is the same
model from the same data, and never scores a rule it had no examples of."""

from __future__ import annotations

import numpy as np

from bot.core.review.dense_net import DenseNetwork, balanced_weights


def interaction(n=1200, seed=0):
    # a rule that holds when two kinds of evidence disagree (XOR): no
    # linear model of x does better than chance
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype(np.float32)
    y = np.zeros((n, 2), dtype=np.int8)
    y[:, 0] = (x[:, 0] > 0) ^ (x[:, 1] > 0)
    return x, y


def test_it_learns_an_interaction_of_two_features():
    x, y = interaction()
    p = DenseNetwork(epochs=100, batch=64).fit(x[:900], y[:900]).predict_proba(x[900:])
    accuracy = ((p[:, 0] > 0.5) == y[900:, 0]).mean()
    assert accuracy > 0.9


def test_same_data_same_model_and_rules_without_examples_score_zero():
    x, y = interaction()
    a = DenseNetwork().fit(x, y).predict_proba(x[:50])
    b = DenseNetwork().fit(x, y).predict_proba(x[:50])
    assert np.array_equal(a, b)
    assert (a[:, 1] == 0).all()       # rule 1 has no positives
    assert not np.array_equal(a, DenseNetwork(seed=1).fit(x, y).predict_proba(x[:50]))


def test_balanced_weights_give_each_class_half_of_a_rules_mass():
    y = np.array([[1], [0], [0], [0]], dtype=np.int8)
    sw = np.array([1.0, 1.0, 1.0, 4.0])
    w = balanced_weights(y, sw)
    assert np.isclose(w[y[:, 0] == 1].sum(), w[y[:, 0] == 0].sum())
    assert w[3, 0] == 4 * w[1, 0]      # a weighted negative counts more within its class


def test_sample_weights_make_the_weighted_negatives_count_more():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5))
    y = (x[:, :1] > 0.8).astype(int)
    near_miss = (x[:, 0] > 0.4) & (x[:, 0] <= 0.8)        # negatives close to the boundary
    plain = DenseNetwork().fit(x, y).predict_proba(x)[:, 0]
    weighted = DenseNetwork().fit(x, y, np.where(near_miss, 8.0, 1.0)).predict_proba(x)[:, 0]
    assert weighted[near_miss].mean() < plain[near_miss].mean()
    assert weighted[y[:, 0] == 1].mean() > 0.5
