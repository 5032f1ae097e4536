"""Scoring the clearing model (bot/core/review/clearing.py) on its labelled
sentences (knowledge/review/clearing/<split>-*.yaml): dev by 5-fold
cross-validation (the model trained on the other folds), the locked test
split by the model of all dev sentences. Per kind: precision and recall of
the model's most likely kind; and how often a `none` sentence (most of them
lookalikes: consent only assumed, "not announced yet", "bron: mijn buurman")
is taken for a clearing element.

`python -m bot.evaluation.clearing_eval [--c C ...]` prints them."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from bot.core.review.clearing import KINDS, ClearingModel

FOLDS = 5


def score(predicted: Sequence[int], truth: Sequence[int]) -> dict:
    predicted, truth = np.asarray(predicted), np.asarray(truth)
    per_kind = {}
    for k, kind in enumerate(KINDS):
        tp = int(((predicted == k) & (truth == k)).sum())
        per_kind[kind] = {"expected": int((truth == k).sum()), "predicted": int((predicted == k).sum()),
                          "precision": round(tp / max(1, int((predicted == k).sum())), 3),
                          "recall": round(tp / max(1, int((truth == k).sum())), 3)}
    none = truth == 0
    return {"sentences": len(truth), "accuracy": round(float((predicted == truth).mean()), 3),
            "macro_f1": round(float(np.mean([_f1(v) for v in per_kind.values()])), 3),
            "none_taken_for_clearing": int((predicted[none] != 0).sum()), "none": int(none.sum()),
            "clearing_missed": int((predicted[~none] == 0).sum()), "clearing": int((~none).sum()),
            "per_kind": per_kind}


def _f1(v: dict) -> float:
    p, r = v["precision"], v["recall"]
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(dev_vectors: np.ndarray, dev_kinds: Sequence[str], ids: Sequence[str],
             test_vectors: np.ndarray | None = None, test_kinds: Sequence[str] = (), c: float = 32.0) -> dict:
    from bot.core.review.semantic import _folds

    y = np.array([KINDS.index(k) for k in dev_kinds])
    oof = np.zeros(len(y), dtype=int)
    for held in _folds(np.array(ids), FOLDS, "clearing"):
        model = ClearingModel(c).fit(dev_vectors[~held], [KINDS[i] for i in y[~held]])
        oof[held] = model.proba(dev_vectors[held]).argmax(axis=1)
    out = {"c": c, "dev_cv": score(oof, y)}
    if test_vectors is not None and len(test_kinds):
        model = ClearingModel(c).fit(dev_vectors, list(dev_kinds))
        out["test"] = score(model.proba(test_vectors).argmax(axis=1), [KINDS.index(k) for k in test_kinds])
    return out


if __name__ == "__main__":  # pragma: no cover - a measuring tool
    import json
    import sys

    from bot.infra.embedders import make_embeddings
    from bot.infra.review_model import read_clearing
    from bot.infra.vector_cache import CachedVectors
    from bot.settings import Settings

    settings = Settings()
    vectors = CachedVectors(make_embeddings(settings.embedding_model, settings.embedding_threads,
                                            settings.embedding_cache_dir), settings.cache_dir)
    dev, test = read_clearing(settings.knowledge_dir, "dev"), read_clearing(settings.knowledge_dir, "test")
    dev_x = np.asarray(vectors([s.text for s in dev]), dtype=np.float32)
    test_x = np.asarray(vectors([s.text for s in test]), dtype=np.float32) if test else None
    # --dev-only: the cross-validation alone (for choosing C; the test split is never read)
    if "--dev-only" in sys.argv:
        test_x, test = None, []
    cs = [float(sys.argv[i + 1]) for i, a in enumerate(sys.argv) if a == "--c"] or [32.0]
    for c in cs:
        print(json.dumps(evaluate(dev_x, [s.kind for s in dev], [s.id for s in dev], test_x,
                                  [s.kind for s in test], c), indent=1))
