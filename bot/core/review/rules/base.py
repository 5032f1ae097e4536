"""What every rule shares: the Hit a rule returns and how its patterns are
compiled and run.

Every pattern is anchored on a word boundary or a literal and uses bounded
repetition only, and each is run for at most MAX_MATCHES matches, so even a
40,000-character draft of one long word is matched in linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from typing import Iterator

from bot.core.review.normalise import fold_accents

I = re.IGNORECASE
MAX_MATCHES = 64  # per pattern: enough to report, bounded work on adversarial drafts


@dataclass(frozen=True)
class Hit:
    rule: str
    kind: str        # which message to show (guidance.py) and which citations apply
    severity: str
    start: int       # span of the normalised draft; the engine maps it back to the original
    end: int
    confidence: float | None = None


def rx(pattern: str, flags: int = I) -> re.Pattern:
    """A case-insensitive pattern. Drafts are matched with their accents
    folded (normalise.py), so the patterns are too."""
    return re.compile(fold_accents(pattern), flags)


def rx_cased(pattern: str, flags: int = 0) -> re.Pattern:
    """A case-sensitive pattern (names, postcodes, IBANs)."""
    return rx(pattern, flags)


def each(pattern: re.Pattern, text: str) -> Iterator[re.Match]:
    return islice(pattern.finditer(text), MAX_MATCHES)


def overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in taken)
