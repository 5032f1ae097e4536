"""Normalising a draft before the rules and the classifier read it, with a map
back to the original text.

Obfuscation must not hide a problem: full-width and mathematical letters
(NFKC), combining accents, homoglyphs from other scripts, zero-width
characters, s p a c e d or d.o.t.t.e.d letters and leetspeak all fold to
plain letters. Every output character remembers the original span it came
from, so a finding on the normalised text slices the ORIGINAL draft.

Folding is conservative where identifiers live: pure numbers, IBANs, e-mail
addresses and @mentions are never leet-folded, so the exact detectors still
see them as written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Invisible characters that split words without showing: dropped.
# Direction marks and invisible operators too: the CLI hands a draft over
# with them (sanitize.clean_text), so that offsets slice the text as given.
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\u206a\u206b"
                      "\u206c\u206d\u206e\u206f\ufeff\u180e\u034f\u061c\u115f\u1160\u17b4\u17b5\u3164\uffa0")

# One-for-one replacements applied after NFKC.
_SPACE_LIKE = {c: " " for c in range(0x00, 0x20) if c not in (0x09, 0x0A, 0x0D)}
_SPACE_LIKE.update({c: " " for c in range(0x80, 0xA0)})
_SPACE_LIKE.update({c: " " for c in (0x7F, 0xFFFD, 0xFFFC, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
                                     0x2066, 0x2067, 0x2068, 0x2069)})
_SPACE_LIKE.update({0x0D: "\n", 0x2028: "\n", 0x2029: "\n"})
_PUNCT = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
}
# Letters of other scripts that look like Latin ones (Cyrillic, Greek, IPA).
HOMOGLYPHS = dict(zip(
    "аеорсухіјѕԁԛԝкмтнвьАВЕКМНОРСТХУІЈЅαοεικνρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧıɑɡʏℓɩ",
    "aeopcyxijsdqwkmthbbABEKMHOPCTXYIJSaoeikvptuxABEZHIKMNOPTYXiagyli",
))


def fold_accents(text: str) -> str:
    """Drop diacritics: "privé" → "prive", "geïrriteerd" → "geirriteerd"."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    code = ord(ch)
    if code in _SPACE_LIKE:
        return _SPACE_LIKE[code]
    if ch in _PUNCT:
        return _PUNCT[ch]
    if ch in HOMOGLYPHS:
        return HOMOGLYPHS[ch]
    if 0xD800 <= code < 0xE000:
        return " "  # a lone surrogate is not text
    out = unicodedata.normalize("NFKD", ch)
    out = "".join(c for c in out if not unicodedata.combining(c))
    out = "".join(_PUNCT.get(c, HOMOGLYPHS.get(c, c)) for c in out)
    if out in ("\u00a0", "\u2007", "\u2009", "\u200a", "\u202f", "\u3000") or (len(out) == 1 and out.isspace()
                                                                              and out not in "\n\t"):
        return " "
    return out


# s p a c e d, d.o.t.t.e.d or h-y-p-h-e-n-a-t-e-d letters: four or more single
# letters (or leet digits) joined by one separator.
_SPACED = re.compile(r"(?<![^\W_])(?<![@$€])(?:(?:[^\W_]|[@$€])[ .\-_*·•|/]){3,}(?:[^\W_]|[@$€])(?![^\W_])(?![@$€])")
_SPACED_SEP = re.compile(r"[ .\-_*·•|/]")
# A spaced sentence: single letters one space apart, words two or three
# spaces apart ("o p d r a c h t  4  i s  d e z e l f d e"). The short words
# in it ("i s", "d e") are under _SPACED's four letters, so it is read as a
# whole: each word joined, the gaps between words kept as one space.
_SPACED_PHRASE = re.compile(r"(?<![^\W_])(?:[^\W_] {1,3})+[^\W_](?![^\W_])")
_WORD_GAP = re.compile(r" {2,3}")

# Leetspeak inside a word: digits and symbols standing for letters.
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
        "@": "a", "$": "s", "|": "l", "€": "e"}
_LEET_CHUNK = re.compile(r"[A-Za-z0-9@$|€]+")
_IBAN_LIKE = re.compile(r"[A-Za-z]{2}\d{2}(?:[A-Za-z0-9]{8,})?$")   # whole, or its first group "NL91"


def _leet_fold(chunk: str, after: str) -> str | None:
    letters = sum(c.isalpha() for c in chunk)
    leet = sum(c in LEET for c in chunk)
    if letters < 2 or not leet or letters + leet < len(chunk) or re.search(r"\d{4}", chunk):
        return None  # a number, a code or a date, not a word
    if _IBAN_LIKE.match(chunk) or (chunk[0] in "sS" and chunk[1:].isdigit()):
        return None
    if "@" in chunk and (chunk[0] == "@" or after.startswith(".")):
        return None  # a mention or an e-mail address
    interior = any(c in LEET and 0 < i < len(chunk) - 1 and chunk[i - 1].isalpha() | (chunk[i - 1] in LEET)
                   and (chunk[i + 1].isalpha() or chunk[i + 1] in LEET) for i, c in enumerate(chunk))
    if not interior and leet < 2:
        return None  # "week5", "4you": a number next to a word, not leetspeak
    out = [LEET.get(c, c) if c in LEET else c for c in chunk]
    return "".join(out)


class Normalised:
    """The normalised text and, per output character, the original span [start, end)."""

    __slots__ = ("text", "starts", "ends", "identity")

    def __init__(self, original: str) -> None:
        if original.isascii() and not _needs_work_ascii(original):
            self.text, self.starts, self.ends, self.identity = original, None, None, True
            return
        chars: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for i, ch in enumerate(original):
            out = "" if ch in INVISIBLE else ch if (ch.isascii() and ch.isprintable() and ch != "`") \
                else _fold_char(ch)
            if not out:
                if ends:
                    ends[-1] = i + 1  # a dropped mark belongs to the letter before it
                continue
            for c in out:
                chars.append(c)
                starts.append(i)
                ends.append(i + 1)
        text = "".join(chars)
        text, starts, ends = _join_spaced(text, starts, ends)
        text = _fold_leet(text)
        self.text, self.starts, self.ends, self.identity = text, starts, ends, False

    def to_original(self, start: int, end: int, original_length: int) -> tuple[int, int]:
        if self.identity:
            return start, end
        if not self.starts:
            return 0, 0
        if end <= start:
            o = self.starts[start] if start < len(self.starts) else original_length
            return o, o
        start = min(start, len(self.starts) - 1)
        end = min(end, len(self.ends))
        return self.starts[start], self.ends[end - 1]


_ASCII_WORK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f`]|" + _SPACED.pattern + r"|[A-Za-z][0-9@$|][A-Za-z]|"
                         r"[A-Za-z]{2}[0-9@$|]|[0-9@$|][A-Za-z]{2}")


def _needs_work_ascii(text: str) -> bool:
    return bool(_ASCII_WORK.search(text))


def _join_spaced(text: str, starts: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
    if not _SPACED.search(text):
        return text, starts, ends
    keep = [True] * len(text)
    for m in _SPACED_PHRASE.finditer(text):
        phrase = m.group()
        if not _WORD_GAP.search(phrase) or not _SPACED.search(phrase):
            continue   # no gap between words, or no spaced word of four letters: left to the loop below
        for j in range(m.start(), m.end()):
            # a single space joins letters; a gap keeps its first space
            if text[j] == " " and (text[j - 1] != " " and text[j + 1] != " " or text[j - 1] == " "):
                keep[j] = False
    for m in _SPACED.finditer(text):
        run = m.group()
        if sum(c.isalpha() for c in run[::2]) < 2:
            continue
        for j in range(m.start(), m.end()):
            if _SPACED_SEP.fullmatch(text[j]) and (j - m.start()) % 2 == 1:
                keep[j] = False
    idx = [j for j, k in enumerate(keep) if k]
    if len(idx) == len(text):
        return text, starts, ends
    return "".join(text[j] for j in idx), [starts[j] for j in idx], [ends[j] for j in idx]


def _fold_leet(text: str) -> str:
    # One-for-one replacements only: the offset map stays valid.
    def repl(m: re.Match) -> str:
        folded = _leet_fold(m.group(), text[m.end():m.end() + 2])
        return folded if folded is not None else m.group()

    return _LEET_CHUNK.sub(repl, text)
