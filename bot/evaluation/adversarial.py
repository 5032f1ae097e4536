"""Drafts built to make the review slow: 40,000 characters (the longest a
draft may be) of what defeats tokenisers, sentence splitters and patterns.
`socialpolicy bench` times each (issue 12's target: every one under 1 s).
Deterministic, so runs compare."""

from __future__ import annotations

from typing import Callable

LENGTH = 40_000
SENTENCE = "Vertrouwelijk: de afdeling gaat dicht en niemand mag het weten. "
WORDS = ("vertrouwelijk", "reorganisatie", "salaris", "tentamen", "idioten", "collega", "afdeling",
         "confidential", "students", "exam", "layoffs", "stupid")
HOMOGLYPHS = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "i": "і"})  # Cyrillic
LEET = str.maketrans({"e": "3", "i": "1", "o": "0", "a": "4", "t": "7"})
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def _fill(unit: str) -> str:
    return (unit * (LENGTH // max(1, len(unit)) + 1))[:LENGTH]


def repeated_sentence() -> str:
    return _fill(SENTENCE)


def no_spaces() -> str:
    return _fill(SENTENCE.replace(" ", ""))


def spaced_letters() -> str:
    return _fill(" ".join(SENTENCE) + " ")


def homoglyphs_and_leetspeak() -> str:
    words = SENTENCE.split()
    mixed = [w.translate(HOMOGLYPHS if i % 2 else LEET) for i, w in enumerate(words)]
    return _fill(" ".join(mixed) + " ")


def emoji_between_zero_width() -> str:
    return _fill("".join(f"{w}{ZERO_WIDTH}😡{ZERO_WIDTH[::-1]}" for w in WORDS))


def full_width_and_combining() -> str:
    full = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in SENTENCE)
    return _fill("".join(c + "\u0301" if c.isalpha() else c for c in full))


def one_endless_sentence() -> str:
    return _fill(", ".join(WORDS) + ", ")


def one_endless_word() -> str:
    return _fill("".join(WORDS))


DRAFTS: dict[str, Callable[[], str]] = {f.__name__: f for f in (
    repeated_sentence, no_spaces, spaced_letters, homoglyphs_and_leetspeak, emoji_between_zero_width,
    full_width_and_combining, one_endless_sentence, one_endless_word)}
