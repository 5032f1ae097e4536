"""Cutting a draft into the pieces the classifier reads: sentences, long ones
cut at a clause boundary, tiny ones ("Hoi!", "#mbo") joined to a neighbour.
Spans are offsets into the draft's normalised text."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SEGMENT_CHARS = 260
MIN_SEGMENT_CHARS = 25
MAX_SEGMENTS = 400          # a 40,000-character draft of one-word lines stays bounded

_END = re.compile(r"[.!?]+(?=\s|$)|\n")
_CLAUSE = re.compile(r"[,;:]\s|\s(?:maar|but|en|and|want|because|dus|so|-)\s")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    out = []
    while end - start > limit:
        window = text[start:start + limit]
        cut = -1
        for m in _CLAUSE.finditer(window):
            if m.start() >= limit // 3:
                cut = m.end() if m.group().strip() not in ("maar", "but", "en", "and", "want", "because",
                                                          "dus", "so", "-") else m.start() + 1
        if cut < 0:
            cut = window.rfind(" ", limit // 2) + 1 or limit
        out.append((start, start + cut))
        start += cut
    out.append((start, end))
    return out


def segments(text: str, max_chars: int = MAX_SEGMENT_CHARS, min_chars: int = MIN_SEGMENT_CHARS) -> list[Segment]:
    spans: list[tuple[int, int]] = []
    pos = 0
    bounds = [m.end() for m in _END.finditer(text)] + [len(text)]
    for b in bounds:
        s, e = _trim(text, pos, b)
        pos = b
        if e <= s:
            continue
        spans.extend(_cut_long(text, s, e, max_chars))
        if len(spans) > MAX_SEGMENTS * 2:
            break
    # Join tiny pieces to the previous one (or the next, at the start).
    merged: list[list[int]] = []
    for s, e in spans:
        s, e = _trim(text, s, e)
        if e <= s:
            continue
        if merged and (e - s < min_chars or merged[-1][1] - merged[-1][0] < min_chars) \
                and e - merged[-1][0] <= max_chars:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    out = [Segment(s, e, text[s:e]) for s, e in merged if len(_LETTER.findall(text[s:e])) >= 3]
    return out[:MAX_SEGMENTS]
