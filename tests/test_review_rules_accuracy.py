"""The accuracy rule: rumours and unverified claims (medium), hearsay hedges (low).

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import BOTH, assert_cites_policy, assert_offsets, fake_reviewer, found, review, summary

RULE = "accuracy"


@pytest.fixture(scope="module")
def reviewer():
    return fake_reviewer()


# (severity at least, language, draft)
POSITIVES = [
    ('medium', 'nl', 'Ik hoorde dat de kantine na de zomer dichtgaat.'),
    ('medium', 'en', 'Rumour has it the rector is leaving.'),
    ('medium', 'nl', 'Naar verluidt stopt de opleiding Mediavormgeving.'),
    ('medium', 'en', 'I heard from a colleague that the library will close on Sundays.'),
    ('low', 'en', 'Apparently the canteen will be vegan-only from next month.'),
]

# Drafts that share words with the rule but do not break it: never medium or high.
NEAR_MISSES = [
    ('nl', 'Vandaag hoorde ik een prachtige lezing van prof. De Vries.'),
    ('en', 'I heard back from the journal: our paper has been accepted!'),
    ('nl', 'Dit is geen gerucht: het staat in het persbericht van vandaag.'),
    ('nl', 'Fleetwood Mac klinkt nog altijd goed.'),
]


@pytest.mark.parametrize("severity, language, text", POSITIVES, ids=[f"{n}-{lang}" for n, (_, lang, _) in enumerate(POSITIVES)])
def test_positive(reviewer, severity, language, text):
    result = review(reviewer, text)
    hits = found(result, RULE, severity)
    assert hits, summary(result)
    assert_offsets(text, result)
    for f in hits:
        assert f.citations and f.message and f.suggestion, f


@pytest.mark.parametrize("language, text", NEAR_MISSES, ids=[f"{n}-{lang}" for n, (lang, _) in enumerate(NEAR_MISSES)])
def test_near_miss_is_not_medium_or_high(reviewer, language, text):
    result = review(reviewer, text)
    assert not found(result, RULE, "medium"), summary(result)


def test_cases_are_dutch_and_english():
    assert {lang for _, lang, _ in POSITIVES} == {"nl", "en"}
    assert {lang for lang, _ in NEAR_MISSES} == {"nl", "en"}


@pytest.mark.parametrize("org", BOTH)
def test_citations_are_the_policy_files(reviewer, org):
    """Reviewed for one organisation, every finding cites that organisation
    only, and what knowledge/review/<org>.yaml names for the rule."""
    seen = 0
    for _, _, text in POSITIVES:
        for f in found(review(reviewer, text, [org]), RULE):
            assert {c.org for c in f.citations} == {org}, f.citations
            assert_cites_policy(f, org)
            seen += 1
    assert seen >= len(POSITIVES) // 2
