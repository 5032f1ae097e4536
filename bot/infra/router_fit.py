"""Fitting the router on the question bank's dev split (scikit-learn).

- Vectors of bank questions are cached per text by content hash and
  embedder, so a second ingest embeds nothing and an edited bank embeds only
  what changed.
- The regularisation strength and the temperature are chosen on
  out-of-fold predictions (stratified k-fold on dev), and so is the
  abstention threshold: the highest one that keeps in-scope dev questions
  from abstaining (at most `max_false_abstention` of them).
- The fitted arrays are saved next to the store, keyed by a fingerprint of
  the bank, the embedder and this module's version, and loaded at start-up.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import replace
from pathlib import Path
from typing import Sequence

import numpy as np

from bot.core.routing import OUT_OF_SCOPE, RouterModel, RouterPolicy, SubwordHead
from bot.infra.atomic import write_atomically
from bot.question_bank import BankQuestion, bank_fingerprint

log = logging.getLogger(__name__)

FIT_VERSION = "router-1"
C_GRID = (0.5, 1.0, 2.0)
FOLDS = 5


# --------------------------------------------------------------------------- vectors

def _key(embedder: str, text: str) -> str:
    return hashlib.sha256(f"{embedder}\x00query\x00{text}".encode("utf-8")).hexdigest()[:24]


def query_vectors(texts: Sequence[str], embeddings, cache_dir: Path | None,
                  progress=None) -> np.ndarray:
    """Query vectors for `texts`, embedding only those not cached yet."""
    from bot.infra.embedders import embedder_id

    name = embedder_id(embeddings)   # vectors of two embedders never meet
    keys = [_key(name, t) for t in texts]
    cache: dict[str, np.ndarray] = {}
    path = cache_dir / f"query-vectors-{hashlib.sha256(name.encode()).hexdigest()[:12]}.npz" if cache_dir else None
    if path and path.exists():
        try:
            with np.load(path) as data:
                # Read once: each data["vectors"] reads the whole array from the
                # archive again (1,700 keys took ~6 s of CPU).
                vectors = data["vectors"]
                cache = dict(zip(data["keys"].tolist(), vectors))
        except (OSError, ValueError, KeyError):
            cache = {}  # a torn or foreign file: embed again
    missing = [(k, t) for k, t in dict(zip(keys, texts)).items() if k not in cache]
    for n, (k, t) in enumerate(missing):
        cache[k] = np.asarray(embeddings.embed_query(t), dtype=np.float32)
        if progress:
            progress(n + 1, len(missing))
    if missing and path:
        ordered = sorted(cache)
        # a read-only cache only costs embedding time
        write_atomically(path, lambda tmp: np.savez(tmp, keys=np.asarray(ordered),
                                                    vectors=np.stack([cache[k] for k in ordered])))
    return np.stack([cache[k] for k in keys]) if keys else np.zeros((0, 0), dtype=np.float32)


# --------------------------------------------------------------------------- fitting

def _fit(X: np.ndarray, y: np.ndarray, C: float):
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    # tol 1e-3: the probabilities do not move in the third decimal beyond it.
    model = LogisticRegression(C=C, max_iter=500, tol=1e-3)
    # One BLAS thread even when numpy was loaded before bot/__init__ set it:
    # 4x less wall time on two busy cores.
    with threadpool_limits(limits=1, user_api="blas"):
        model.fit(X, y)
    return model


def _folds(y: np.ndarray, folds: int):
    from sklearn.model_selection import StratifiedKFold

    counts = np.bincount(y)
    k = max(2, min(folds, int(counts[counts > 0].min())))
    return StratifiedKFold(n_splits=k, shuffle=True, random_state=0).split(np.zeros(len(y)), y)


def out_of_fold_logits(X: np.ndarray, y: np.ndarray, C: float, classes: int, folds: int = FOLDS,
                       extra: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Logits for every row from a model that never saw it (`extra` rows
    are always trained on)."""
    out = np.full((len(y), classes), -1e4, dtype=np.float64)
    ex, ey = extra if extra is not None else (X[:0], y[:0])
    for train, held in _folds(y, folds):
        model = _fit(np.vstack([X[train], ex]), np.concatenate([y[train], ey]), C)
        out[np.ix_(held, model.classes_)] = model.decision_function(X[held])
    return out


SUBWORD_C = 8.0
SUBWORD_TERMS = 20_000
MIX_GRID = (0.0, 0.2, 0.35, 0.5)


def _subword_vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from bot.core.subwords import char_ngrams

    # The core's analyser, so applying the head sees exactly what fitting saw.
    # The 20,000 most frequent n-grams keep fitting to seconds on 2 cores.
    return TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, min_df=2, max_features=SUBWORD_TERMS,
                           norm="l2", dtype=np.float64)


def out_of_fold_subword_logits(texts: Sequence[str], y: np.ndarray, classes: int,
                               extra: tuple[Sequence[str], np.ndarray]) -> np.ndarray:
    out = np.full((len(y), classes), -1e4, dtype=np.float64)
    extra_texts, extra_y = extra
    for train, held in _folds(y, FOLDS):
        vectorizer = _subword_vectorizer()
        X = vectorizer.fit_transform([texts[i] for i in train] + list(extra_texts))
        model = _fit(X, np.concatenate([y[train], extra_y]), SUBWORD_C)
        out[np.ix_(held, model.classes_)] = model.decision_function(vectorizer.transform([texts[i] for i in held]))
    return out


def fit_subword_head(texts: Sequence[str], y: np.ndarray, classes: int, temperature: float) -> SubwordHead:
    vectorizer = _subword_vectorizer()
    X = vectorizer.fit_transform(texts)
    model = _fit(X, y, SUBWORD_C)
    W = np.zeros((classes, X.shape[1]), dtype=np.float32)
    b = np.full(classes, -1e4, dtype=np.float32)
    W[model.classes_] = model.coef_
    b[model.classes_] = model.intercept_
    vocabulary = {gram: int(j) for gram, j in vectorizer.vocabulary_.items()}
    return SubwordHead(vocabulary, vectorizer.idf_.astype(np.float32), W, b, temperature)


def _log_softmax_rows(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def _mixed(logits, temperature, sub_logits, sub_temperature, weight) -> np.ndarray:
    log_p = (1 - weight) * _log_softmax_rows(logits, temperature) + weight * _log_softmax_rows(sub_logits, sub_temperature)
    p = np.exp(log_p - log_p.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def _nll_mixed(logits, temperature, sub_logits, sub_temperature, y, weight) -> float:
    p = _mixed(logits, temperature, sub_logits, sub_temperature, weight)
    return float(-np.mean(np.log(p[np.arange(len(y)), y] + 1e-12)))


def _softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def _nll(logits: np.ndarray, y: np.ndarray, temperature: float) -> float:
    p = _softmax(logits, temperature)
    return float(-np.mean(np.log(p[np.arange(len(y)), y] + 1e-12)))


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    grid = np.exp(np.linspace(np.log(0.2), np.log(5.0), 60))
    return float(min(grid, key=lambda t: _nll(logits, y, t)))


def abstain_threshold(p_in: np.ndarray, is_in: np.ndarray, max_false_abstention: float) -> float:
    """The highest threshold under which at most the allowed share of
    in-scope questions fall."""
    inside = np.sort(p_in[is_in])
    if not len(inside):
        return 0.5
    allowed = int(np.floor(max_false_abstention * len(inside)))
    # Just under the (allowed+1)-th lowest in-scope probability.
    return float(max(0.05, min(0.95, inside[allowed] - 1e-6)))


def fit_router(questions: Sequence[BankQuestion], vectors: np.ndarray, embedder: str,
               policy: RouterPolicy = RouterPolicy(), max_false_abstention: float = 0.01,
               report: dict | None = None, described: Sequence[str] = (),
               description_vectors: np.ndarray | None = None, fingerprint: str = "",
               described_texts: Sequence[str] = ()) -> RouterModel:
    """`described`: a guideline key per row of `description_vectors` (the
    guideline's own words, summaries and quiz scenarios). They always join
    the training folds; only bank questions are held out and scored."""
    labels = sorted({q.guideline for q in questions})
    index = {label: i for i, label in enumerate(labels)}
    y = np.asarray([index[q.guideline] for q in questions])
    X = np.asarray(vectors, dtype=np.float64)
    keep = [i for i, g in enumerate(described) if g in index]
    described_texts = [described_texts[i] for i in keep] if described_texts else []
    extra_X = np.asarray(description_vectors, dtype=np.float64)[keep] if keep else np.zeros((0, X.shape[1]))
    extra_y = np.asarray([index[described[i]] for i in keep], dtype=int)
    everything = np.vstack([X, extra_X])
    mean = everything.mean(axis=0)
    scale = everything.std(axis=0) + 1e-6
    Z = (X - mean) / scale
    extra_Z = (extra_X - mean) / scale

    best = None
    for C in C_GRID:
        logits = out_of_fold_logits(Z, y, C, len(labels), extra=(extra_Z, extra_y))
        temperature = fit_temperature(logits, y)
        loss = _nll(logits, y, temperature)
        if best is None or loss < best[0]:
            best = (loss, C, temperature, logits)
    loss, C, temperature, logits = best

    texts = [q.text for q in questions]
    extra_texts = list(described_texts)
    sub_logits = out_of_fold_subword_logits(texts, y, len(labels), (extra_texts, extra_y))
    sub_temperature = fit_temperature(sub_logits, y)
    mix = min(MIX_GRID, key=lambda w: _nll_mixed(logits, temperature, sub_logits, sub_temperature, y, w))
    probs = _mixed(logits, temperature, sub_logits, sub_temperature, mix)
    oos = index.get(OUT_OF_SCOPE)
    p_in = 1.0 - probs[:, oos] if oos is not None else np.ones(len(y))
    is_in = y != oos if oos is not None else np.ones(len(y), bool)
    threshold = abstain_threshold(p_in, is_in, max_false_abstention)
    if report is not None:
        report.update(C=C, temperature=round(temperature, 3), oof_nll=round(loss, 4), subword_weight=mix,
                      abstain_below=round(threshold, 4),
                      oof_oos_abstention=float(np.mean(p_in[~is_in] < threshold)) if (~is_in).any() else None,
                      oof_in_scope_abstention=float(np.mean(p_in[is_in] < threshold)))

    model = _fit(np.vstack([Z, extra_Z]), np.concatenate([y, extra_y]), C)
    W = np.zeros((len(labels), X.shape[1]))
    b = np.zeros(len(labels))
    coef = model.coef_ if len(labels) > 2 else np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
    icpt = model.intercept_ if len(labels) > 2 else np.array([-model.intercept_[0] / 2, model.intercept_[0] / 2])
    W[model.classes_] = coef / scale          # fold the standardisation into the weights
    b[model.classes_] = icpt - (coef / scale) @ mean
    subwords = fit_subword_head(texts + extra_texts, np.concatenate([y, extra_y]), len(labels), sub_temperature)
    return RouterModel(tuple(labels), W.astype(np.float32), b.astype(np.float32), temperature, embedder,
                       fingerprint, replace(policy, abstain_below=threshold), subwords, mix)


def router_fingerprint(questions: Sequence[BankQuestion], descriptions: Sequence[tuple[str, str]],
                       embedder: str, policy: RouterPolicy) -> str:
    """What a fit depends on: the bank, the guidelines' own words, the embedder, this code."""
    return bank_fingerprint(questions, embedder, FIT_VERSION, json.dumps(policy.__dict__),
                            *(f"{key}\x00{text}" for text, key in descriptions))


# --------------------------------------------------------------------------- persistence

def save_router(model: RouterModel, path: Path) -> bool:
    """False when the cache cannot be written (the router is fitted again at the next start)."""
    sub = model.subwords
    extra = {}
    if sub is not None:
        terms = sorted(sub.vocabulary, key=sub.vocabulary.get)
        extra = dict(sub_terms=np.asarray(terms), sub_idf=sub.idf, sub_weights=sub.weights, sub_bias=sub.bias)
    meta = json.dumps({"temperature": model.temperature, "embedder": model.embedder,
                       "fingerprint": model.fingerprint, "policy": model.policy.__dict__,
                       "subword_weight": model.subword_weight,
                       "subword_temperature": sub.temperature if sub else None})
    return write_atomically(path, lambda tmp: np.savez(tmp, labels=np.asarray(model.labels), weights=model.weights,
                                                       bias=model.bias, **extra, meta=np.asarray(meta)))


def load_router(path: Path) -> RouterModel | None:
    try:
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            subwords = None
            if "sub_terms" in data.files:
                vocabulary = {term: j for j, term in enumerate(data["sub_terms"].tolist())}
                subwords = SubwordHead(vocabulary, data["sub_idf"], data["sub_weights"], data["sub_bias"],
                                       float(meta["subword_temperature"]))
            return RouterModel(tuple(data["labels"].tolist()), data["weights"], data["bias"],
                               float(meta["temperature"]), meta["embedder"], meta["fingerprint"],
                               RouterPolicy(**meta["policy"]), subwords, float(meta.get("subword_weight", 0.0)))
    except (OSError, ValueError, KeyError, TypeError):
        return None
