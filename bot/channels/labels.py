"""Wording every channel shares, so a verdict reads the same in the terminal,
Slack and Teams."""

from __future__ import annotations

VERDICT_LABELS = {
    "en": {"ok": "OK to post", "caution": "Change before posting", "do_not_post": "Do not post"},
    "nl": {"ok": "Prima om te plaatsen", "caution": "Pas aan voor plaatsen", "do_not_post": "Niet plaatsen"},
}


def verdict_label(verdict: str, language: str) -> str:
    return VERDICT_LABELS.get(language, VERDICT_LABELS["en"])[verdict]
