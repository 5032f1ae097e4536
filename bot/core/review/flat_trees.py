"""A fitted HistGradientBoostingClassifier's trees as flat arrays, walked for
every tree at once.

sklearn predicts tree by tree, one call from Python per tree: the post-level
head has 200 iterations of 3 trees, and one post took ~6 ms, nearly all of it
calls. Walked together, one step per tree level, it takes ~0.3 ms and gives
sklearn's numbers (tests/test_review_post_level.py compares them).

It reads sklearn's fitted predictors (`_predictors`, `_baseline_prediction`,
`_loss`), private but pinned with scikit-learn in pyproject.toml; categorical
splits are not supported, and the head has none.
"""

from __future__ import annotations

import numpy as np


class FlatTrees:
    def __init__(self, model) -> None:
        trees = [p.nodes for iteration in model._predictors for p in iteration]
        nodes = np.concatenate(trees)
        if nodes["is_categorical"].any():
            raise ValueError("categorical splits are not supported")
        sizes = np.array([len(t) for t in trees])
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        tree_start = np.repeat(starts, sizes)       # each node's tree's first node
        self.roots = starts.astype(np.int64)
        self.feature = nodes["feature_idx"].astype(np.int64)
        self.threshold = nodes["num_threshold"].astype(np.float64)
        self.missing_left = nodes["missing_go_to_left"].astype(bool)
        self.left = nodes["left"].astype(np.int64) + tree_start
        self.right = nodes["right"].astype(np.int64) + tree_start
        self.leaf = nodes["is_leaf"].astype(bool)
        self.value = nodes["value"].astype(np.float64)
        k = model.n_trees_per_iteration_
        self.klass = np.arange(len(trees)) % k      # the class each tree adds to
        self.k = k
        self.baseline = np.asarray(model._baseline_prediction, dtype=np.float64).reshape(1, k)
        self.loss = model._loss

    def raw(self, x: np.ndarray) -> np.ndarray:
        """(rows x classes) summed leaf values plus the baseline, as sklearn's `_raw_predict`."""
        x = np.asarray(x, dtype=np.float64)
        node = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        rows = np.arange(len(x))[:, None]
        while True:
            inner = ~self.leaf[node]
            if not inner.any():
                break
            value = x[rows, self.feature[node]]
            go_left = np.where(np.isnan(value), self.missing_left[node], value <= self.threshold[node])
            node = np.where(inner, np.where(go_left, self.left[node], self.right[node]), node)
        leaves = self.value[node]
        out = np.repeat(self.baseline, len(x), axis=0)
        for c in range(self.k):
            out[:, c] += leaves[:, self.klass == c].sum(axis=1)
        return out

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return self.loss.predict_proba(self.raw(x))
