"""The advertising rule: hidden advertising, referral links, discount codes, selling in the institution's groups (medium).

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import BOTH, assert_cites_policy, assert_offsets, fake_reviewer, found, review, summary

RULE = "advertising"


@pytest.fixture(scope="module")
def reviewer():
    return fake_reviewer()


# (severity at least, language, draft)
POSITIVES = [
    ('medium', 'nl', 'Gebruik code KORTING20 voor 20% korting in mijn webshop!'),
    ('medium', 'en', 'Use code LEIDEN15 for 15% off at FlexiDesk #ad'),
    ('medium', 'nl', 'Te koop: mijn oude racefiets, vraagprijs €350.'),
    ('medium', 'en', 'Selling my old textbooks, DM me for prices!'),
    ('medium', 'en', 'Great blender, buy it here: https://shop.example.com/blender?ref=jansen21'),
]

# Drafts that share words with the rule but do not break it: never medium or high.
NEAR_MISSES = [
    ('nl', 'Onze opleiding Verkoop en Retail start in september weer.'),
    ('en', 'Our students held a charity bake sale and raised €640.'),
    ('nl', 'Mooie #samenwerking met het bedrijfsleven voor onze stagiairs.'),
    ('en', 'Read the code of conduct before you post.'),
    ('nl', 'Geen reclame, gewoon een tip: de bibliotheek heeft nu ook e-books.'),
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
