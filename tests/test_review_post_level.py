"""The post-level head (bot/core/review/post_level.py): the findings are made
to agree with the post's level, the nearest labelled spans' share of `high`
never sees the query's own draft, and the head learns a level from the
evidence and picks its `ok` bias on its own out-of-fold verdicts. Fast: no
model."""

from __future__ import annotations

import numpy as np

from bot.core.review.post_level import (LEVELS, PostCall, PostLevelHead, PostTopic, QuantileCodes, decide, fit_head,
                                        high_share, post_features, settle)
from bot.core.review.rules import Hit
from bot.core.review.operating_point import _argmax_by_group, threshold_levels

EXACT = frozenset({"personal_data"})


def _hit(rule, severity, start, end, confidence=None, kind="semantic"):
    return Hit(rule, kind, severity, start, end, confidence)


def _call(level, order=("privacy", "accuracy"), best=None):
    return PostCall(level, tuple(order), best if best is not None else {"privacy": (0, 10, 0.4), "accuracy": (20, 30, 0.3)})


def test_no_call_leaves_the_hits_as_they_are():
    hits = [_hit("privacy", "high", 0, 10)]
    assert settle(hits, None, EXACT, _hit) == hits


def test_an_ok_post_keeps_its_findings_as_hints_but_never_an_identifier():
    hits = [_hit("privacy", "high", 0, 10, kind="photo"), _hit("accuracy", "medium", 20, 30),
            _hit("personal_data", "high", 40, 49, kind="bsn")]
    out = settle(hits, _call(0), EXACT, _hit)
    assert [h.severity for h in out] == ["low", "low", "high"]
    assert [h.kind for h in out] == ["photo", "semantic", "bsn"]   # where and what stay; only the severity moves


def test_a_caution_post_caps_high_findings_at_medium():
    out = settle([_hit("privacy", "high", 0, 10), _hit("accuracy", "low", 20, 30)], _call(1), EXACT, _hit)
    assert [h.severity for h in out] == ["medium", "low"]


def test_the_head_raises_the_finding_of_the_rule_it_ranks_first():
    hits = [_hit("accuracy", "low", 20, 30, 0.6), _hit("privacy", "low", 0, 10, 0.2),
            _hit("privacy", "low", 12, 18, 0.5)]
    out = settle(hits, _call(2), EXACT, _hit)
    assert [h.severity for h in out] == ["low", "low", "high"]   # privacy first; its surest finding


def test_with_nothing_found_the_head_adds_its_first_rules_best_segment():
    out = settle([], _call(1, order=("accuracy", "privacy")), EXACT, _hit)
    assert out == [_hit("accuracy", "medium", 20, 30, 0.3)]


def test_an_exact_detectors_finding_is_never_the_one_raised_or_added():
    out = settle([_hit("personal_data", "low", 0, 5)], _call(1, order=("personal_data", "privacy")), EXACT, _hit)
    assert out[0].severity == "low" and out[1] == _hit("privacy", "medium", 0, 10, 0.4)


def test_a_post_already_at_its_level_is_left_alone():
    hits = [_hit("privacy", "medium", 0, 10), _hit("accuracy", "low", 20, 30)]
    assert settle(hits, _call(1), EXACT, _hit) == hits


def test_high_share_weighs_the_nearest_spans_and_skips_the_querys_own_draft():
    positives = np.eye(4, dtype=np.float32)
    is_high = np.array([True, False, False, False])
    query = np.array([[1.0, 0.2, 0.0, 0.0]], dtype=np.float32)
    assert 0.8 < high_share(query, positives, is_high)[0] < 0.9          # 1.0 of 1.2 is high
    mine = high_share(query, positives, is_high, np.array([7]), np.array([7, 1, 2, 3]))
    assert mine[0] == 0.0       # its own draft's high span is not evidence
    assert high_share(query, positives[:0], is_high[:0]).shape == (1,)


def test_argmax_by_group_finds_each_posts_best_segment():
    values = np.array([0.1, 0.9, 0.3, 0.8, 0.2])
    groups = np.array([0, 0, 2, 2, 2])
    assert _argmax_by_group(values, groups, 4).tolist() == [1, -1, 3, -1]


def test_threshold_levels_count_a_rule_found_at_its_rules_severity():
    rank = np.array([3, 2, 1])
    severe = np.array([0.8, 0.8, 0.8])
    clear = np.array([0.1, 0.1, 0.1])
    draft_max = np.array([[0.9, 0.0, 0.0], [0.0, 0.9, 0.0], [0.0, 0.0, 0.9], [0.5, 0.0, 0.0]])
    fired = np.array([[-1, -1, -1], [-1, -1, -1], [-1, -1, -1], [0.5, -1, -1]])
    assert threshold_levels(draft_max, fired, severe, clear, rank).tolist() == [2, 1, 0, 2]
    # a pattern's hit the classifier scores below the clearance is not counted
    assert threshold_levels(draft_max[3], np.array([0.05, -1, -1]), severe, clear, rank) == 0


def _evidence(n, rng):
    """Posts whose level follows two rules' scores together: neither alone decides."""
    proba = rng.uniform(0, 1, size=(n, 2))
    level = np.where(proba.sum(axis=1) > 1.5, 2, np.where(proba.sum(axis=1) > 1.0, 1, 0))
    zeros = np.zeros((n, 2))
    x = post_features(proba, zeros, zeros, zeros, zeros, np.zeros(n))
    return x, level


def test_the_head_learns_a_level_from_the_evidence_of_several_rules():
    rng = np.random.default_rng(0)
    x, y = _evidence(600, rng)
    clean = y == 0
    folds = [np.arange(600) % 5 == k for k in range(5)]
    shuffled = rng.permutation(600) % 5
    head, info = fit_head(x, y, clean, 3.0, [folds, [shuffled == k for k in range(5)]])
    assert info["cv_verdicts"] > 0.85
    xt, yt = _evidence(300, rng)
    assert (head.predict(xt) == yt).mean() > 0.85
    assert head.ok_bias == info["ok_bias"] >= 0.0


def test_the_ok_bias_keeps_clean_alarms_within_the_budget():
    """Noisy evidence: the best weighted count alarms many clean posts; a
    budget makes the head pick a higher bias that alarms at most that
    share, and a budget of 1 leaves the choice to the count alone."""
    rng = np.random.default_rng(3)
    x, y = _evidence(600, rng)
    x = x + rng.normal(0, 0.4, size=x.shape)
    clean = y == 0
    parts = [[np.arange(600) % 5 == k for k in range(5)]]
    _, free = fit_head(x, y, clean, 0.0, parts, clean_alarm_budget=1.0)
    assert free["ok_bias"] == free["unconstrained_bias"]
    free_rate = free["cv_clean_alarms"] / clean.sum()
    assert free_rate > 0.02
    head, tight = fit_head(x, y, clean, 0.0, parts, clean_alarm_budget=free_rate / 2)
    assert tight["ok_bias"] > free["ok_bias"] and head.ok_bias == tight["ok_bias"]
    assert tight["cv_clean_alarms"] / clean.sum() <= free_rate / 2


def test_a_higher_ok_bias_never_alarms_more():
    rng = np.random.default_rng(1)
    p = rng.dirichlet([1, 1, 1], size=200)
    alarms = [int((decide(p, b) > 0).sum()) for b in (0.0, 0.5, 1.0, 2.0)]
    assert alarms == sorted(alarms, reverse=True) and alarms[0] > alarms[-1]


def test_a_bank_of_one_verdict_gives_that_verdict():
    x = np.zeros((10, 3), dtype=np.float32)
    head = PostLevelHead().fit(x, np.ones(10, dtype=int), np.ones(10))
    assert head.predict(x).tolist() == [1] * 10
    assert head.proba(x).shape == (10, len(LEVELS))


def test_the_flat_trees_give_sklearns_probabilities():
    """The head walks its trees as arrays (flat_trees.py) for speed: the same
    numbers as sklearn's own predict, for three levels and for two, with
    missing values and on rows it was not fitted on."""
    rng = np.random.default_rng(2)
    x, y = _evidence(500, rng)
    x[rng.random(x.shape) < 0.05] = np.nan
    xt, _ = _evidence(200, rng)
    xt[rng.random(xt.shape) < 0.05] = np.nan
    for labels in (y, np.minimum(y, 1)):
        head = PostLevelHead().fit(x, labels, np.ones(len(x)))
        expected = head.model.predict_proba(head.codes(xt))
        got = head.proba(xt)[:, head.model.classes_.astype(int)]
        assert np.allclose(got, expected, rtol=0, atol=1e-12)
        assert got.shape[1] == len(np.unique(labels))


def test_quantile_codes_keep_the_order_in_at_most_255_bins():
    """The head's trees split on bins of the training rows' quantiles: never
    more than 255 (so the trees' own binning only takes midpoints), the
    order of values kept, a feature with few values one bin per value, NaN
    left missing."""
    rng = np.random.default_rng(3)
    x = np.column_stack([rng.normal(size=2000), rng.integers(0, 3, 2000).astype(float)])
    x[::50, 0] = np.nan
    codes = QuantileCodes(x)
    got = codes(x)
    assert np.isnan(got[::50, 0]).all() and not np.isnan(got[1::50, 0]).any()
    assert len(np.unique(got[~np.isnan(got[:, 0]), 0])) == QuantileCodes.MAX_BINS
    assert sorted(np.unique(got[:, 1]).tolist()) == [0.0, 1.0, 2.0]
    finite = ~np.isnan(x[:, 0])
    order = np.argsort(x[finite, 0])
    assert (np.diff(got[finite, 0][order]) >= 0).all()
    assert codes(np.array([[-1e9, -1.0], [1e9, 9.0]])).tolist() == [[0.0, 0.0], [254.0, 2.0]]


def test_the_head_can_clear_a_post_on_its_clean_signal():
    """Two posts with the same rule score: the one whose clean signal is high
    (consent given, the official link) is `ok`, the other is not."""
    rng = np.random.default_rng(1)
    n = 600
    proba = np.column_stack([rng.uniform(0.6, 1.0, n), np.zeros(n)])
    clean_signal = rng.normal(0.0, 4.0, n)
    y = np.where(clean_signal > 0, 0, 1)
    zeros = np.zeros((n, 2))
    x = post_features(proba, zeros, zeros, zeros, zeros, np.zeros(n), clean_signal)
    assert x.shape[1] == post_features(proba, zeros, zeros, zeros, zeros, np.zeros(n)).shape[1]
    assert np.allclose(x[:, -1], np.tanh(clean_signal / 4.0))
    folds = [np.arange(n) % 5 == k for k in range(5)]
    _, info = fit_head(x, y, y == 0, 3.0, [folds])
    assert info["cv_verdicts"] > 0.9
    # without it the head cannot tell them apart
    _, blind = fit_head(post_features(proba, zeros, zeros, zeros, zeros, np.zeros(n)), y, y == 0, 3.0, [folds])
    assert blind["cv_verdicts"] < 0.7


def test_the_topic_axes_are_the_bank_means_main_directions():
    """PostTopic: the first axis is the direction the posts' means spread
    along most, the axes are orthonormal, and the bank's centre sits at 0."""
    rng = np.random.default_rng(0)
    direction = np.zeros(8)
    direction[3] = 1.0
    means = rng.normal(size=(200, 1)) * 5.0 * direction + rng.normal(size=(200, 8)) * 0.1
    topic = PostTopic(means, axes=3)
    assert topic.axes.shape == (8, 3)
    assert np.allclose(topic.axes.T @ topic.axes, np.eye(3), atol=1e-5)
    assert abs(topic.axes[3, 0]) > 0.99
    assert np.allclose(topic(topic.centre[None, :]), 0.0, atol=1e-6)
    assert np.allclose(np.abs(topic(means)[:, 0]), np.abs(means[:, 3] - means[:, 3].mean()), atol=0.05)


def test_the_topic_columns_follow_the_others():
    base = post_features(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3)),
                         np.zeros(2))
    topic = np.array([[1.0, 2.0], [3.0, 4.0]])
    with_topic = post_features(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((2, 3)),
                               np.zeros((2, 3)), np.zeros(2), topic=topic)
    assert with_topic.shape == (2, base.shape[1] + 2)
    assert np.array_equal(with_topic[:, -2:], topic.astype(np.float32))
