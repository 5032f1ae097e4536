"""The emotional rule: a post written in anger: loaded words, shouting, !!!, angry emoji (medium).

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import fake_reviewer, shared_rule_tests

RULE = "emotional"


@pytest.fixture(scope="module")
def reviewer():
    return fake_reviewer()


# (severity at least, language, draft)
POSITIVES = [
    ('medium', 'nl', 'Ik ben WOEDEND over het nieuwe rooster. Schandalig!!!'),
    ('medium', 'en', 'This is OUTRAGEOUS. Nobody asked the staff. A disgrace.'),
    ('medium', 'nl', 'WAAROM LUISTERT NIEMAND HIER OOIT NAAR DOCENTEN!!!'),
    ('medium', 'nl', 'Ik ben het zo zat, dit is echt belachelijk 😡'),
    ('medium', 'en', 'I am so sick and tired of this. Unacceptable!!!'),
]

# Drafts that share words with the rule but do not break it: never medium or high.
NEAR_MISSES = [
    ('nl', "Wat een geweldige open dag!!! Dank aan alle collega's."),
    ('nl', 'OPEN DAG ZATERDAG 12 MAART. Kom langs op onze campus in Breda.'),
    ('nl', 'Nieuwe afspraken over de CAO NU en het HR-beleid van het ROC en de MBO-raad.'),
    ('en', 'Congratulations!!! So proud of our graduates 🎉'),
    ('en', 'An unbelievable result, congratulations to the whole team!'),
]


(test_positive, test_near_miss_is_not_medium_or_high, test_cases_are_dutch_and_english,
 test_citations_are_the_policy_files) = shared_rule_tests(RULE, POSITIVES, NEAR_MISSES)
