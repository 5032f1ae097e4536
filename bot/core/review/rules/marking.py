"""Content the post itself marks confidential: a line that opens with the
label ("Vertrouwelijk: de afdeling gaat dicht", "[INTERN] …", "Strictly
confidential – …") or the label in capitals ("VERTROUWELIJK", "STRICTLY
CONFIDENTIAL"). The labelling brief makes anything marked confidential
high.

The word alone is no marking: "a box of confidential letters" in a novel,
"the counsellor is free and confidential", "'confidential' on a consent
form" stay the classifier's to weigh (confidential.py gives it the word as a
cue). A quoted label, a post about handling confidential material and a
negated one ("niet vertrouwelijk:") are no marking either.

It runs after the learned layer (rules.AFTER_LEARNING): the post-level head,
retrained on 48 more drafts, called "Vertrouwelijk: de afdeling gaat dicht."
`ok`, and cannot clear what this finds.
"""

from __future__ import annotations

import re

from bot.core.review.rules.base import Hit, each, rx, rx_cased
from bot.core.review.rules.context import meta, negated
from bot.core.review.rules.institutions import Institutions
from bot.core.review.text import Draft

_WORD = (r"(?:(?:strikt|zeer|strictly|highly)\s+)?(?:vertrouwelijk|confidential)|(?:alleen\s+)?voor\s+intern\s+gebruik|"
         r"intern\s+gebruik|(?:for\s+)?internal(?:\s+use)?(?:\s+only)?|[\[(](?:intern|internal)[\])]")
# The label opening a line, after at most a bullet, an emoji or a bracket,
# and followed by what it marks: "Vertrouwelijk: …", "[intern] …", "CONFIDENTIAL - …".
# Not "Intern:" alone, which is also a trainee.
_OPENING = rx(r"^[^\w\n]{0,4}(?:" + _WORD + r")\s*(?::|\]|\)|\s[–-]\s|(?<=[\])]))(?=[ \t]*\S)", re.I | re.M)
# The label in capitals anywhere: a stamp, not a word in a sentence.
_CAPITALS = rx_cased(r"(?<![\w'\"‘“])(?:(?:STRIKT|ZEER|STRICTLY|HIGHLY)\s+)?(?:VERTROUWELIJK|CONFIDENTIAL)(?![\w'\"’”])")


def check(d: Draft, inst: Institutions) -> list[Hit]:
    t = d.text
    hits: list[Hit] = []
    for pattern in (_OPENING, _CAPITALS):
        for m in each(pattern, t):
            if negated(d, m.start()) or meta(d, m.start()):
                continue
            if any(h.start <= m.start() < h.end for h in hits):
                continue
            start, end = d.sentence_span(m.start())     # the marked sentence, from its start
            end = max(start + len(t[start:end].rstrip()), m.end())
            hits.append(Hit("confidential", "marked", "high", start, end))
    return hits
