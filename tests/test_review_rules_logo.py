"""The logo rule: the institution's logo as a profile picture, on a personal account or for one's own business (medium).

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import fake_reviewer, shared_rule_tests

RULE = "logo"


@pytest.fixture(scope="module")
def reviewer():
    return fake_reviewer()


# (severity at least, language, draft)
POSITIVES = [
    ('medium', 'nl', 'Ik heb het logo van de universiteit als profielfoto gezet.'),
    ('medium', 'en', 'Using the ROC logo on the business cards for my side business.'),
    ('medium', 'nl', 'Mijn nieuwe avatar is het beeldmerk van ROC West-Brabant.'),
    ('medium', 'en', 'Put the university logo on the flyers for my tutoring business, looks very official'),
]

# Drafts that share words with the rule but do not break it: never medium or high.
NEAR_MISSES = [
    ('nl', 'Het vernieuwde logo van ROC West-Brabant is vandaag gepresenteerd.'),
    ('en', 'Updated my profile picture with a new photo from the faculty photo shoot.'),
    ('nl', 'Tip: gebruik geen logo als profielfoto, maar een pasfoto.'),
    ('nl', 'Psychologie en technologie: een mooie combinatie.'),
]


(test_positive, test_near_miss_is_not_medium_or_high, test_cases_are_dutch_and_english,
 test_citations_are_the_policy_files) = shared_rule_tests(RULE, POSITIVES, NEAR_MISSES)
