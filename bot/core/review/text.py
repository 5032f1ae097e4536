"""The draft as the rules see it: a normalised copy with a map back to the
original, its words, and its sentences.

Normalising (normalise.py) makes the rules robust without changing what they
report: NFKC, accents, homoglyphs, invisible characters, spaced letters and
leetspeak fold to plain text ("kut\u00adschool" is one word, "v3rtr0uw3l1jk"
is "vertrouwelijk"). Every match is mapped back, so a finding's offsets always slice the ORIGINAL
draft: draft[start:end] == excerpt.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property

from bot.core.review.normalise import Normalised

# Context windows never reach further than this from a match, so a draft
# without punctuation (one 40,000-character "sentence") stays cheap.
CONTEXT_CHARS = 300

# Letters-only words (digits and underscores split words).
_WORD = re.compile(r"[^\W\d_]+")
# A sentence ends at . ! ? … or a line break (the punctuation stays in it).
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n")


@dataclass
class Draft:
    original: str
    text: str = field(init=False)          # normalised; the rules match on this
    _map: Normalised = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._map = Normalised(self.original)
        self.text = self._map.text

    # ------------------------------------------------------------- offsets
    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text to the original draft."""
        return self._map.to_original(start, end, len(self.original))

    # ------------------------------------------------------------- words
    @cached_property
    def words(self) -> list[tuple[str, int, int]]:
        """(word, start, end) for every run of letters."""
        return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(self.text)]

    @cached_property
    def lower_words(self) -> list[str]:
        return [w.lower() for w, _, _ in self.words]

    # ------------------------------------------------------------- sentences
    @cached_property
    def _sentence_starts(self) -> list[int]:
        starts = [0]
        for m in _SENTENCE_END.finditer(self.text):
            starts.append(m.end())
        return starts

    def sentence_span(self, pos: int) -> tuple[int, int]:
        starts = self._sentence_starts
        i = bisect.bisect_right(starts, pos) - 1
        start = max(starts[i], pos - CONTEXT_CHARS)
        end = starts[i + 1] if i + 1 < len(starts) else len(self.text)
        return start, min(end, pos + CONTEXT_CHARS)

    def sentence(self, pos: int) -> str:
        s, e = self.sentence_span(pos)
        return self.text[s:e]

    def before(self, pos: int, limit: int = 60) -> str:
        """The text before pos within its sentence (at most `limit` chars)."""
        s, _ = self.sentence_span(pos)
        return self.text[max(s, pos - limit):pos]

    def after(self, pos: int, limit: int = 60) -> str:
        _, e = self.sentence_span(pos)
        return self.text[pos:min(e, pos + limit)]
