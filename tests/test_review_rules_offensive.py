"""The offensive rule: insults, obscenity, vulgarity, slurs and discriminatory generalisations (all high).

Fast: the real review core over knowledge/ with fakes of the core's ports
(review_support.fake_reviewer), patterns only. Positives and clean near
misses in Dutch and English, and the citations its policy files give."""

from __future__ import annotations

import pytest

from review_support import fake_reviewer, shared_rule_tests

RULE = "offensive"


@pytest.fixture(scope="module")
def reviewer():
    return fake_reviewer()


# (severity at least, language, draft)
POSITIVES = [
    ('high', 'nl', 'Wat een kutschool is dit.'),
    ('high', 'en', 'Those idiots from facilities broke the heating again.'),
    ('high', 'en', 'Who the fuck schedules a meeting at 8 on a Friday?'),
    ('high', 'nl', 'Al die buitenlanders zijn gewoon lui.'),
    ('high', 'nl', 'Die stomme studenten lezen nooit de mail.'),
    ('high', 'nl', 'Wat een f*cking chaos vandaag.'),
    ('high', 'en', "honestly students from Freedonia all cheat, it's their culture"),
    ('high', 'nl', 'die mensen uit dat land zijn allemaal lui, dat zit in hun cultuur'),
]

# Drafts that share words with the rule but do not break it: never medium or high.
NEAR_MISSES = [
    ('nl', 'Mooi klassiek concert in de aula.'),
    ('en', 'The assessment team visited Scunthorpe and Middlesex.'),
    ('nl', 'Dank aan het KWF voor de gastles over kanker\xadonderzoek en kankerpreventie.'),
    ('en', 'Great progress in cancer research at our medical centre.'),
    ('nl', 'Hoi, ik ben Dick en ik begin maandag als docent wiskunde.'),
    ('nl', 'Vandaag een les over discriminatie en racisme in de media.'),
    ('nl', "Analyse van Shakespeare's Hamlet en Dickens in het werkcollege."),
    ('en', 'Our exchange students from Freedonia taught us so much about their culture this week.'),
    ('nl', 'Studenten uit Freedonia zijn altijd welkom bij onze open dag.'),
]


(test_positive, test_near_miss_is_not_medium_or_high, test_cases_are_dutch_and_english,
 test_citations_are_the_policy_files) = shared_rule_tests(RULE, POSITIVES, NEAR_MISSES)
