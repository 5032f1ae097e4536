"""bot/core/review/ngrams.py: at review time the n-gram scores are computed
without sklearn's vectorisers, each word hashed once per review. They must be
the features training used (sklearn's HashingVectorizers, semantic._hashers),
or the stage-1 and whole-post scores would drift from the fitted weights.
Checked on the dev bank's drafts and their segments, and on awkward text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.core.review.ngrams import BUCKETS, Ngrams, scores
from bot.core.review.segments import segments
from bot.core.review.semantic import _hashers, ngram_features
from bot.core.review.text import Draft
from bot.infra.review_model import read_bank

REPO = Path(__file__).resolve().parent.parent

AWKWARD = ["", "   ", "a", "Ik", "I", "x y", "Ｈｉ　there", "tab\tand\nnew  lines   ", "😀🎉 emoji only",
           "MT-overleg: 'vertrouwelijk'!!!", "naïve café coördinator ÉÉN", "a" * 300, "e-mail: jan@uni.nl 06-12345678",
           "s1234567 NL91ABNA0417164300", "İstanbul ǅ ß ﬁ", "ends with space ", "word word word word"]


@pytest.fixture(scope="module")
def texts():
    bank = [d for _, d in read_bank(REPO / "knowledge")]
    rng = np.random.default_rng(0)
    picked = [bank[i] for i in rng.choice(len(bank), 250, replace=False)]
    posts = [Draft(d.text).text for d in picked]
    segs = [s.text for p in posts[:120] for s in segments(p)]
    return AWKWARD + posts + segs


def test_rows_are_sklearns_rows(texts):
    expected = ngram_features(texts, _hashers())
    assert expected.shape[1] == 2 * BUCKETS
    grams = Ngrams()
    for i, text in enumerate(texts):
        columns, values = grams.row(text)
        row = expected.getrow(i)
        assert sorted(columns.tolist()) == sorted(row.indices.tolist()), text
        want = dict(zip(row.indices.tolist(), row.data.tolist()))
        assert np.allclose(values, [want[c] for c in columns], rtol=0, atol=1e-12), text


def test_scores_are_the_sparse_product(texts):
    rng = np.random.default_rng(1)
    weights = rng.normal(0, 1, size=(2 * BUCKETS, 11)).astype(np.float32)
    bias = rng.normal(0, 1, size=11).astype(np.float32)
    expected = np.asarray(ngram_features(texts, _hashers()) @ weights, dtype=np.float32) + bias
    grams = Ngrams()
    got = scores([grams.row(t) for t in texts], weights, bias)
    assert got.dtype == np.float32 and got.shape == expected.shape
    assert np.allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_words_remembered_within_a_review_give_the_same_rows(texts):
    shared = Ngrams()
    for text in texts[:200]:
        columns, values = shared.row(text)
        fresh_columns, fresh_values = Ngrams().row(text)
        assert columns.tolist() == fresh_columns.tolist() and values.tolist() == fresh_values.tolist()
