"""Scoring a draft with the trained semantic model (semantic.py), in three
steps so a review can keep both cores busy:

1. `SemanticLayer.start(draft)`: segments and stage 1; the segments stage 1
   alone would embed start embedding on another thread (prefetch.py);
2. `Assessment.embed(cue_hits)`: with the patterns' cues, the segments the
   review embeds (choose_segments) and their vectors;
3. `Assessment.finish()`: stage 2, severities and the post-level head's call.

The result is the same as scoring in one go: only when the work is done changes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from bot.core.review.ngrams import Ngrams
from bot.core.review.operating_point import threshold_levels
from bot.core.review.post_level import PostCall, high_share, post_features
from bot.core.review.prefetch import Embed, Prefetch
from bot.core.review.segments import Segment, segments
from bot.core.review.semantic import (EMBED_BUDGET_CHARS, EXACT_SEVERITY, SemanticHit, SemanticModel,
                                      choose_segments, cue_features, pattern_levels, with_neighbours)
from bot.core.review.text import Draft

PREFETCH_THREADS = 2


class SemanticLayer:
    def __init__(self, model: SemanticModel, embed: Embed, budget_chars: int = EMBED_BUDGET_CHARS) -> None:
        self.model = model
        self.embed = embed
        self.budget_chars = budget_chars
        # per rule: its labelled spans' vectors, and which of them are `high` (the head's evidence)
        self._high = {rule: (vectors, np.array([s == "high" for s in severities], dtype=bool))
                      for rule, (vectors, severities) in model.memory.items()}
        # Two: a review's prefetch may still finish its last segment while the next review's starts.
        self._prefetcher = ThreadPoolExecutor(PREFETCH_THREADS, thread_name_prefix="review-prefetch")

    def hits(self, draft: Draft, cue_hits) -> list[SemanticHit]:
        return self.assess(draft, cue_hits)[0]

    def assess(self, draft: Draft, cue_hits) -> tuple[list[SemanticHit], PostCall | None]:
        """The classifier's hits, and the post-level head's call on the whole
        post (None without a head)."""
        assessment = self.start(draft)
        assessment.embed(cue_hits)
        return assessment.finish()

    def start(self, draft: Draft) -> Assessment:
        return Assessment(self, draft)


class Assessment:
    """One draft's scoring, started (see the module's docstring)."""

    def __init__(self, layer: SemanticLayer, draft: Draft) -> None:
        self.layer, self.model, self.draft = layer, layer.model, draft
        self.segs: list[Segment] = segments(draft.text)
        self.lengths = [len(s.text) for s in self.segs]
        self.grams = Ngrams()
        self.chosen: list[int] = []
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        self._prefetch: Prefetch | None = None
        if not self.segs:
            return
        self.logits, self.clean_signal = self.model.segment_scores([s.text for s in self.segs], self.grams)
        r = len(self.model.rule_ids)
        # What the review would embed if no pattern fired, likeliest first.
        ahead = choose_segments(self.lengths, self.logits, np.zeros((len(self.segs), 2 * r)), r,
                                layer.budget_chars)
        ahead.sort(key=lambda i: -float(self.logits[i].max()))
        self._prefetch = Prefetch(layer.embed, [s.text for s in self.segs], ahead, layer._prefetcher)

    def embed(self, cue_hits) -> None:
        """Choose the segments to embed, now that the patterns' hits are known, and get their vectors."""
        self.cue_hits = cue_hits
        if not self.segs:
            return
        m = self.model
        self.cues = cue_features(self.draft, self.segs, cue_hits, m.rule_ids, m.institutions)
        self.chosen = choose_segments(self.lengths, self.logits, self.cues, len(m.rule_ids),
                                      self.layer.budget_chars)
        self.vectors = self._prefetch.take(self.chosen)

    def finish(self) -> tuple[list[SemanticHit], PostCall | None]:
        if not self.chosen:
            return [], None
        m, segs, chosen, cues, vectors = self.model, self.segs, self.chosen, self.cues, self.vectors
        post = m.post_logits(self.draft.text, self.grams)
        proba = m.stage2_proba(vectors, with_neighbours(self.logits)[chosen], cues[chosen], post)
        call = self._call(proba, post)
        out = []
        for row, i in enumerate(chosen):
            for j, rule in enumerate(m.rule_ids):
                p = float(proba[row, j])
                if p < m.clear[j] and cues[i, len(m.rule_ids) + j] and rule not in EXACT_SEVERITY:
                    seg = segs[i]
                    out.append(SemanticHit(rule, "low", seg.start, seg.end, round(p, 3), clear=True))
                elif p >= m.thresholds[j]:
                    seg = segs[i]
                    severity = m.severity(rule, vectors[row]) if p >= m.severe[j] else "low"
                    out.append(SemanticHit(rule, severity, seg.start, seg.end, round(p, 3)))
        return out, call

    def _call(self, proba, post) -> PostCall | None:
        m, segs, chosen, vectors = self.model, self.segs, self.chosen, self.vectors
        if m.head is None:
            return None
        r = len(m.rule_ids)
        draft_max = proba.max(axis=0)
        fired_max = np.where(self.cues[chosen, r:2 * r] > 0, proba, -1.0).max(axis=0)
        best = proba.argmax(axis=0)
        high = np.zeros(r, dtype=np.float32)
        for j, rule in enumerate(m.rule_ids):
            if rule in self.layer._high:
                high[j] = high_share(vectors[best[j]][None, :], *self.layer._high[rule])[0]
        level = threshold_levels(draft_max, fired_max, m.severe, m.clear, m.rank)
        x = post_features(draft_max[None, :], self.logits.max(axis=0)[None, :], post,
                          pattern_levels(self.cue_hits, m.rule_ids)[None, :], high[None, :], np.array([level]),
                          np.array([float(self.clean_signal.max())]), self._clearing(), self._topic())
        order = tuple(m.rule_ids[j] for j in np.argsort(-draft_max, kind="stable"))
        spans = {rule: (segs[chosen[best[j]]].start, segs[chosen[best[j]]].end, round(float(draft_max[j]), 3))
                 for j, rule in enumerate(m.rule_ids)}
        return PostCall(int(m.head.predict(x)[0]), order, spans)

    def _topic(self) -> np.ndarray | None:
        """Where the post sits among the bank's posts (post_level.PostTopic; None: a head without it)."""
        topic = getattr(self.model.head, "topic", None)
        return None if topic is None else topic(self.vectors.mean(axis=0, keepdims=True))

    def _clearing(self) -> np.ndarray | None:
        """Per kind of clearing element, the highest score of the embedded segments (None: no clearing model)."""
        clearing = getattr(self.model, "clearing", None)
        return None if clearing is None else clearing.scores(self.vectors).max(axis=0, keepdims=True)
