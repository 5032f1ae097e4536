"""The issue's ten obfuscation tricks and the confidential and offensive
sentences of our own they are tried on (issue 12): shared by the
pattern-only test (test_review_normalise.py) and the real-model one
(test_review_semantic_model.py)."""

from __future__ import annotations

CYRILLIC = str.maketrans("aeopcxiAEOPCXI", "аеорсхіАЕОРСХІ")
FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"}
BOLD = {c: chr(0x1D41A + ord(c) - ord("a")) for c in "abcdefghijklmnopqrstuvwxyz"}
LEET = str.maketrans("aeiost", "4310$7")


def homoglyphs(w): return w.translate(CYRILLIC)
def spaced(w): return " ".join(w)
def leetspeak(w): return w.translate(LEET)
def fullwidth(w): return "".join(FULLWIDTH.get(c, c) for c in w)
def combining(w): return "".join(c + "\u0301" if c in "aeiou" else c + "\u0308" for c in w)
def zero_width(w): return "\u200b".join(w)
def dotted(w): return ".".join(w)
def math_bold(w): return "".join(BOLD.get(c, c) for c in w)
def soft_hyphen_mixed_case(w): return "\u00ad".join(c.upper() if i % 2 else c for i, c in enumerate(w))
def hyphen_leet(w): return "-".join(w.translate(LEET))


TRICKS = [homoglyphs, spaced, leetspeak, fullwidth, combining, zero_width, dotted, math_bold,
          soft_hyphen_mixed_case, hyphen_leet]

# (rule, template with {w}, the word to obfuscate)
CASES = [
    ("confidential", "Let op, dit is {w}: de afdeling gaat per 1 januari dicht, nog niks zeggen hoor", "vertrouwelijk"),
    ("confidential", "Sharing this with you all, strictly {w}: the board wants to cut the programme", "confidential"),
    ("offensive", "Die nieuwe teamleider is echt een {w}, ik trek het niet meer", "klootzak"),
    ("offensive", "honestly our dean is such an {w}, can't believe it", "asshole"),
]
