"""Checks every channel applies the same way: feedback values against the
catalogue, and the per-user rate limit with its polite reply."""

from __future__ import annotations

VOTES = ("up", "down")
FEEDBACK_KINDS = ("answer", "review")
VERDICTS = ("ok", "caution", "do_not_post")
LANGUAGES = ("nl", "en")
SECTION_PREFIX = 150

RATE_LIMITED = {
    "en": "You are sending me more questions than I can handle right now. Please wait a minute and try again.",
    "nl": "Je stuurt me nu meer vragen dan ik aankan. Wacht even een minuut en probeer het dan opnieuw.",
}


def rate_limited_text(language: str) -> str:
    return RATE_LIMITED["en" if language == "en" else "nl"]


def valid_feedback(assistant, kind, vote, org=None, language=None, verdict=None, section=None) -> dict | None:
    """Only what was rated, checked against the knowledge base, so that no
    free text (let alone a draft) can reach the feedback store. None when
    anything is not a known value."""
    if kind not in FEEDBACK_KINDS or vote not in VOTES:
        return None
    if org is not None and org not in assistant.organisations:
        return None
    language = language if language in LANGUAGES else None
    if kind == "review":
        if verdict not in VERDICTS:
            return None
    else:
        verdict = None
    section = section if kind == "answer" else None
    if section is not None:
        if not isinstance(section, str):
            return None
        orgs = [org] if org else sorted(assistant.organisations)
        known = [s for o in orgs for s in assistant.catalogue.sections(o)]
        # Slack buttons carry at most SECTION_PREFIX characters of a long section name.
        if section not in known and not (len(section) >= SECTION_PREFIX and
                                         any(s.startswith(section) for s in known)):
            return None
    return {"kind": kind, "vote": vote, "org": org, "language": language, "verdict": verdict, "section": section}


class RateLimiter:
    """`allow(user_key)`: within SOCIALPOLICY_RATE_LIMIT_PER_MINUTE? Counted in
    the shared database; if that is down, the request is allowed (an answer
    beats a refusal we cannot justify)."""

    def __init__(self, ledger, per_minute: int) -> None:
        self.ledger = ledger
        self.per_minute = per_minute

    def allow(self, user_key: str) -> bool:
        if self.per_minute <= 0 or self.ledger is None:
            return True
        try:
            return self.ledger.allow(user_key, self.per_minute)
        except Exception:
            return True
