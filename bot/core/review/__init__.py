"""Draft review: deterministic rules that check a draft post against the
codes of conduct, each finding citing the guideline it rests on verbatim."""

from bot.core.review.engine import MAX_DRAFT_CHARS, InvalidDraft, Reviewer
from bot.core.review.rules import RULE_IDS

__all__ = ["Reviewer", "InvalidDraft", "MAX_DRAFT_CHARS", "RULE_IDS"]
