"""The draft as the rules see it: a normalised copy with a map back to the
original, its words, and its sentences.

Normalising makes the rules robust without changing what they report: curly
quotes become straight ones, odd spaces and dashes plain ones, control and
replacement characters spaces (one for one), and invisible characters such as
soft hyphens and zero-width spaces are dropped ("kut\u00adschool" is one word).
Every match is mapped back, so a finding's offsets always slice the ORIGINAL
draft: draft[start:end] == excerpt.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property

# Invisible characters that split words without showing: dropped.
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e")
_INVISIBLE_RE = re.compile("[" + "".join(sorted(_INVISIBLE)) + "]")

# One-for-one replacements: offsets do not move.
_TABLE = {c: " " for c in range(0x00, 0x20) if c not in (0x09, 0x0A, 0x0D)}
_TABLE.update({
    0x0D: "\n", 0x7F: " ", 0xFFFD: " ", 0xFFFC: " ",
    0x00A0: " ", 0x2007: " ", 0x2009: " ", 0x200A: " ", 0x202F: " ", 0x3000: " ",
    0x2028: "\n", 0x2029: "\n",
    0x2018: "'", 0x2019: "'", 0x201A: "'", 0x201B: "'", 0x2032: "'", 0x00B4: "'", 0x0060: "'",
    0x201C: '"', 0x201D: '"', 0x201E: '"', 0x201F: '"', 0x00AB: '"', 0x00BB: '"',
    0x2010: "-", 0x2011: "-", 0x2012: "-", 0x2013: "-", 0x2014: "-", 0x2212: "-",
    0xFF01: "!",
})
_TABLE.update({c: " " for c in range(0x80, 0xA0)})  # C1 controls
_TABLE.update({c: " " for c in range(0xD800, 0xE000)})  # lone surrogates (not text)
_TABLE.update({c: " " for c in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069)})  # bidi controls

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
    _keep: list[int] | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        src = self.original
        if _INVISIBLE_RE.search(src):
            keep = [i for i, ch in enumerate(src) if ch not in _INVISIBLE]
            self._keep = keep
            src = "".join(src[i] for i in keep)
        self.text = src.translate(_TABLE)

    # ------------------------------------------------------------- offsets
    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text to the original draft."""
        if self._keep is None:
            return start, end
        if end <= start:
            o = self._keep[start] if start < len(self._keep) else len(self.original)
            return o, o
        return self._keep[start], self._keep[end - 1] + 1

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
