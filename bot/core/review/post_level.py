"""The post's verdict, learned from the whole post rather than one rule at a
time: a small classifier over what the patterns and the semantic layer saw
says whether a post is fine, needs care, or should not be posted, and the
findings are made to agree with it.

Per rule the classifier reads the highest stage-2 score of the post's
segments, the highest stage-1 score, the whole post's n-gram score, the
patterns' severity, and how many of the nearest labelled spans of the rule
were `high`; plus the level the per-rule thresholds give. Two moderate
signals can make a problem where neither crosses its rule's threshold alone,
and a rule whose spans are usually `medium` can still be `high` in a post
that reads like its `high` spans.

It is trained on the semantic layer's out-of-fold scores of the dev bank
(the same scores the thresholds are chosen on), a clean draft weighing
1 + clean_cost, and tuned by nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from bot.core.models import SEVERITY_RANK
from bot.core.review.flat_trees import FlatTrees

LEVELS = ("ok", "caution", "do_not_post")
LEVEL_SEVERITY = ("low", "medium", "high")      # the severity a post's level asks of its worst finding
NEAREST = 5


@dataclass
class PostCall:
    """What the head says of one post: its level (an index into LEVELS) and
    the rules in the order the head would raise them (most likely first),
    each with its best segment (start, end, score) in the normalised draft."""
    level: int
    order: tuple[str, ...]
    best: dict


def post_features(proba: np.ndarray, stage1: np.ndarray, post: np.ndarray, pattern: np.ndarray,
                  high: np.ndarray, rule_level: np.ndarray, clean_signal: np.ndarray | None = None,
                  clearing: np.ndarray | None = None, topic: np.ndarray | None = None) -> np.ndarray:
    """One row per post. `proba`, `stage1`, `post`, `high`: per rule, (posts x
    rules); `pattern`: the patterns' highest severity rank per rule (0-3);
    `rule_level`: what the per-rule thresholds say (0-2); `clean_signal`: per
    post, the highest clean signal of its segments (semantic.py; None: 0);
    `clearing`: per post and kind of clearing element, the highest score of
    its segments (clearing.py; None: a model trained without them, no columns);
    `topic`: per post, where it sits among the bank's posts (PostTopic; None:
    no columns)."""
    rule_level = np.asarray(rule_level).reshape(-1, 1)
    clean_signal = np.zeros(len(rule_level)) if clean_signal is None else np.asarray(clean_signal, dtype=np.float32)
    extra = [np.asarray(a, dtype=np.float32) for a in (clearing, topic) if a is not None]
    return np.hstack([
        proba, np.tanh(stage1 / 4.0), np.tanh(post / 4.0),
        pattern >= 1, pattern >= 2, pattern >= 3, high * proba,
        rule_level == 1, rule_level == 2, np.tanh(clean_signal.reshape(-1, 1) / 4.0), *extra,
    ]).astype(np.float32)


TOPIC_AXES = 16


class PostTopic:
    """Where a post sits among the bank's posts: the mean e5 vector of the
    segments a review embeds, on the first TOPIC_AXES principal axes of the
    dev drafts' means. The head's trees can then learn that a rule's score
    weighs differently in one kind of post than in another (a joke about a
    colleague, a pet's birthday). Unsupervised, so fitted on all of dev.
    Dev, the head out of fold (three partitions, 9,921 drafts, bias 1.5):
    weighted count 59,774 -> 59,826, clean drafts alarmed 107.7 -> 106.7,
    verdicts 0.8331 -> 0.8346 (8 axes: 59,790; a noise column: 59,762)."""

    def __init__(self, means: np.ndarray, axes: int = TOPIC_AXES) -> None:
        means = np.asarray(means, dtype=np.float64)
        self.centre = means.mean(axis=0).astype(np.float32)
        _, _, vh = np.linalg.svd(means - self.centre, full_matrices=False)
        self.axes = np.ascontiguousarray(vh[:axes].T, dtype=np.float32)

    def __call__(self, means: np.ndarray) -> np.ndarray:
        return (np.asarray(means, dtype=np.float32) - self.centre) @ self.axes


def high_share(queries: np.ndarray, positives: np.ndarray, is_high: np.ndarray,
               query_groups: np.ndarray | None = None, positive_groups: np.ndarray | None = None) -> np.ndarray:
    """Per query vector: the similarity-weighted share of `high` among its
    NEAREST labelled spans of a rule (a query never sees its own draft's)."""
    if not len(positives) or not len(queries):
        return np.zeros(len(queries), dtype=np.float32)
    sims = queries @ positives.T
    if query_groups is not None:
        sims[query_groups[:, None] == positive_groups[None, :]] = -1.0
    k = min(NEAREST, sims.shape[1])
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    s = np.maximum(np.take_along_axis(sims, top, axis=1), 0.0)
    h = is_high[top].astype(np.float32)
    return ((s * h).sum(axis=1) / np.maximum(s.sum(axis=1), 1e-6)).astype(np.float32)


class PostLevelHead:
    """Gradient-boosted trees over post_features: the interactions (this rule
    at this score with that pattern) are what the per-rule thresholds miss.
    On the dev bank's out-of-fold scores (4,378 drafts, no `ok` bias):
    verdicts 0.829 against the thresholds' 0.774; a linear model gave 0.806."""

    def __init__(self, seed: int = 0, ok_bias: float = 0.0) -> None:
        self.seed = seed
        self.ok_bias = ok_bias      # log-odds added to `ok`: how sure the head must be to alarm
        self.model = None
        self.topic: PostTopic | None = None     # how its `topic` columns are read (None: none)

    def fit(self, x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> "PostLevelHead":
        from sklearn.ensemble import HistGradientBoostingClassifier

        self.classes = np.unique(y)
        self._flat = None
        if len(self.classes) < 2:      # a bank (or fold) of one verdict: that verdict
            self.model = None
            return self
        self.codes = QuantileCodes(x)
        self.model = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                                    min_samples_leaf=20, l2_regularization=1.0,
                                                    random_state=self.seed)
        self.model.fit(self.codes(x), y, sample_weight=weight)
        return self

    def proba(self, x: np.ndarray) -> np.ndarray:
        """(posts x 3) class probabilities over LEVELS (a level the bank lacks scores 0)."""
        out = np.zeros((len(x), len(LEVELS)))
        if self.model is None:
            out[:, int(self.classes[0]) if len(self.classes) else 0] = 1.0
            return out
        flat = getattr(self, "_flat", None)
        if flat is None:
            # built on first use, also for heads pickled before it existed
            flat = self._flat = FlatTrees(self.model)
        out[:, self.model.classes_.astype(int)] = flat.predict_proba(self.codes(x))
        return out

    def predict(self, x: np.ndarray) -> np.ndarray:
        return decide(self.proba(x), self.ok_bias)


class QuantileCodes:
    """Each feature's value as its bin between the training rows' quantiles
    (at most 255 bins, as the trees' own binning): what the trees split on.
    HistGradientBoosting bins its input itself, but given sample weights
    (scikit-learn 1.9) through a weighted percentile that took 3 of each
    6 s head fit; on codes it finds no more than 255 values and only takes
    midpoints. Plain quantiles, out of fold on the dev bank (5,298 drafts,
    the 3 partitions' weighted count): 29,119 against 29,132 (sem-v19's head;
    the round-8 bank's 28,914 against 28,953), noise, at a third of the
    time. NaN stays NaN."""

    MAX_BINS = 255

    def __init__(self, x: np.ndarray) -> None:
        self.edges = []
        for column in np.asarray(x, dtype=np.float64).T:
            finite = column[~np.isnan(column)]
            values = np.unique(finite)
            if len(values) <= self.MAX_BINS:
                edges = (values[:-1] + values[1:]) / 2.0
            else:
                levels = np.linspace(0.0, 100.0, self.MAX_BINS + 1)[1:-1]
                edges = np.unique(np.percentile(finite, levels, method="midpoint"))
            self.edges.append(edges)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        out = np.empty_like(x)
        for j, edges in enumerate(self.edges):
            out[:, j] = np.searchsorted(edges, x[:, j], side="right")
        return np.where(np.isnan(x), np.nan, out)


def decide(proba: np.ndarray, ok_bias: float) -> np.ndarray:
    p = proba.copy()
    p[:, 0] *= np.exp(ok_bias)
    return p.argmax(axis=1)


OK_BIASES = np.arange(0.0, 3.01, 0.25)
# At most this share of clean drafts alarmed out of fold: the weighted count
# is flat across a range of biases (round 11's dev bank: 40,482 at bias 0.75
# with 111 of 2,621 clean drafts alarmed, 40,397 at 1.5 with 78), and where
# it peaks moved with the bank's mix, not with what staff need. The issue
# asks for no clean draft alarmed; 0.03 keeps round 10's rate (76 of 2,390,
# 0.032) as the bank grows.
CLEAN_ALARM_BUDGET = 0.03


def fit_head(x: np.ndarray, y: np.ndarray, clean: np.ndarray, clean_cost: float,
             partitions: Sequence[Sequence[np.ndarray]],
             clean_alarm_budget: float = CLEAN_ALARM_BUDGET) -> tuple[PostLevelHead, dict]:
    """Fit the head, a clean draft weighing 1 + clean_cost, and choose its
    `ok` bias on its own out-of-fold verdicts by the same weighted count
    (the weights alone left too many clean alarms: on dev, bias 0 / 1.5 gave
    verdicts 0.829 / 0.809 with 158 / 73 clean drafts alarmed), summed over
    several fold partitions: the count is nearly flat across a range of
    biases, and one partition's noise (or one edited draft) moved the
    choice from 1.5 to 1.0. Only biases that alarm at most
    `clean_alarm_budget` of the clean drafts (the mean over the partitions)
    compete; when none does, the one that alarms fewest."""
    weight = np.where(clean, 1.0 + clean_cost, 1.0)
    oofs = [_out_of_fold(x, y, weight, folds) for folds in partitions]
    preds = [[decide(oof, b) for oof in oofs] for b in OK_BIASES]   # per bias, per partition
    scores = np.array([sum(float(((p == y) * weight).sum()) for p in row) for row in preds])
    rates = np.array([np.mean([((p > 0) & clean).sum() for p in row]) for row in preds]) / max(1, int(clean.sum()))
    within = rates <= clean_alarm_budget + 1e-9
    k = int(np.argmax(np.where(within, scores, -np.inf))) if within.any() else int(np.argmin(rates))
    bias, pred = float(OK_BIASES[k]), preds[k][0]
    info = {"ok_bias": bias, "cv_verdicts": round(float((pred == y).mean()), 4),
            "cv_clean_alarms": int(((pred > 0) & clean).sum()),
            "unconstrained_bias": float(OK_BIASES[int(np.argmax(scores))])}
    return PostLevelHead(ok_bias=bias).fit(x, y, weight), info


def _out_of_fold(x: np.ndarray, y: np.ndarray, weight: np.ndarray, folds: Sequence[np.ndarray]) -> np.ndarray:
    oof = np.zeros((len(y), len(LEVELS)))
    for held in folds:
        oof[held] = PostLevelHead().fit(x[~held], y[~held], weight[~held]).proba(x[held])
    return oof


def settle(hits: list, call: PostCall | None, exact: frozenset, make_hit) -> list:
    """The findings made to agree with the post's level: none above it
    (the exact detectors' keep theirs), and the worst at it, raising the
    finding of the rule the head ranks first, or adding that rule's best
    segment when nothing was found. `make_hit(rule, severity, start, end,
    score)` builds a hit."""
    if call is None:
        return hits
    target = LEVEL_SEVERITY[call.level]
    out = [h if h.rule in exact or SEVERITY_RANK[h.severity] <= SEVERITY_RANK[target] else replace(h, severity=target)
           for h in hits]
    if call.level == 0 or any(SEVERITY_RANK[h.severity] >= SEVERITY_RANK[target] for h in out):
        return out
    for rule in call.order:
        mine = [i for i, h in enumerate(out) if h.rule == rule and h.rule not in exact]
        if mine:
            i = max(mine, key=lambda k: (out[k].confidence or 0.0, SEVERITY_RANK[out[k].severity]))
            out[i] = replace(out[i], severity=target)
            return out
        if rule in call.best and rule not in exact:
            start, end, score = call.best[rule]
            out.append(make_hit(rule, target, start, end, score))
            return out
    return out
