"""The on_behalf rule: speaking for the institution without approval (medium); its names come from the policy files.

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import fake_reviewer, shared_rule_tests

RULE = "on_behalf"


@pytest.fixture(scope="module")
def reviewer():
    return fake_reviewer()


# (severity at least, language, draft)
POSITIVES = [
    ('medium', 'nl', 'Namens de Universiteit Leiden wil ik laten weten dat wij tegen de bezuinigingen zijn.'),
    ('medium', 'nl', 'Namens ROC West-Brabant: wij steunen de staking.'),
    ('medium', 'en', 'As ROC West-Brabant we think the new exam rules are a mistake.'),
    ('medium', 'en', 'On behalf of Leiden University, I condemn this decision.'),
    ('medium', 'nl', 'Het officiële standpunt van de faculteit is dat dit niet kan.'),
    ('medium', 'en', 'The university believes that this law will harm research.'),
    ('medium', 'nl', 'Het ROC vindt dat de minister het mbo tekortdoet.'),
]

# Drafts that share words with the rule but do not break it: never medium or high.
NEAR_MISSES = [
    ('en', 'I work at Leiden University and I love my job.'),
    ('nl', 'Trots om bij ROC West-Brabant te werken!'),
    ('nl', 'Ik schrijf dit op persoonlijke titel en niet namens de universiteit.'),
    ('en', 'This is my personal view, not on behalf of Leiden University.'),
    ('en', 'Leiden University published a press release about the new campus today.'),
    ('nl', 'Namens het hele team: bedankt voor jullie inzet dit jaar!'),
]


(test_positive, test_near_miss_is_not_medium_or_high, test_cases_are_dutch_and_english,
 test_citations_are_the_policy_files) = shared_rule_tests(RULE, POSITIVES, NEAR_MISSES)
