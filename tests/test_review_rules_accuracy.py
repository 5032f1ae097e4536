"""The accuracy rule: rumours and unverified claims (medium), hearsay hedges (low).

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import fake_reviewer, shared_rule_tests

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


(test_positive, test_near_miss_is_not_medium_or_high, test_cases_are_dutch_and_english,
 test_citations_are_the_policy_files) = shared_rule_tests(RULE, POSITIVES, NEAR_MISSES)
