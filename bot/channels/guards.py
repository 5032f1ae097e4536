"""Checks every channel applies the same way: feedback values against the
catalogue, and the per-user rate limit with its polite reply."""

from __future__ import annotations

from bot.core.conversation import FEEDBACK_KINDS, LANGUAGES, SECTION_PREFIX, VERDICTS, VOTES  # noqa: F401

RATE_LIMITED = {
    "en": "You are sending me more questions than I can handle right now. Please wait a minute and try again.",
    "nl": "Je stuurt me nu meer vragen dan ik aankan. Wacht even een minuut en probeer het dan opnieuw.",
}


def rate_limited_text(language: str) -> str:
    return RATE_LIMITED["en" if language == "en" else "nl"]


def valid_feedback(assistant, kind, vote, org=None, language=None, verdict=None, section=None) -> dict | None:
    """The core's check (bot.core.conversation.valid_feedback), for callers holding an Assistant."""
    return assistant.valid_feedback(kind, vote, org, language, verdict, section)


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
