"""Wording every channel shares, so a verdict reads the same in the terminal,
Slack and Teams."""

from __future__ import annotations

VERDICT_LABELS = {
    "en": {"ok": "OK to post", "caution": "Change before posting", "do_not_post": "Do not post"},
    "nl": {"ok": "Prima om te plaatsen", "caution": "Pas aan voor plaatsen", "do_not_post": "Niet plaatsen"},
}


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
VERDICT_MARK = {"ok": "✅", "caution": "⚠️", "do_not_post": "⛔"}
SEVERITY_MARK = {"high": "🔴", "medium": "🟠", "low": "🔵"}


def rule_label(rule: str, language: str) -> str:
    """The rule's name in the reply's language; an id without a name reads as words."""
    names = RULE_LABELS["en" if language == "en" else "nl"]
    return names.get(rule) or (rule or "").replace("_", " ").strip().capitalize()


def by_severity(findings):
    """High first, then medium, then low; text order within a severity."""
    return sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, len(SEVERITY_ORDER)))


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
