"""The quoting_colleagues rule: quoting what a colleague said (medium).

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import fake_reviewer, shared_rule_tests

RULE = "quoting_colleagues"


@pytest.fixture(scope="module")
def reviewer():
    return fake_reviewer()


# (severity at least, language, draft)
POSITIVES = [
    ('medium', 'nl', 'Mijn collega zei vandaag: "die nieuwe directeur snapt er niks van".'),
    ('medium', 'nl', "Zei mijn teamleider net: 'we halen de targets toch niet'."),
    ('medium', 'en', 'My colleague Mark told me: "the board is clueless".'),
    ('low', 'en', "According to my manager we'll move to a four-day week."),
]

# Drafts that share words with the rule but do not break it: never medium or high.
NEAR_MISSES = [
    ('nl', 'Mijn collega Fatima gaf een inspirerende presentatie over inclusief onderwijs.'),
    ('en', 'Thanks to my colleagues for a great team day.'),
    ('en', 'Our dean said in her speech at the opening of the academic year that diversity matters.'),
    ('nl', "Zoals Einstein al zei: 'fantasie is belangrijker dan kennis'."),
]


(test_positive, test_near_miss_is_not_medium_or_high, test_cases_are_dutch_and_english,
 test_citations_are_the_policy_files) = shared_rule_tests(RULE, POSITIVES, NEAR_MISSES)
