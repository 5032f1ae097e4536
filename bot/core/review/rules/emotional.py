"""The emotional rule: a post written in anger (loaded words, shouting in
capitals, "!!!", angry emoji). Medium: wait until calm. Joy with
exclamation marks ("Wat een geweldige open dag!!!") is not anger."""

from __future__ import annotations

from itertools import islice

from bot.core.review import lexicon as L
from bot.core.review.rules.base import Hit, each, rx, rx_cased
from bot.core.review.rules.institutions import Institutions
from bot.core.review.text import Draft

_EXCLAIM = rx_cased(r"[!?¡]{3,}")
_ANGRY_EMOJI = rx_cased("[" + L.ANGRY_EMOJI + "]")
_ANGER_PHRASE = rx(
    r"\b(?:(?:ik\s+)?ben\s+(?:het\s+)?(?:zo\s+|echt\s+|helemaal\s+)?(?:zat|spuugzat|beu)|ik\s+ben\s+er\s+klaar\s+mee|"
    r"(?:heb|hebben)\s+er\s+(?:schoon\s+|meer\s+dan\s+|echt\s+)?genoeg\s+van|"
    r"i'?ve\s+had\s+(?:it|enough)|i\s+have\s+had\s+(?:it|enough)|"
    r"(?:ben|zijn|word)\s+(?:er\s+)?(?:\w+\s+)?ziek\s+van|niet\s+normaal\s+meer|dit\s+pik\s+ik\s+niet|wat\s+een\s+"
    r"(?:schande|grap|aanfluiting|bende|puinhoop|farce)|sick\s+and\s+tired|fed\s+up|pissed\s+off|i'?m\s+done\s+with|"
    r"what\s+a\s+(?:joke|disgrace|mess|farce|shambles)|how\s+dare\s+(?:they|you|he|she)|hoe\s+durven\s+(?:ze|jullie)|"
    r"this\s+is\s+(?:insane|unbelievable|a\s+joke))\b"
)


def check(d: Draft, inst: Institutions) -> list[Hit]:
    signals: list[tuple[str, int, int]] = []
    strong = mild = 0
    positive = False
    for (word, start, end), low in zip(d.words, d.lower_words):
        if low in L.ANGER_STRONG or (low in L.ANGER_MILD and word.isupper() and len(word) >= 4):
            strong += 1  # a loaded word, or one shouted in capitals
            signals.append(("anger", start, end))
        elif low in L.ANGER_MILD:
            mild += 1
            signals.append(("anger", start, end))
        elif low in L.POSITIVE:
            positive = True
    t = d.text
    for m in each(_ANGER_PHRASE, t):
        mild += 1
        signals.append(("anger", m.start(), m.end()))
    emoji = 0
    for m in islice(_ANGRY_EMOJI.finditer(t), 3):
        emoji += 1
        signals.append(("emoji", m.start(), m.end()))
    exclaims = [m for m in each(_EXCLAIM, t) if m.group().count("!") >= 2]
    for m in exclaims[:3]:
        signals.append(("exclaim", m.start(), m.end()))

    # Shouting: three or more consecutive all-capital words that are not acronyms.
    shouting_words = 0
    longest = 0
    run_start = run_end = -1
    run_count = 0
    prev_end = -1
    caps_runs: list[tuple[int, int, int]] = []
    for word, start, end in d.words:
        is_caps = word.isupper()
        if is_caps and (len(word) == 1 or word in inst.acronyms or word.upper() in inst.acronyms):
            # acronyms and single letters neither count nor break a run
            if run_start >= 0 and start - prev_end <= 12:
                prev_end = end
            continue
        if is_caps and len(word) >= 2:
            if run_start >= 0 and start - prev_end <= 12:
                run_end, run_count = end, run_count + 1
            else:
                if run_count >= 3:
                    caps_runs.append((run_start, run_end, run_count))
                run_start, run_end, run_count = start, end, 1
            prev_end = end
        else:
            if run_count >= 3:
                caps_runs.append((run_start, run_end, run_count))
            run_start, run_count = -1, 0
    if run_count >= 3:
        caps_runs.append((run_start, run_end, run_count))
    for s, e, n in caps_runs[:3]:
        signals.append(("shouting", s, e))
        shouting_words += n
        longest = max(longest, n)

    if not signals:
        return []
    angry = strong + mild + (1 if emoji else 0)
    if positive and not strong and mild <= 1 and len(signals) == 1:
        return []  # "an unbelievable result, congratulations!" is praise
    kinds = {k for k, _, _ in signals}
    if strong or (mild and len(kinds) >= 2) or mild >= 2 or (emoji and ("exclaim" in kinds or "shouting" in kinds)):
        severity = "medium"
    elif "shouting" in kinds and not positive and ("exclaim" in kinds or longest >= 6):
        severity = "medium"
    elif angry or "shouting" in kinds:
        severity = "low"
    elif positive:
        return []  # "Wat een geweldige open dag!!!" is joy, not anger
    else:
        severity = "low"
    if positive and not angry and severity == "medium":
        severity = "low"
    return [Hit("emotional", kind, severity, s, e) for kind, s, e in signals]
