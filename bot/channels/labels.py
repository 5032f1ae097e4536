"""Wording every channel shares, so a verdict reads the same in the terminal,
Slack and Teams."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

VERDICT_LABELS = {
    "en": {"ok": "OK to post", "caution": "Change before posting", "do_not_post": "Do not post",
           "ok_hints": "No clear problem: check the points below"},
    "nl": {"ok": "Prima om te plaatsen", "caution": "Pas aan voor plaatsen", "do_not_post": "Niet plaatsen",
           "ok_hints": "Geen duidelijk probleem: loop de punten hieronder na"},
}


def verdict_key(review) -> str:
    """Which headline a review gets: an `ok` with `low` hints is not "OK to
    post", because a hint's advice may be to take something out (a salary the
    classifier was unsure of); the verdict itself stays `ok`."""
    return "ok_hints" if review.verdict == "ok" and review.findings else review.verdict


def verdict_label(verdict: str, language: str) -> str:
    return VERDICT_LABELS.get(language, VERDICT_LABELS["en"])[verdict]


# Readable names for the review's rule ids, so that no card shows "personal_data".
RULE_LABELS = {
    "en": {
        "confidential": "Confidential information", "privacy": "Privacy", "personal_data": "Personal data",
        "offensive": "Offensive language", "emotional": "Posting in anger", "on_behalf": "Speaking for the organisation",
        "logo": "Logo use", "advertising": "Advertising", "quoting_colleagues": "Quoting colleagues",
        "copyright": "Copyright", "accuracy": "Accuracy",
    },
    "nl": {
        "confidential": "Vertrouwelijke informatie", "privacy": "Privacy", "personal_data": "Persoonsgegevens",
        "offensive": "Kwetsend taalgebruik", "emotional": "Posten in een emotie", "on_behalf": "Spreken namens de organisatie",
        "logo": "Gebruik van het logo", "advertising": "Reclame", "quoting_colleagues": "Collega's citeren",
        "copyright": "Auteursrecht", "accuracy": "Juistheid",
    },
}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
# Marks that say the verdict and severity without colour (Slack and Teams alike).
VERDICT_MARK = {"ok": "✅", "caution": "⚠️", "do_not_post": "⛔", "ok_hints": "🔎"}
SEVERITY_MARK = {"high": "🔴", "medium": "🟠", "low": "🔵"}


def rule_label(rule: str, language: str) -> str:
    """The rule's name in the reply's language; an id without a name reads as words."""
    names = RULE_LABELS["en" if language == "en" else "nl"]
    return names.get(rule) or (rule or "").replace("_", " ").strip().capitalize()


def by_severity(findings):
    """High first, then medium, then low; text order within a severity."""
    return sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, len(SEVERITY_ORDER)))


@dataclass(frozen=True)
class Point:
    """Findings a reader takes in as one: the same rule, severity, message,
    advice and guidelines (an angry post's three "!!!"), shown once with each
    passage they flag. `finding` is the first, whose words the point shows;
    `excerpts` each distinct passage with how often it was flagged."""
    finding: object
    excerpts: tuple[tuple[str, int], ...]

    @property
    def single(self) -> bool:
        """One finding: its excerpt is shown as before, quoted by the channel."""
        return len(self.excerpts) == 1 and self.excerpts[0][1] == 1

    def excerpt(self, limit: int) -> str:
        """The flagged passage as a channel shows it: one finding's excerpt
        as it is (cut at `limit`); several as “a” · “b” (3×), already
        quoted, as many as fit in `limit` and then how many more (+2)."""
        if self.single:
            return clip(self.excerpts[0][0], limit)
        shown: list[str] = []
        for k, (text, n) in enumerate(self.excerpts):
            part = f"\u201c{clip(text, max(limit // 3, 40))}\u201d" + (f" ({n}\u00d7)" if n > 1 else "")
            rest = len(self.excerpts) - k - 1
            if shown and len(" \u00b7 ".join([*shown, part])) + (len(f" (+{rest})") if rest else 0) > limit:
                return clip(" \u00b7 ".join(shown), limit - 8) + f" (+{len(self.excerpts) - k})"
            shown.append(part)
        return clip(" \u00b7 ".join(shown), limit)


def points(findings) -> list[Point]:
    """The findings as the points a channel lists, most severe first: text
    findings that say the same thing are one point (an image's findings each
    mark their own box, so they stay apart). The JSON output keeps every
    finding, with its offsets."""
    groups: dict = {}
    for f in by_severity(findings):
        key = id(f) if getattr(f, "box", None) is not None or not f.excerpt else (
            f.rule, f.severity, f.message, f.suggestion, tuple(quote_key(c) for c in f.citations))
        groups.setdefault(key, []).append(f)
    return [Point(found[0], tuple(Counter(f.excerpt for f in found).items())) for found in groups.values()]


def quote_key(c) -> tuple:
    """What makes two citations the same quote, whatever their scores."""
    return (c.organisation, c.document, c.section, c.quote)


def not_quoted(related, shown) -> list:
    """The related guidelines a reply has not already quoted under a finding
    (`shown`: the citations it did quote), in their order."""
    quoted = {quote_key(c) for c in shown}
    return [c for c in related if quote_key(c) not in quoted]


def clip(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: cut at a word when one ends in
    the last 30% of the room, then "…". Every channel's limits (Slack's
    blocks, a Teams card's fallback and summary, a point's excerpts) cut alike."""
    text = text or ""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    space = cut.rfind(" ")
    if space > limit * 0.7:
        cut = cut[:space]
    return cut.rstrip() + "\u2026"


# -- what the knowledge base says of the organisations, for help texts ---------------

def example_questions(organisations, language: str, orgs=None, per_org: int = 1) -> list[str]:
    """Example questions from the organisations' metadata (knowledge/documents/*.yaml),
    `per_org` of each organisation in `orgs` (default: all), in `language`."""
    out: list[str] = []
    for org in orgs if orgs is not None else sorted(organisations or {}):
        info = (organisations or {}).get(org)
        if info is not None:
            out += [q for q in info.examples(language)[:per_org] if q not in out]
    return out


def naming_hint(organisations, language: str) -> str:
    """How to choose an organisation in chat, from the short names the
    knowledge base gives: '“for A” or “for B”'. Empty for one organisation."""
    names = [(organisations[org].short_name or organisations[org].organisation) for org in sorted(organisations or {})]
    if len(names) < 2:
        return ""
    word, joiner = ("for", "or") if language == "en" else ("voor", "of")
    quoted = [f"\u201c{word} {n}\u201d" for n in names]
    return ", ".join(quoted[:-1]) + f" {joiner} " + quoted[-1]
