"""The accuracy rule: rumours and unverified claims (medium), hearsay hedges
such as "apparently" (low)."""

from __future__ import annotations

from bot.core.review.rules import hearsay
from bot.core.review.rules.base import Hit, each
from bot.core.review.rules.context import meta, negated
from bot.core.review.rules.institutions import Institutions
from bot.core.review.text import Draft


def check(d: Draft, inst: Institutions) -> list[Hit]:
    hits = []
    for pattern, severity in ((hearsay.RUMOUR, "medium"), (hearsay.HEDGE, "low")):
        for m in each(pattern, d.text):
            if negated(d, m.start()):
                continue  # "dit is geen gerucht: …"
            hits.append(Hit("accuracy", "rumour" if severity == "medium" else "hedge",
                            "low" if meta(d, m.start()) else severity, m.start(), m.end()))
    return hits
