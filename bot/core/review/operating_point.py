"""The operating point, learned on the bank's out-of-fold scores: per rule,
the thresholds to report a finding, to report it at its severity, and to
take a pattern's hit for a near miss; the severe and clearance thresholds
tuned together on the posts' verdicts; and the post-level head
(post_level.py) trained on the same scores. Called by semantic.train."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from bot.core.models import SEVERITY_RANK as _SEVERITY_RANK
from bot.core.review.post_level import LEVELS, PostTopic, fit_head, high_share, post_features

if TYPE_CHECKING:
    from bot.core.review.semantic import TrainingSet

# The head's `ok` bias is chosen over three fold partitions of the drafts
# (the first is the one the rest of training uses).
HEAD_PARTITIONS = ("", "head-1", "head-2")
# A rule's report threshold is the lowest whose F-score is within this of the
# best (sem-v24). The best alone jumped with the bank's mix: round 13's dev
# drafts raised confidential 0.63 -> 0.79 and on_behalf 0.63 -> 0.77, and dev
# recall out of fold fell 0.918 -> 0.907; within 0.005 it is 0.927 -> 0.925.
REPORT_TOLERANCE = 0.005


def fit_post_head(ts: TrainingSet, rule_ids, vectors, oof_proba, oof_logits, oof_post, severe, clear, rank,
                  clean_cost, oof_clean_signal, clearing=None):
    """The post-level head (post_level.py) on the out-of-fold scores; its
    own out-of-fold verdicts, and the thresholds' on the same drafts, go
    into the model's info. `oof_clean_signal`: per segment, the clean signal
    (semantic.py), out of fold. `clearing`: per segment and kind, the
    clearing model's scores (clearing.py; trained on other data, so no fold
    is needed), or None."""
    from bot.core.review.semantic import FOLDS   # here: semantic imports this module

    r = len(rank)
    n_drafts = len(ts.drafts)
    # the head sees what a review sees: the scores of the segments it would embed
    seen = reviewed_segments(ts, oof_logits, r)
    draft_max, fired_max = draft_maxima(ts, oof_proba, r, seen)
    real = np.flatnonzero(ts.real)
    # per draft, its segments' highest stage-1 logits and clean signal (as a review reads them)
    highest = np.full((n_drafts, r + 1), -8.0, dtype=np.float32)
    np.maximum.at(highest, ts.groups[real], np.column_stack([oof_logits, oof_clean_signal])[real])
    stage1, clean_signal = highest[:, :r], highest[:, r]
    high = np.zeros((n_drafts, r), dtype=np.float32)
    for j, rule in enumerate(rule_ids):
        pos = np.flatnonzero(ts.y[:, j] == 1)
        best = _argmax_by_group(np.where(seen, oof_proba[:, j], -1.0)[real], ts.groups[real], n_drafts)
        has = best >= 0
        rows = real[best[has]]
        is_high = np.array([ts.severities[i].get(rule) == "high" for i in pos], dtype=bool)
        high[has, j] = high_share(vectors[rows], vectors[pos], is_high, ts.groups[rows], ts.groups[pos])
    levels = threshold_levels(draft_max, fired_max, severe, clear, rank)
    post_clearing = None
    if clearing is not None:
        k = clearing.shape[1]
        post_clearing = np.zeros((n_drafts, k), dtype=np.float32)
        rows = np.flatnonzero(ts.real & seen)
        np.maximum.at(post_clearing, ts.groups[rows], clearing[rows])
    means = embedded_means(ts, vectors, seen)
    topic = PostTopic(means)
    x = post_features(draft_max, stage1, oof_post, ts.pattern_level, high, levels, clean_signal, post_clearing,
                      topic(means))
    y = verdict_levels(ts)
    clean = np.array([d.clean for d in ts.drafts])
    partitions = [ts.folds(FOLDS, salt) for salt in HEAD_PARTITIONS]
    head, info = fit_head(x, y, clean, clean_cost, partitions)
    head.topic = topic
    info.update(thresholds_verdicts=round(float((levels == y).mean()), 4),
                thresholds_clean_alarms=int(((levels > 0) & clean).sum()))
    return head, info


def embedded_means(ts: TrainingSet, vectors: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """Per draft, the mean vector of the segments a review would embed (the
    context a review has)."""
    rows = np.flatnonzero(ts.real & seen)
    n = len(ts.drafts)
    sums = np.zeros((n, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, ts.groups[rows], vectors[rows])
    return sums / np.maximum(np.bincount(ts.groups[rows], minlength=n), 1)[:, None]


def reviewed_segments(ts: TrainingSet, logits: np.ndarray, r: int) -> np.ndarray:
    """Per segment: would a review of its draft embed it (choose_segments)?"""
    from bot.core.review.semantic import choose_segments   # here: semantic imports this module

    seen = np.zeros(len(ts.texts), dtype=bool)
    real = np.flatnonzero(ts.real)
    starts = np.r_[0, np.flatnonzero(np.diff(ts.groups[real])) + 1]
    for lo, hi in zip(starts, np.r_[starts[1:], len(real)]):
        rows = real[lo:hi]
        chosen = choose_segments([len(ts.texts[i]) for i in rows], logits[rows], ts.cues[rows], r)
        seen[rows[chosen]] = True
    return seen


def _argmax_by_group(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group, the index (into `values`) of its highest value; -1 for none."""
    out = np.full(n_groups, -1, dtype=np.int64)
    order = np.lexsort((values, groups))      # by group, then value: each group's last is its max
    g = groups[order]
    last = np.r_[g[1:] != g[:-1], True]
    out[g[last]] = order[last]
    return out


def choose_thresholds(ts: TrainingSet, proba: np.ndarray, rule_ids: Sequence[str], beta: float = 1.5,
                      clean_penalty: float = 3.0, clean_alarm_rate: float = 0.01,
                      severe_precision: float = 0.7,
                      tolerance: float = REPORT_TOLERANCE) -> tuple[np.ndarray, np.ndarray, dict]:
    """Per rule, from out-of-fold probabilities at the DRAFT level (is the rule
    found in the draft?):
    - the report threshold is the lowest within `tolerance` of the best
      recall-leaning F-score, a false alarm on a clean draft counting several
      times over (never below 0.5);
    - the severe threshold is the lowest at or above it where clean drafts
      (almost) never alarm and precision holds; below it a finding is `low`,
      a hint that does not change the verdict."""
    report = np.full(len(rule_ids), 0.9, dtype=np.float32)
    severe = np.full(len(rule_ids), 1.01, dtype=np.float32)
    clean = np.array([d.clean for d in ts.drafts])
    allowed = int(clean_alarm_rate * clean.sum())
    grid = np.arange(0.5, 0.995, 0.01)
    per_rule = {}
    all_max, _ = draft_maxima(ts, proba, len(rule_ids))
    b2 = beta * beta
    for j, rule in enumerate(rule_ids):
        truth = np.array([rule in d.rules for d in ts.drafts])
        if truth.sum() == 0:
            per_rule[rule] = {"threshold": float(report[j]), "positives": 0}
            continue
        # every threshold's counts at once (thresholds x drafts): the report
        # and the severe threshold are both read off them
        pred = all_max[None, :, j] >= grid[:, None]
        tp = (pred & truth).sum(axis=1)
        fn = int(truth.sum()) - tp
        clean_hits = (pred & clean).sum(axis=1)
        fp = (pred & ~truth & ~clean).sum(axis=1) + clean_penalty * clean_hits
        f = (1 + b2) * tp / np.maximum(1e-9, (1 + b2) * tp + b2 * fn + fp)
        # the F-score is flat near its peak: the lowest threshold within
        # `tolerance` of the best (a missed breach costs most)
        k = int(np.flatnonzero(f >= f.max() - tolerance)[0])
        report[j] = grid[k]
        holds = (clean_hits <= allowed) & (tp >= severe_precision * np.maximum(1, pred.sum(axis=1)))
        holds[:k] = False
        if holds.any():
            severe[j] = grid[np.flatnonzero(holds)[0]]
        per_rule[rule] = {"threshold": round(float(grid[k]), 2), "cv_f": round(float(f[k]), 3),
                          "cv_tp": int(tp[k]), "cv_fn": int(fn[k]), "cv_clean_alarms": int(clean_hits[k])}
    return report, severe, {"per_rule": per_rule}


def draft_maxima(ts: TrainingSet, proba: np.ndarray, r: int,
                 rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per draft and rule: the highest score of its segments, and the highest
    among the segments where a pattern fired medium or high (-1: none).
    `rows`: which segments count (default: every real one)."""
    real = ts.real if rows is None else ts.real & rows
    groups = ts.groups[real]
    p = proba[real]
    fired = ts.cues[real, r:2 * r] > 0
    draft_max = np.zeros((len(ts.drafts), r), dtype=np.float32)
    np.maximum.at(draft_max, groups, p)
    fired_max = np.full((len(ts.drafts), r), -1.0, dtype=np.float32)
    np.maximum.at(fired_max, groups, np.where(fired, p, -1.0))
    return draft_max, fired_max


def rule_ranks(ts: TrainingSet, rule_ids: Sequence[str]) -> np.ndarray:
    """A rule's severity rank: the one most of its labelled spans carry."""
    rank = np.zeros(len(rule_ids), dtype=np.int8)
    for j, rule in enumerate(rule_ids):
        votes = [sev[rule] for sev in ts.severities if rule in sev]
        rank[j] = _SEVERITY_RANK[max(sorted(set(votes)), key=votes.count)] if votes else 2   # ties: stable
    return rank


def verdict_levels(ts: TrainingSet) -> np.ndarray:
    """The labelled verdicts as levels: 0 ok, 1 caution, 2 do_not_post."""
    return np.array([LEVELS.index(d.verdict) for d in ts.drafts])


def threshold_levels(draft_max: np.ndarray, fired_max: np.ndarray, severe: np.ndarray, clear: np.ndarray,
                     rank: np.ndarray) -> np.ndarray:
    """The posts' levels (0-2) the per-rule thresholds give: a rule found at
    its severe threshold, or a pattern's hit the classifier does not clear,
    counts at the rule's severity."""
    found = (draft_max >= severe) | ((fired_max >= 0) & (fired_max >= clear))
    return np.maximum(np.where(found, rank, 0).max(axis=-1) - 1, 0)


def tune_operating_point(ts: TrainingSet, proba: np.ndarray, rule_ids: Sequence[str], report: np.ndarray,
                         severe: np.ndarray, clear: np.ndarray, clean_cost: float = 3.0,
                         passes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """The severe and clearance thresholds of all rules together: coordinate
    ascent on the bank's out-of-fold verdicts, a clean draft alarmed costing
    1 + clean_cost. (Each rule's own thresholds only bound its own clean
    alarms; the verdict is the post's, over every rule.) A rule's severity is
    the one most of its labelled spans carry; a pattern's medium or high hit
    counts at that severity unless the classifier clears its segment."""
    r = len(rule_ids)
    draft_max, fired_max = draft_maxima(ts, proba, r)
    rank = rule_ranks(ts, rule_ids)
    truth = verdict_levels(ts)
    cost = np.where([d.clean for d in ts.drafts], 1.0 + clean_cost, 1.0)

    def score(sev_th: np.ndarray, clear_th: np.ndarray) -> float:
        return float(((threshold_levels(draft_max, fired_max, sev_th, clear_th, rank) == truth) * cost).sum())

    sev_th, clear_th = severe.copy(), clear.copy()
    best = score(sev_th, clear_th)
    for _ in range(passes):
        changed = False
        for j in range(r):
            for which, grid in ((0, np.arange(max(0.5, float(report[j])), 1.011, 0.01)),
                                (1, np.arange(0.0, min(0.5, float(report[j])), 0.02))):
                for t in grid:
                    trial_sev, trial_clear = sev_th.copy(), clear_th.copy()
                    (trial_sev if which == 0 else trial_clear)[j] = t
                    value = score(trial_sev, trial_clear)
                    if value > best + 1e-9:
                        best, sev_th, clear_th, changed = value, trial_sev, trial_clear, True
        if not changed:
            break
    return sev_th.astype(np.float32), clear_th.astype(np.float32)


def choose_clearance(ts: TrainingSet, proba: np.ndarray, rule_ids: Sequence[str], report: np.ndarray,
                     info: dict, max_lost: float = 0.0) -> np.ndarray:
    """Per rule, the probability below which a pattern's medium or high hit
    is taken for a near miss and shown as `low` ("photos, shared with
    everyone's OK" is not a privacy problem). Chosen on out-of-fold scores of
    the segments where the pattern fired: as many false alarms cleared as
    possible while no real problem (at most `max_lost` of them) loses severity:
    a missed breach costs more than a false alarm."""
    n = len(rule_ids)
    clear = np.zeros(n, dtype=np.float32)
    for j, rule in enumerate(rule_ids):
        fired = (ts.cues[:, n + j] > 0) & ts.real
        pos = proba[fired & (ts.y[:, j] == 1), j]
        neg = proba[fired & (ts.y[:, j] == 0), j]
        if len(pos) < 5 or not len(neg):
            continue
        best = (0, 0.0)
        for t in np.arange(0.02, min(0.5, float(report[j])), 0.02):
            lost = (pos < t).sum()
            if lost > max_lost * len(pos):
                break
            cleared = int((neg < t).sum())
            if cleared > best[0]:
                best = (cleared, float(t))
        clear[j] = best[1]
        info["per_rule"].setdefault(rule, {}).update(clear=round(best[1], 2), cv_cleared=best[0],
                                                     pattern_hits=int(fired.sum()))
    return clear
