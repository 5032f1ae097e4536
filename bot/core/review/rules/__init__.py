"""The review rules: deterministic checks on the draft, Dutch and English,
one module per rule.

Each rule's `check(draft, institutions)` returns hits: a kind (which message
to show), a severity and a span of the normalised draft. Rules never
generate text and never follow instructions in the draft: the draft is data.
No rule module imports another; what two rules read (a rumour, a quoted
colleague, who a sentence is about, negation and consent) lives in the
shared helper modules (base, context, people, hearsay, quotes, pay,
marking, institutions). What a rule cites and advises per institution is data:
knowledge/review/<org>.yaml.
"""

from __future__ import annotations

from typing import Callable, Iterable

from bot.core.review.rules import (
    accuracy,
    advertising,
    confidential,
    copyright,
    emotional,
    logo,
    marking,
    offensive,
    on_behalf,
    pay,
    personal_data,
    privacy,
    quoting_colleagues,
)
from bot.core.review.rules.base import MAX_MATCHES, Hit
from bot.core.review.rules.institutions import Institutions
from bot.core.review.rules.people import PHOTO, about_person, has_name
from bot.core.review.text import Draft

Check = Callable[[Draft, Institutions], Iterable[Hit]]

RULES: tuple[tuple[str, Check], ...] = (
    ("confidential", confidential.check),
    ("privacy", privacy.check),
    ("personal_data", personal_data.check),
    ("offensive", offensive.check),
    ("emotional", emotional.check),
    ("on_behalf", on_behalf.check),
    ("logo", logo.check),
    ("advertising", advertising.check),
    ("quoting_colleagues", quoting_colleagues.check),
    ("copyright", copyright.check),
    ("accuracy", accuracy.check),
)
RULE_IDS = tuple(r for r, _ in RULES)

# Structural detectors read after the learned layer: their hits keep their
# severity (the post-level head can neither clear nor raise them) and are no
# input of the classifier, its training or its features, so adding one never
# moves the head's operating point. A named person's pay (pay.py): the head
# retrained on it as a pattern moved dev's clean alarms 76 -> 94 in rules
# that have nothing to do with pay (bench/HISTORY.md, session 47). What a
# post marks confidential (marking.py): retrained on 48 more drafts, the head
# settled "Vertrouwelijk: de afdeling gaat dicht." to `ok` (session 48).
AFTER_LEARNING: tuple[tuple[str, Check], ...] = (
    ("confidential", pay.check),
    ("confidential", marking.check),
)

# The semantic layer reads these lexical cues as features.
_PHOTO = PHOTO

__all__ = ["AFTER_LEARNING", "RULES", "RULE_IDS", "Hit", "Institutions", "MAX_MATCHES", "about_person", "has_name"]
