"""Stage 2 as a small network: one hidden ReLU layer over the dense stage-2
features, one sigmoid output per rule, trained in numpy (no torch at
review time, and none needed to train).

Why a network: the features are per-rule evidence from several sources
(n-gram scores, neighbours, cues, the post's context) and a rule often
shows in a combination a linear model cannot weigh (a pay scale is
confidential next to a colleague's name, not next to a vacancy). On the
dev split, out of fold by draft, per-rule draft AP rose 0.842 -> 0.862 over
the logistic model it replaced, on the same features.

Training is mini-batch Adam with dropout and L2 on class-balanced weights
(`balanced_weights`), from a fixed seed, so the same bank gives the same
model."""

from __future__ import annotations

import numpy as np


def balanced_weights(y: np.ndarray, sample_weight: np.ndarray | None = None) -> np.ndarray:
    """Per cell (segment x rule): each class carries half the mass of its
    rule; the sample weights shift emphasis within a class (hard negatives
    count more) without moving mass between classes."""
    n = len(y)
    pos = y.sum(axis=0)
    w_pos = np.where(pos > 0, n / (2.0 * np.maximum(pos, 1)), 0.0)
    w_neg = n / (2.0 * np.maximum(n - pos, 1))
    if sample_weight is None:
        return np.asarray(y * w_pos + (1 - y) * w_neg, dtype=np.float32)
    sw = np.asarray(sample_weight, dtype=np.float64)[:, None]
    pos_mass = np.maximum((y * sw).sum(axis=0), 1e-9) / np.maximum(pos, 1)
    neg_mass = np.maximum(((1 - y) * sw).sum(axis=0), 1e-9) / np.maximum(n - pos, 1)
    return np.asarray(y * w_pos * sw / pos_mass + (1 - y) * w_neg * sw / neg_mass, dtype=np.float32)


class _Adam:
    """Adam over a list of arrays, updated in place; decoupled from the
    loss so the network's backward pass stays readable."""

    def __init__(self, params: list[np.ndarray], rate: float) -> None:
        self.params, self.rate, self.t = params, rate, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads: list[np.ndarray]) -> None:
        self.t += 1
        scale = self.rate * np.sqrt(1 - 0.999 ** self.t) / (1 - 0.9 ** self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            p -= scale * m / (np.sqrt(v) + 1e-8)


class DenseNetwork:
    """Rules' probabilities from the dense stage-2 features through one
    hidden layer. Defaults chosen by 5-fold CV on the dev split (see
    bench/HISTORY.md, "Stage 2 as a network"). On the 6,425-draft bank, out of fold,
    per-rule draft AP was 0.872 at 30 epochs, 0.881 at 80 and 0.881 at 50
    epochs with L2 3e-4 (sem-v21 took 80). On round 11's 6,945 drafts, the
    post-level head on 50 epochs with L2 3e-4 (sem-v23) scored as 80 epochs
    did within the head's noise (weighted verdict count 40,367 against
    40,397; 74 against 78 of 2,621 clean drafts alarmed), and the whole
    training takes 260 s instead of 322 s, idle."""

    def __init__(self, hidden: int = 128, l2: float = 3e-4, dropout: float = 0.2, epochs: int = 50,
                 batch: int = 512, rate: float = 1e-3, seed: int = 0, min_steps: int = 1000) -> None:
        self.hidden, self.l2, self.dropout, self.epochs, self.min_steps = hidden, l2, dropout, epochs, min_steps
        self.batch, self.rate, self.seed = batch, rate, seed

    def fit(self, x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> "DenseNetwork":
        x = np.asarray(x, dtype=np.float32)
        y = np.asarray(y, dtype=np.float32)
        n, d = x.shape
        r = y.shape[1]
        self.mean = x.mean(axis=0)
        self.scale = x.std(axis=0) + 1e-6
        z = (x - self.mean) / self.scale
        cell_weight = balanced_weights(y, sample_weight)
        pos = y.sum(axis=0)
        self.active = (pos >= 2) & (pos < n)
        rng = np.random.default_rng(self.seed)
        # PyTorch's Linear initialisation: uniform in +-1/sqrt(fan_in)
        self.w1 = rng.uniform(-1, 1, (d, self.hidden)).astype(np.float32) / np.sqrt(d)
        self.b1 = rng.uniform(-1, 1, self.hidden).astype(np.float32) / np.sqrt(d)
        self.w2 = rng.uniform(-1, 1, (self.hidden, r)).astype(np.float32) / np.sqrt(self.hidden)
        self.b2 = rng.uniform(-1, 1, r).astype(np.float32) / np.sqrt(self.hidden)
        params = [self.w1, self.b1, self.w2, self.b2]
        adam = _Adam(params, self.rate)
        keep = 1.0 - self.dropout
        # a small bank (a test's, a new institution's) has few batches per
        # epoch: it gets more epochs, so every bank sees enough updates
        batches = -(-n // self.batch)
        for _ in range(max(self.epochs, -(-self.min_steps // batches))):
            order = rng.permutation(n)
            for lo in range(0, n, self.batch):
                rows = order[lo:lo + self.batch]
                zb, yb, wb = z[rows], y[rows], cell_weight[rows]
                # inverted dropout on the input and on the hidden layer
                m0 = (rng.random(zb.shape, dtype=np.float32) < keep) / np.float32(keep)
                a0 = zb * m0
                h = a0 @ self.w1 + self.b1
                relu = h > 0
                m1 = (rng.random(h.shape, dtype=np.float32) < keep) / np.float32(keep)
                a1 = np.where(relu, h, 0) * m1
                p = 1.0 / (1.0 + np.exp(-(a1 @ self.w2 + self.b2)))
                # d(mean weighted BCE)/d(logit), the mean over every cell
                g2 = wb * (p - yb) / np.float32(yb.size)
                g1 = (g2 @ self.w2.T) * m1 * relu
                grads = [a0.T @ g1 + self.l2 * self.w1, g1.sum(axis=0) + self.l2 * self.b1,
                         a1.T @ g2 + self.l2 * self.w2, g2.sum(axis=0) + self.l2 * self.b2]
                adam.step(grads)
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        z = (np.asarray(x, dtype=np.float32) - self.mean) / self.scale
        h = np.maximum(z @ self.w1 + self.b1, 0)
        p = 1.0 / (1.0 + np.exp(-(h @ self.w2 + self.b2)))
        return np.where(self.active, p, 0.0)
