"""The advertising rule: hidden advertising, referral links, discount codes, selling in the institution's groups (medium).

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import fake_reviewer, shared_rule_tests

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


(test_positive, test_near_miss_is_not_medium_or_high, test_cases_are_dutch_and_english,
 test_citations_are_the_policy_files) = shared_rule_tests(RULE, POSITIVES, NEAR_MISSES)
